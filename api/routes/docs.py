"""The API documentation pages, Swagger UI (``/docs``) and ReDoc (``/redoc``), served with
their scripts and styles from ``/static`` (npm packages vendored at build time), so that
they work where public CDNs are out of reach (NHS networks). A Content-Security-Policy
keeps the pages to this server: ReDoc 2 adds a logo from its CDN, which is not fetched.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from starlette.responses import HTMLResponse

from web.assets import DOCS_ASSETS, REDOC_JS, SWAGGER_CSS, SWAGGER_FAVICON, SWAGGER_JS, check_assets

router = APIRouter(include_in_schema=False)

DOCS_URL, REDOC_URL, OAUTH2_REDIRECT_URL = "/docs", "/redoc", "/docs/oauth2-redirect"

#: Only this server: scripts, styles (inline ones: the pages' own), images, workers (ReDoc
#: runs its search in a blob: worker) and requests.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'"
)
HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"}


def _openapi_url(request: Request) -> str:
    return str(request.scope.get("root_path", "")) + str(request.app.openapi_url)


@router.get(DOCS_URL)
async def swagger_ui(request: Request) -> HTMLResponse:
    check_assets(DOCS_ASSETS, "the API documentation's")
    page = get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title}: API (Swagger UI)",
        swagger_js_url=SWAGGER_JS.url,
        swagger_css_url=SWAGGER_CSS.url,
        swagger_favicon_url=SWAGGER_FAVICON.url,
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        # no badge from the public validator; the token is kept while the page is open
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
    )
    page.headers.update(HEADERS)
    return page


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get(REDOC_URL)
async def redoc(request: Request) -> HTMLResponse:
    check_assets(DOCS_ASSETS, "the API documentation's")
    page = get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title}: API (ReDoc)",
        redoc_js_url=REDOC_JS.url,
        redoc_favicon_url=SWAGGER_FAVICON.url,
        with_google_fonts=False,
    )
    page.headers.update(HEADERS)
    return page
