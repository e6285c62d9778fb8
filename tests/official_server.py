"""A local HTTP server that stands in for the official hosts in fetch tests.

It serves files under the mirror layout of ``fetch.download.mirror_url``
(``/<host>/<path>?<query>``) and imitates an ArcGIS FeatureServer layer's
``/query`` endpoint: ``returnCountOnly``, ``outFields``, ``resultOffset`` and
``resultRecordCount`` capped by a ``maxRecordCount``, ``exceededTransferLimit``
(top level in Esri JSON, or in ``properties`` for GeoJSON as some servers do),
and ArcGIS's error answer for an unknown field. Files can be made to fail: a
fixed status, 5xx a few times, a body cut short a few times; range requests
are honoured with ``If-Range`` like a CDN.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fetch.download import mirror_url


@dataclass
class FileRoute:
    body: bytes
    content_type: str = "application/octet-stream"
    status: int = 200
    fail_times: int = 0  # answer 503 this many times first
    truncate_times: int = 0  # send half the body, then close, this many times first
    ranges: bool = True
    etag: bool = True
    gzip: bool = False  # compress the transfer whatever the client asked (some servers do)


@dataclass
class LayerRoute:
    #: GeoJSON features (with geometry) or attribute rows (tables)
    features: list[dict[str, Any]]
    geometry: bool
    max_records: int = 5
    flag_in_properties: bool = False
    count_offset: int = 0  # a server whose count is wrong (tests the final check)
    id_field: str = "FID"
    #: the orderByFields of each page query, as asked
    order_by: list[str] = field(default_factory=list)

    def fields(self) -> list[str]:
        if not self.features:
            return []
        first = self.features[0]
        return list(first["properties"] if self.geometry else first)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int = 0


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that hang up half-way (the Ctrl-C and cut-connection tests) are expected
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class OfficialServer:
    files: dict[str, FileRoute] = field(default_factory=dict)
    layers: dict[str, LayerRoute] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @staticmethod
    def key(official_url: str) -> str:
        """The request path (with query) under which the server serves ``official_url``."""
        return "/" + mirror_url(official_url, "x").split("/", 1)[1]

    def url(self, official_url: str) -> str:
        """Where a client reaches ``official_url`` on this server."""
        return mirror_url(official_url, self.base_url)

    def add_file(self, official_url: str, body: bytes, **kw: Any) -> FileRoute:
        route = FileRoute(body, **kw)
        self.files[self.key(official_url)] = route
        return route

    def add_layer(self, layer_url: str, features: list[dict[str, Any]], **kw: Any) -> LayerRoute:
        route = LayerRoute(features, **kw)
        self.layers[self.key(layer_url.rstrip("/") + "/query")] = route
        return route

    def start(self) -> OfficialServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.hits.append(self.hit)
                split = urlsplit(self.path)
                if split.path + "/query" in server.layers:  # the layer's description
                    self._describe(server.layers[split.path + "/query"])
                    return
                if split.path in server.layers:
                    self._layer(server.layers[split.path], parse_qs(split.query))
                    return
                route = server.files.get(self.path) or server.files.get(split.path)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                self._file(route)

            def _status(self, status: int) -> None:
                self.hit.status = status  # before the body: the client may be done first
                self.send_response(status)

            def _send(self, status: int, body: bytes, ctype: str, **headers: str) -> int:
                self._status(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k.replace("_", "-"), v)
                self.end_headers()
                self.wfile.write(body)
                return status

            def _file(self, r: FileRoute) -> int:
                if r.status != 200:
                    return self._send(r.status, b"error", "text/plain")
                if r.fail_times > 0:
                    r.fail_times -= 1
                    return self._send(503, b"busy", "text/plain", Retry_After="0")
                etag = '"' + hashlib.sha256(r.body).hexdigest()[:16] + '"'
                extra = {"ETag": etag} if r.etag else {}
                start = 0
                rng = self.headers.get("Range")
                if (
                    r.ranges
                    and r.etag
                    and rng
                    and rng.startswith("bytes=")
                    and self.headers.get("If-Range") in (None, etag)
                ):
                    start = int(rng[6:].split("-")[0])
                body = r.body[start:]
                if r.gzip:
                    body, start = gzip.compress(r.body), 0
                    extra["Content-Encoding"] = "gzip"
                status = 206 if start else 200
                self._status(status)
                self.send_header("Content-Type", r.content_type)
                self.send_header("Content-Length", str(len(body)))
                if start:
                    self.send_header(
                        "Content-Range", f"bytes {start}-{len(r.body) - 1}/{len(r.body)}"
                    )
                if r.ranges:
                    self.send_header("Accept-Ranges", "bytes")
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                if r.truncate_times > 0:
                    r.truncate_times -= 1
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return status
                self.wfile.write(body)
                return status

            def _describe(self, r: LayerRoute) -> int:
                info = {
                    "name": "layer",
                    "type": "Feature Layer" if r.geometry else "Table",
                    "objectIdField": r.id_field,
                    "maxRecordCount": r.max_records,
                    "fields": [{"name": k} for k in r.fields()],
                }
                return self._send(200, json.dumps(info).encode(), "application/json")

            def _layer(self, r: LayerRoute, q: dict[str, list[str]]) -> int:
                def arg(name: str, default: str = "") -> str:
                    return q.get(name, [default])[0]

                def answer(obj: dict[str, Any]) -> int:
                    return self._send(200, json.dumps(obj).encode(), "application/json")

                if arg("returnCountOnly") == "true":
                    return answer({"count": len(r.features) + r.count_offset})
                wanted = arg("outFields", "*").split(",")
                known = r.fields()
                if wanted != ["*"]:
                    bad = [f for f in wanted if f not in known]
                    if bad:
                        return answer(
                            {
                                "error": {
                                    "code": 400,
                                    "message": "Cannot perform query. Invalid query parameters.",
                                    "details": [f"'Invalid field: {bad[0]}' parameter is invalid"],
                                }
                            }
                        )
                keep = known if wanted == ["*"] else wanted
                order = arg("orderByFields")
                if order and order not in known:
                    return answer({"error": {"code": 400, "message": f"Invalid field: {order}"}})
                r.order_by.append(order)
                offset = int(arg("resultOffset", "0"))
                n = min(int(arg("resultRecordCount", str(r.max_records))), r.max_records)
                page = r.features[offset : offset + n]
                more = offset + n < len(r.features)
                if r.geometry and arg("f") == "geojson":
                    feats = [
                        {
                            "type": "Feature",
                            "id": offset + i + 1,
                            "geometry": f["geometry"],
                            "properties": {k: f["properties"][k] for k in keep},
                        }
                        for i, f in enumerate(page)
                    ]
                    obj: dict[str, Any] = {"type": "FeatureCollection", "features": feats}
                    if more and r.flag_in_properties:
                        obj["properties"] = {"exceededTransferLimit": True}
                    elif more:
                        obj["exceededTransferLimit"] = True
                    return answer(obj)
                rows = [{k: f[k] for k in keep} for f in page]
                obj = {
                    "objectIdFieldName": "ObjectId",
                    "fields": [{"name": k, "type": "esriFieldTypeString"} for k in keep],
                    "features": [{"attributes": row} for row in rows],
                }
                if more:
                    obj["exceededTransferLimit"] = True
                return answer(obj)

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def requests_to(self, official_url: str) -> list[Hit]:
        k = self.key(official_url)
        return [h for h in self.hits if h.path == k or h.path.startswith(k + "?")]


def serve() -> Iterator[OfficialServer]:
    """A started server (for a pytest fixture)."""
    s = OfficialServer().start()
    try:
        yield s
    finally:
        s.stop()
