"""ASGI middleware: a request body limit and optional bearer auth for reads."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queries.formats import dumps


class BodyLimit:
    """Refuse bodies over ``max_bytes`` with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for k, v in scope.get("headers", ()):
            if k == b"content-length":
                try:
                    n = int(v)
                except ValueError:
                    await _reply(send, 400, "bad_request", "Content-Length is not a number")
                    return
                if n > self.max_bytes:
                    await _reply(
                        send,
                        413,
                        "too_large",
                        f"the body is {n:,} bytes; the limit is {self.max_bytes:,}",
                    )
                    return
        seen = 0
        sent_response = False

        async def limited() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal sent_response
            if msg["type"] == "http.response.start":
                sent_response = True
            await send(msg)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not sent_response:
                await _reply(
                    send,
                    413,
                    "too_large",
                    f"the body is over the limit of {self.max_bytes:,} bytes",
                )


class RejectNul:
    """NUL characters cannot reach PostgreSQL text: refuse them in the path or query (422;
    400 under ``/ogc``, where OGC API - Features answers a bad parameter with 400)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            qs: bytes = scope.get("query_string", b"")
            path: str = scope.get("path", "")
            if (
                b"%00" in qs.lower()
                or b"\x00" in qs
                or "\x00" in path
                or "%00" in scope.get("raw_path", b"").decode("latin-1").lower()
            ):
                ogc = path == "/ogc" or path.startswith("/ogc/")
                await _reply(
                    send,
                    400 if ogc else 422,
                    "invalid_parameter",
                    "parameters must not contain NUL (0x00) characters",
                )
                return
        await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _reply(send: Send, status: int, code: str, detail: str) -> None:
    body = dumps({"error": code, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
