"""The ``depmap`` command, one module per group of commands:

* :mod:`~depmap.cli.load`: ``db init``, ``load all | <part>``, ``status``;
* :mod:`~depmap.cli.programmes`: ``load areas``, ``load pcn-footprints``,
  ``programmes list | summary | delete``, ``comparators``;
* :mod:`~depmap.cli.query`: ``rankings``, ``overlaps``, ``profile``;
* :mod:`~depmap.cli.change`: ``change``, ``evaluate``;
* :mod:`~depmap.cli.tiles`: ``tiles seed``, ``map``;
* :mod:`~depmap.cli.fetch`: ``fetch``;
* :mod:`~depmap.cli.service`: ``serve``.

Their shared helpers are in :mod:`depmap.cli.common`; nothing else imports the CLI.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from depmap.cli import change, fetch, load, programmes, query, service, tiles
from depmap.core import logs

app = typer.Typer(
    help="depmap: deprivation, the NHS and community programmes, by small area.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    log_level: Annotated[str, typer.Option(help="Log level (DEPMAP_LOG_LEVEL).")] = "",
) -> None:
    logs.setup(log_level or None)


load.register(app)
programmes.register(app, load.load_app)
query.register(app)
change.register(app)
tiles.register(app)
fetch.register(app)
service.register(app)


def run() -> None:  # pragma: no cover - console entry
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
