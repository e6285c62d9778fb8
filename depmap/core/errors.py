"""The one error table: what can go wrong in an answer, and how it is shown.

Each error is a small class with the HTTP status and the machine-readable code it
answers with (``{"error": <code>, "detail": <message naming the bad value>}``); the
query layer, the tiles and the CLI raise them, the API maps them to responses
(:mod:`api.errors`) and the CLI prints their detail. Nothing here knows FastAPI.
"""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    """An answer that cannot be given; ``status`` and ``code`` say how it is shown."""

    status = 400
    code = "bad_request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class UnknownArea(ServiceError):
    status, code = 404, "unknown_area"


class UnknownProgramme(ServiceError):
    status, code = 404, "unknown_programme"


class UnknownLayer(ServiceError):
    status, code = 404, "unknown_layer"


class TileOutOfRange(ServiceError):
    status, code = 404, "tile_out_of_range"


class InvalidParameter(ServiceError):
    status, code = 422, "invalid_parameter"

    @classmethod
    def choice(cls, name: str, value: object, allowed: Sequence[str]) -> InvalidParameter:
        return cls(
            f"{name}={value!r} is not allowed; use one of: {', '.join(allowed)}",
            parameter=name,
            allowed=list(allowed),
        )


class BadParameter(InvalidParameter):
    """A bad or unknown query parameter of the OGC API (``/ogc``), which the standard
    answers with 400 rather than 422."""

    status, code = 400, "invalid_parameter"


class UnknownCollection(ServiceError):
    status, code = 404, "unknown_collection"


class InvalidGeometry(ServiceError):
    status, code = 422, "invalid_geometry"


class TooLarge(ServiceError):
    status, code = 413, "too_large"


class Unauthorized(ServiceError):
    status, code = 401, "unauthorized"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class DatabaseUnavailable(ServiceError):
    status, code = 503, "database_unavailable"


class NotLoaded(ServiceError):
    status, code = 503, "not_loaded"


class LoadInProgress(ServiceError):
    status, code = 503, "load_in_progress"


class DataChanged(ServiceError):
    """A load committed while the answer was being made: asking again answers from the
    new data."""

    status, code = 503, "data_changed"


class AssetsMissing(ServiceError):
    """The npm packages of the map or the API docs were not installed (web/static/vendor)."""

    status, code = 503, "assets_missing"


class LoadError(ValueError):
    """A file or its contents cannot be loaded; the message says what is wrong and where.

    Raised by the readers and loaders; a load that raises it changes nothing."""


class CannotCompute(ServiceError):
    """The answer cannot be computed from the data for this area (no LSOA with values for
    a series, too few comparators ...): the message says why."""

    status, code = 422, "cannot_compute"
