"""The build step of the depmap package: the web map's and the API docs' assets.

``/map``, ``/docs`` and ``/redoc`` serve Leaflet, Leaflet.VectorGrid, Swagger UI and ReDoc
themselves (no CDN). They come from npm (``web/package.json`` and its lock file) and are
copied into ``web/static/vendor`` by ``npm run vendor`` (``web/vendor.mjs``), which also
writes ``web/static/vendor/manifest.json``. They are not committed: building the package
(a wheel, an sdist, an editable install) runs ``npm ci && npm run vendor`` in ``web/`` when
they are missing or were made from another ``package-lock.json``, and fails saying what to
install when npm is not there. Wheels and sdists hold them (package data of ``web``), so
installing one needs no npm.

Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

WEB = Path(__file__).resolve().parent / "web"
VENDOR = WEB / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"
LOCK = WEB / "package-lock.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assets_stale() -> str | None:
    """Why the vendored assets must be made (again), or None when they are complete."""
    if not MANIFEST.is_file():
        return "web/static/vendor/manifest.json is missing"
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    missing = [f for f in manifest.get("files", ()) if not (VENDOR / f).exists()]
    if missing or not manifest.get("files"):
        return "missing in web/static/vendor: " + (", ".join(missing) or "every file")
    if LOCK.is_file() and manifest.get("lockfile_sha256") != _sha256(LOCK):
        return "web/package-lock.json has changed since they were vendored"
    return None


def vendor_assets() -> None:
    """Run ``npm ci && npm run vendor`` in ``web/`` unless the assets are complete."""
    why = assets_stale()
    if why is None:
        return
    npm = shutil.which("npm")
    if npm is None or not LOCK.is_file():
        raise SetupError(
            f"depmap: the web map's and API docs' scripts and styles must be vendored ({why}) "
            "and that needs npm (Node.js 18 or later), which "
            + ("is not installed" if npm is None else "cannot run here: no web/package-lock.json")
            + ". Install it (Debian/Ubuntu: apt-get install nodejs npm) and build again, or "
            "run `npm ci && npm run vendor` in web/ on a machine that has it. Installing a "
            "built depmap wheel or sdist needs no npm."
        )
    print(f"depmap: vendoring the web assets with npm ({why})", flush=True)
    for args in (
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        [npm, "run", "--silent", "vendor"],
    ):
        try:
            subprocess.run(args, cwd=WEB, check=True)  # noqa: S603 (npm, found on PATH)
        except subprocess.CalledProcessError as e:
            raise SetupError(
                f"depmap: `{' '.join(args[1:])}` in web/ failed (exit {e.returncode}): the "
                "web map's and API docs' assets could not be vendored; see npm's message above"
            ) from e
    why = assets_stale()
    if why is not None:
        raise SetupError(f"depmap: npm run vendor did not make the assets ({why})")


class BuildPy(build_py):
    """build_py that vendors the web assets first (they are package data of ``web``)."""

    def run(self) -> None:
        vendor_assets()
        super().run()


class SDist(sdist):
    """sdist that vendors the web assets first, so that the sdist holds them."""

    def run(self) -> None:
        vendor_assets()
        super().run()


setup(cmdclass={"build_py": BuildPy, "sdist": SDist})
