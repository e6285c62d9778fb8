# depmap API image. Data is loaded by `depmap load all` (see compose.yaml). The same image
# runs `depmap tiles export` and `depmap map --static` (PMTiles for static hosting).

# the web map's and the API docs' scripts and styles, from npm at build time (no CDN); the
# package build (setup.py) finds them complete and needs no npm in the final image
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json web/vendor.mjs ./
RUN npm ci --no-audit --no-fund && npm run vendor

FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY depmap ./depmap
COPY api ./api
COPY web ./web
COPY loaders ./loaders
COPY fetch ./fetch
COPY queries ./queries
COPY tiles ./tiles
COPY sources ./sources
COPY geo ./geo
COPY --from=web /web/static/vendor ./web/static/vendor
RUN pip install . && rm -rf build *.egg-info

# run as an unprivileged user
RUN useradd --create-home --uid 10001 depmap
USER depmap

ENV DEPMAP_HOST=0.0.0.0 DEPMAP_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://localhost:8000/healthz || exit 1
CMD ["depmap", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
