"""Responses rendered with orjson (NaN and infinities as null)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response

from queries.formats import dumps


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


class GeoJSONResponse(StarletteJSONResponse):
    """GeoJSON (a JSON response to FastAPI, which then documents its model)."""

    media_type = "application/geo+json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
