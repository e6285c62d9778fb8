#!/usr/bin/env bash
# Install what depmap needs on Debian/Ubuntu (idempotent): PostgreSQL + PostGIS,
# a Python virtualenv with the project, a running cluster with a `depmap` role and
# database. Browser tests also need Chromium: pass --browser.
#
# Environment: DEPMAP_VENV (default .venv), DATABASE_URL (default the dev DSN).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${DEPMAP_VENV:-.venv}
WITH_BROWSER=0
for a in "$@"; do
  case "$a" in
    --browser) WITH_BROWSER=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

SUDO=""
AS_PG="runuser -u postgres --"       # root runs commands as the postgres user with runuser
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; AS_PG="sudo -u postgres"; fi

need_apt=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
PGVER=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
if [ -z "$PGVER" ] || ! ls /usr/share/postgresql/"$PGVER"/extension/postgis.control >/dev/null 2>&1; then
  need_apt+=(postgresql "postgresql-${PGVER:-15}-postgis-3")
fi
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ "$WITH_BROWSER" = 1 ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# the web map's and the API docs' scripts and styles come from npm at build time (no CDN):
# building the package (pip install below) runs `npm ci && npm run vendor` in web/ (setup.py)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! ls /usr/share/postgresql/"$PGVER"/extension/postgis.control >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "postgresql-$PGVER-postgis-3" >/dev/null
  fi
fi

# start the cluster (Debian's pg_ctlcluster runs it as the postgres user)
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $4}' | grep -q online; then
  echo "==> starting PostgreSQL $PGVER"
  $SUDO pg_ctlcluster "$PGVER" main start
fi
for i in $(seq 1 30); do
  $AS_PG pg_isready -q && break
  sleep 1
done

export DATABASE_URL=${DATABASE_URL:-postgresql://depmap:depmap@localhost:5432/depmap}
DB_USER=$(python3 -c "from urllib.parse import urlparse; print(urlparse('$DATABASE_URL').username)")
DB_PASS=$(python3 -c "from urllib.parse import urlparse; print(urlparse('$DATABASE_URL').password or '')")
DB_NAME=$(python3 -c "from urllib.parse import urlparse; print(urlparse('$DATABASE_URL').path.lstrip('/'))")
psql_admin() { (cd / && $AS_PG psql -v ON_ERROR_STOP=1 -qAt "$@"); }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != "1" ]; then
  echo "==> creating role $DB_USER (superuser: local development and tests create databases and PostGIS)"
  psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER PASSWORD '$DB_PASS'"
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  python3 -m venv "$VENV"
fi
echo "==> pip install -e .[test,docs] (its build vendors Leaflet, Leaflet.VectorGrid, pmtiles, Swagger UI"
echo "    and ReDoc from npm into web/static/vendor when they are missing or out of date)"
"$VENV/bin/pip" install -q --upgrade pip >/dev/null
"$VENV/bin/pip" install -q -e ".[test,docs]"
"$VENV/bin/depmap" db init
