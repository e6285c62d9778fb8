"""What the container and the scripts promise, checked on the files themselves."""

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from web.assets import DOCS_ASSETS, MAP_ASSETS

ROOT = Path(__file__).resolve().parents[2]


def test_the_container_runs_as_an_unprivileged_user():
    text = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    # the final stage is the one that runs
    final = text.rsplit("\nFROM ", 1)[-1]
    assert "USER " in final and "HEALTHCHECK" in final


def test_compose_waits_for_a_healthy_database_and_a_finished_load():
    text = (ROOT / "compose.yaml").read_text()
    assert "pg_isready" in text
    assert "condition: service_healthy" in text
    assert "condition: service_completed_successfully" in text


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text().splitlines()[:5]
    assert any("scripts/test.sh" in line for line in readme)
    assert any("scripts/demo.sh" in line for line in readme)
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_the_readme_is_short_and_leads_to_the_docs():
    """What a newcomer needs first (issue 11): the two commands, what it is, one example per
    user, and links into the documentation site, which holds everything else."""
    text = (ROOT / "README.md").read_text()
    lines = text.splitlines()
    assert len(lines) <= 120, len(lines)
    commands = [line for line in lines if line.startswith("DEPMAP_DATA_DIR=")]
    assert [c.split("#")[0].split()[-1] for c in commands[:2]] == [
        "scripts/demo.sh",
        "scripts/test.sh",
    ]
    for user in (
        "ICS analyst",
        "Commissioner",
        "Tool builder",
        "Community programme",
        "Programme evaluator",
    ):
        assert f"**{user}**" in text, user
    links = re.findall(r"\]\((docs/[^)#]+)(?:#[^)]*)?\)", text)
    assert links, "the README links into docs/"
    for link in links:
        assert (ROOT / link).is_file(), link
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert pages <= {link.removeprefix("docs/") for link in links}, "every page linked"
    assert all(page in nav for page in pages), "every page in the site's navigation"


# --- the package holds the web map's and API docs' assets (setup.py vendors them) ----------

PACKAGES = [
    p.rstrip("*")
    for p in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
        "find"
    ]["include"]
]
BUILD_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
VENDOR = ROOT / "web" / "static" / "vendor"


def _served_assets() -> list[str]:
    """Every file /map, /docs and /redoc load from the package (web/assets.py lists them),
    and the images their stylesheets refer to, as paths in the wheel."""
    out = []
    for a in (*MAP_ASSETS, *DOCS_ASSETS):
        out.append(f"web/static/{a.path}")
        if a.kind == "css":
            for ref in re.findall(r"url\((['\"]?)([^'\")]+)\1\)", a.file.read_text()):
                if not ref[1].startswith(("data:", "http", "#")):
                    rel = (Path(a.path).parent / ref[1]).as_posix()
                    out.append(f"web/static/{os.path.normpath(rel)}")
    return out


def _checkout(dest: Path, *, assets: bool) -> Path:
    """A copy of what a checkout holds (the build files and the packages, no node_modules),
    with or without the vendored assets."""
    missing = [a.path for a in (*MAP_ASSETS, *DOCS_ASSETS) if not a.file.is_file()]
    if assets and missing:
        pytest.fail(f"vendor the assets first (`npm ci && npm run vendor` in web/): {missing}")
    src = dest / "src"
    src.mkdir()
    for f in BUILD_FILES:
        shutil.copy2(ROOT / f, src / f)
    skip = shutil.ignore_patterns("node_modules", "__pycache__", "*.pyc", "vendor")
    for p in PACKAGES:
        shutil.copytree(ROOT / p, src / p, ignore=skip)
    if assets:
        shutil.copytree(VENDOR, src / "web" / "static" / "vendor")
    return src


def _without_npm() -> dict[str, str]:
    """The environment with a PATH where there is no npm (only this Python's folder)."""
    bindir = Path(sys.executable).parent
    assert not (bindir / "npm").exists()
    return {**os.environ, "PATH": str(bindir)}


