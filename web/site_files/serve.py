#!/usr/bin/env python3
"""Serve this folder over HTTP with Range requests (the map's PMTiles archives need them).

Python's own `python -m http.server` answers every request with the whole file, and the
map's tile reader (pmtiles) refuses that. Any real static host answers Range: nginx,
Caddy, Apache, an object store (S3, GCS, Azure) or a CDN; this file is only for a quick
look on one machine, with nothing but Python 3's standard library:

    python3 serve.py [--port 8080] [--bind 127.0.0.1]

and open http://127.0.0.1:8080/.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler answering one ``Range: bytes=a-b`` (also ``a-`` and
    ``-n``) with 206 and Content-Range, or 416 when it cannot."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".pmtiles": "application/vnd.pmtiles",
        ".js": "text/javascript",
    }

    def send_head(self):
        spec = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not spec or os.path.isdir(path):
            return super().send_head()
        m = _RANGE.match(spec.strip())
        try:
            f = open(path, "rb")  # noqa: SIM115 (returned to the caller, which closes it)
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        size = os.fstat(f.fileno()).st_size
        start, end = (m.group(1), m.group(2)) if m else ("", "")
        if not m or (not start and not end):
            first, last = -1, -1
        elif not start:  # the last n bytes
            first, last = max(0, size - int(end)), size - 1
        else:
            first, last = int(start), min(size - 1, int(end) if end else size - 1)
        if first < 0 or first > last:
            f.close()
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        f.seek(first)
        self._left: int | None = last - first + 1
        return f

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source, outputfile):
        left = getattr(self, "_left", None)
        if left is None:
            return super().copyfile(source, outputfile)
        self._left = None
        while left > 0:
            buf = source.read(min(left, 1 << 16))
            if not buf:
                break
            outputfile.write(buf)
            left -= len(buf)
        return None

    def log_message(self, format, *args):
        if os.environ.get("SERVE_QUIET") != "1":
            super().log_message(format, *args)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--directory", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    handler = functools.partial(RangeHandler, directory=a.directory)
    with ThreadingHTTPServer((a.bind, a.port), handler) as httpd:
        print(f"serving {a.directory} at http://{a.bind}:{a.port}/", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
