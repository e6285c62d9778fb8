"""The import contract (``[tool.importlinter]`` in pyproject.toml) holds on the code, and
fails on each upward arrow and cycle the house was rebuilt to remove (issue 12)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("depmap", "api", "web", "loaders", "fetch", "queries", "tiles", "sources", "geo")

#: (file, line added) - each an arrow the old code had.
ARROWS = {
    "cli helpers importing a command module back (a cycle)": (
        "depmap/cli/common.py",
        "from depmap.cli import query",
    ),
    "the exported map importing the API": ("web/export.py", "from api import deps"),
    "the API importing a loader's helper": ("api/routes/programmes.py", "from loaders import base"),
    "the CLI importing a route module": (
        "depmap/cli/query.py",
        "from api.routes import deprivation",
    ),
    "one route importing another": (
        "api/routes/hotspots.py",
        "from api.routes import deprivation",
    ),
    "tests importing the benchmarks": ("tests/synth.py", "import bench.common"),
    "the query layer importing FastAPI": ("queries/areas.py", "import fastapi"),
    "geo importing the query layer": ("geo/measures.py", "import queries.areas"),
    "the core importing a loader": ("depmap/core/db.py", "import loaders.base"),
    "fetching importing a loader": ("fetch/official.py", "import loaders.indicators"),
}


def _copy(dest: Path) -> Path:
    for pkg in (*PACKAGES, "tests", "bench"):
        shutil.copytree(
            ROOT / pkg, dest / pkg, ignore=shutil.ignore_patterns("__pycache__", "*.sql", "output")
        )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_code_keeps_the_contract():
    r = _lint(ROOT)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "0 broken" in r.stdout


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy(tmp_path_factory.mktemp("house"))


@pytest.mark.parametrize("arrow", list(ARROWS))
def test_an_upward_arrow_breaks_the_contract(tree, arrow):
    rel, line = ARROWS[arrow]
    f = tree / rel
    before = f.read_text(encoding="utf-8")
    try:
        f.write_text(before + f"\n{line}  # noqa\n", encoding="utf-8")
        r = _lint(tree)
    finally:
        f.write_text(before, encoding="utf-8")
    assert r.returncode != 0, f"{arrow}: the contract did not notice\n{r.stdout[-2000:]}"
    assert "BROKEN" in r.stdout
