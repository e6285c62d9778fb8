"""``depmap serve``: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from depmap.core.settings import api_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Interface (DEPMAP_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (DEPMAP_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP API."""
    import uvicorn

    s = api_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        log_config=None,
        access_log=False,
        proxy_headers=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