@pytest.mark.slow
def test_the_wheel_holds_the_assets_the_map_and_docs_load(tmp_path):
    """`pip install .` needs no npm once the assets are vendored: the wheel holds them."""
    src = _checkout(tmp_path, assets=True)
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(tmp_path)],
        cwd=src,
        env=_without_npm(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    (wheel,) = tmp_path.glob("depmap-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = _served_assets()
    assert len(wanted) > len(MAP_ASSETS) + len(DOCS_ASSETS)  # the stylesheets' images too
    assert [w for w in wanted if w not in names] == []
    assert "web/static/vendor/manifest.json" in names
    assert not [n for n in names if "node_modules" in n or n.startswith("web/package")]
    # the packages and their SQL, with the map's own script
    assert {"api/main.py", "queries/sql/area_wkb.sql", "web/static/depmap-map.js"} <= names

    # installed (unpacked, first on the path), the service serves the docs and the assets
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import web.assets as a; a.check_assets(); a.check_assets(a.DOCS_ASSETS); "
        "print(a.STATIC_DIR); "
        "from fastapi.testclient import TestClient; from api.main import create_app; "
        "from depmap.core.settings import ApiSettings; "
        "c = TestClient(create_app(ApiSettings(env='test'))); "
        "print(*[c.get(p).status_code for p in sys.argv[1:]])"
    )
    paths = ["/docs", "/redoc", *(w.replace("web/static", "/static") for w in wanted)]
    r = subprocess.run(
        [sys.executable, "-c", "import sys; " + probe, *paths],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    static_dir, statuses = r.stdout.strip().splitlines()[-2:]
    assert Path(static_dir) == site / "web" / "static"
    assert statuses.split() == ["200"] * len(paths)


@pytest.mark.slow
def test_the_sdist_holds_the_assets_and_no_node_modules(tmp_path):
    src = _checkout(tmp_path, assets=True)
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta; "
            "print(build_meta.build_sdist(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=src,
        env=_without_npm(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    (sdist,) = tmp_path.glob("depmap-*.tar.gz")
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    assert [w for w in _served_assets() if w not in names] == []
    # what vendors them again, for a build from the sdist after a change of lock file
    assert {"setup.py", "web/package.json", "web/package-lock.json", "web/vendor.mjs"} <= names
    assert not [n for n in names if "node_modules" in n]


def _build_py(src: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(tmp_path / "lib")],
        cwd=src,
        env=_without_npm(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_build_without_the_assets_and_without_npm_fails_saying_what_to_install(tmp_path):
    r = _build_py(_checkout(tmp_path, assets=False), tmp_path)
    assert r.returncode != 0
    assert "manifest.json is missing" in r.stderr
    assert "needs npm" in r.stderr and "apt-get install nodejs npm" in r.stderr
    assert "npm ci && npm run vendor" in r.stderr


def test_a_build_vendors_again_when_the_lock_file_changed(tmp_path):
    src = _checkout(tmp_path, assets=True)
    assert _build_py(src, tmp_path).returncode == 0  # complete: no npm needed
    lock = src / "web" / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")
    r = _build_py(src, tmp_path)
    assert r.returncode != 0 and "package-lock.json has changed" in r.stderr


def test_the_container_builds_the_package_with_every_part_and_the_assets():
    """The image's `pip install .` sees every package, the build step and the assets made
    in the node stage (so that it needs no npm)."""
    text = (ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY\s+(\S+)\s+\./\1\s*$", text, flags=re.M))
    assert set(PACKAGES) <= copied, set(PACKAGES) - copied
    first = re.search(r"^COPY (pyproject\.toml .+) \./$", text, flags=re.M)
    assert first and set(BUILD_FILES) <= set(first.group(1).split())
    assert "npm run vendor" in text
    assert "COPY --from=web /web/static/vendor ./web/static/vendor" in text
    assert text.index("static/vendor ./web") < text.index("RUN pip install .")


def test_missing_assets_are_a_503_naming_the_install_step(monkeypatch, tmp_path):
    import web.assets

    monkeypatch.setattr(web.assets, "STATIC_DIR", tmp_path)
    for assets, what in ((MAP_ASSETS, "the map's"), (DOCS_ASSETS, "the API documentation's")):
        with pytest.raises(web.assets.AssetsMissing) as e:
            web.assets.check_assets(assets, what)
        assert e.value.status == 503 and e.value.code == "assets_missing"
        assert "npm ci && npm run vendor" in str(e.value) and "pip install ." in str(e.value)
