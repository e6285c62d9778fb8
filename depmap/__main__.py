"""``python -m depmap`` runs the CLI."""

from depmap.cli import run

run()
