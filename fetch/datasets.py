"""``depmap fetch``: download the official files and convert them into the data layout.

The datasets are those of ``sources.json`` (see :func:`downloads`).
For each one the published files are saved as published under
``<dest>/official/<id>/`` (zip members extracted beside them), converted by
:mod:`fetch.official` into the paths the loaders read (``<dest>/boundaries/...``,
``<dest>/lookups/...``), and recorded in ``<dest>/manifest.lock.json``: address,
size, SHA-256 and time of every file fetched, and the outputs written.

A dataset whose address cannot be known in advance (NHS releases) or that is
not published for download (the Community Needs Index) is reported as a manual
step; ``urls={id: address}`` (``--url id=address``) supplies the address. A
file already fetched whose checksum still matches the lock is not fetched again
unless ``force``. Every file is written atomically, so an interrupted or failed
fetch never leaves a partial file where the loaders look.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import re
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from depmap.core.errors import LoadError
from fetch.arcgis import LayerQuery, fetch_layer
from fetch.download import (
    FetchError,
    FetchProgress,
    NullFetchProgress,
    RetryPolicy,
    atomic_path,
    download,
    find_link,
    get_page,
    make_client,
    mirror_url,
    sha256_file,
)
from fetch.official import CONVERTERS, Output

log = logging.getLogger("depmap.fetch")

LOCK_NAME = "manifest.lock.json"
OFFICIAL_DIR = "official"

#: What a dataset's fetch came to.
FETCHED, CACHED, MANUAL, FAILED = "fetched", "cached", "manual", "failed"


@dataclass(frozen=True)
class Remote:
    """One published file of a dataset."""

    url: str | None
    name: str
    sha256: str | None = None
    arcgis: LayerQuery | None = None
    #: glob of the zip member to keep (matched on its base name, case-insensitively)
    extract: str | None = None
    #: when ``url`` is a web page: patterns of the link to follow, in order of preference
    link_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """A dataset of the manifest: where it is published and what it becomes."""

    id: str
    title: str
    publisher: str
    licence: str
    landing: str
    format: str
    sources: tuple[Remote, ...]
    convert: str
    outputs: tuple[str, ...]
    manual: str | None = None
    notes: str = ""

    @property
    def automatic(self) -> bool:
        """True if it can be fetched with no step by the user."""
        return self.manual is None and all(s.url for s in self.sources)


@dataclass
class FileRecord:
    """A fetched file, as ``manifest.lock.json`` records it."""

    url: str
    path: str
    size: int
    sha256: str
    fetched_at: str
    #: the file's own address when ``url`` is the page that links to it
    link: str | None = None
    #: where it was read from when a mirror served it (``url`` is the official address)
    mirror: str | None = None
    member: str | None = None
    member_path: str | None = None
    member_sha256: str | None = None
    pages: int | None = None
    features: int | None = None


@dataclass
class DatasetResult:
    id: str
    status: str
    files: list[FileRecord] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    message: str = ""


def parse_datasets(entries: Sequence[Mapping[str, Any]]) -> list[Dataset]:
    """Datasets from manifest entries, checked (ids unique, converters known)."""
    out: list[Dataset] = []
    seen: set[str] = set()
    for e in entries:
        try:
            did = str(e["id"])
            sources = []
            for s in e["sources"]:
                ag = s.get("arcgis")
                url = s.get("url")
                sources.append(
                    Remote(
                        url=url,
                        name=str(s["name"]),
                        sha256=s.get("sha256"),
                        arcgis=LayerQuery(
                            url=url or "",
                            out_fields=tuple(ag.get("out_fields") or ("*",)),
                            page_size=int(ag.get("page_size", 2000)),
                            geometry=bool(ag.get("geometry", True)),
                        )
                        if ag
                        else None,
                        extract=s.get("extract"),
                        link_patterns=tuple(s.get("link_patterns") or ()),
                    )
                )
            ds = Dataset(
                id=did,
                title=str(e.get("title", did)),
                publisher=str(e.get("publisher", "")),
                licence=str(e.get("licence", "")),
                landing=str(e.get("landing", "")),
                format=str(e.get("format", "")),
                sources=tuple(sources),
                convert=str(e["convert"]),
                outputs=tuple(e["outputs"]),
                manual=e.get("manual"),
                notes=str(e.get("notes", "")),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise FetchError(f"sources.json: malformed entry {e.get('id', '?')!r}: {err}") from err
        if did in seen:
            raise FetchError(f"sources.json: dataset id {did!r} appears twice")
        if ds.convert not in CONVERTERS:
            raise FetchError(f"sources.json: {did}: unknown converter {ds.convert!r}")
        if not ds.sources or not ds.outputs:
            raise FetchError(f"sources.json: {did}: no sources or no outputs")
        seen.add(did)
        out.append(ds)
    return out


def catalogue() -> list[Dataset]:
    """The datasets of the packaged ``sources.json``."""

    return parse_datasets(downloads())


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_lock(dest: Path) -> dict[str, Any]:
    p = dest / LOCK_NAME
    if not p.exists():
        return {"datasets": {}}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        log.warning("ignoring an unreadable lock file", extra={"file": str(p), "error": str(e)})
        return {"datasets": {}}
    data.setdefault("datasets", {})
    return dict(data)


def write_lock(dest: Path, lock: dict[str, Any]) -> None:
    lock["about"] = (
        "Written by `depmap fetch`: every official file fetched (address, size, sha256, "
        "time) and the files converted from it in the data layout."
    )
    lock["updated_at"] = _now()
    with atomic_path(dest / LOCK_NAME) as tmp:
        tmp.write_text(json.dumps(lock, indent=2, sort_keys=False) + "\n", encoding="utf-8")


class Fetcher:
    """One run of ``depmap fetch`` over some datasets (see :func:`fetch`)."""

    def __init__(
        self,
        dest: Path,
        *,
        client: httpx.Client,
        policy: RetryPolicy,
        base_url: str | None = None,
        urls: Mapping[str, str] | None = None,
        force: bool = False,
        progress: FetchProgress | None = None,
    ) -> None:
        self.dest = dest
        self.client = client
        self.policy = policy
        self.base_url = base_url
        self.urls = dict(urls or {})
        self.force = force
        self.progress = progress or NullFetchProgress()
        self.lock = read_lock(dest)

    # -- one dataset ----------------------------------------------------------------------

    def run(self, ds: Dataset) -> DatasetResult:
        entries: dict[str, Any] = self.lock["datasets"]
        prev: dict[str, Any] = dict(entries.get(ds.id) or {})
        try:
            urls = self.resolve(ds)
        except FetchError as e:
            return DatasetResult(ds.id, FAILED, message=str(e))
        if urls is None:
            if prev.get("files") and self._outputs_current(ds, prev):
                return DatasetResult(
                    ds.id,
                    CACHED,
                    files=[FileRecord(**f) for f in prev["files"]],
                    outputs=[Output(**o) for o in prev["outputs"]],
                    message=f"fetched earlier from {prev['files'][0]['url']}",
                )
            msg = ds.manual or "no download address"
            if all((self.dest / o).exists() for o in ds.outputs):
                msg = f"in place ({', '.join(ds.outputs)}); not fetched: {msg}"
            res = DatasetResult(ds.id, MANUAL, message=msg)
            if not prev.get("files"):
                entries[ds.id] = self._entry(ds, res)
                write_lock(self.dest, self.lock)
            return res
        res = DatasetResult(ds.id, FETCHED)
        try:
            all_cached = True
            inputs: list[Path] = []
            for src, (url, read_url) in zip(ds.sources, urls, strict=True):
                rec, cached = self.fetch_file(ds, src, url, read_url, prev)
                all_cached &= cached
                res.files.append(rec)
                inputs.append(self.dest / (rec.member_path or rec.path))
            if all_cached and self._outputs_current(ds, prev):
                res.status = CACHED
                res.outputs = [Output(**o) for o in prev["outputs"]]
            else:
                self.progress.start(f"{ds.id}: converting", None, "steps")
                try:
                    res.outputs = CONVERTERS[ds.convert](inputs, self.dest, ds.outputs)
                finally:
                    self.progress.done()
                written = [o.path for o in res.outputs]
                if written != list(ds.outputs):
                    raise LoadError(f"{ds.id}: the converter wrote {written}, not {ds.outputs}")
        except Exception as e:  # one dataset's failure must not stop the others
            known = isinstance(e, FetchError | LoadError | OSError)
            if not known:
                log.exception("unexpected error", extra={"dataset": ds.id})
            res.status = FAILED
            res.message = str(e) if known else f"{ds.id}: {e!r}"
            entry = prev or self._entry(ds, res)
            if res.files:  # what is on disk now; its outputs are still to be made
                entry["files"] = self._entry(ds, res)["files"]
                entry.pop("outputs", None)
            entry["last_error"] = res.message
            entry.setdefault("status", FAILED)
            entries[ds.id] = entry
            write_lock(self.dest, self.lock)
            return res
        entries[ds.id] = self._entry(ds, res)
        write_lock(self.dest, self.lock)
        return res

    def resolve(self, ds: Dataset) -> list[tuple[str, str]] | None:
        """(address recorded, address read) per file; None when a manual step is needed.

        The address read differs from the official one when a mirror serves it.
        """
        if ds.id in self.urls:
            if len(ds.sources) != 1:
                raise FetchError(
                    f"{ds.id}: --url cannot replace {len(ds.sources)} files at once; "
                    "use a mirror (DEPMAP_FETCH_BASE_URL) or place the files by hand"
                )
            u = self.urls[ds.id]
            return [(u, u)]  # the user's own address: no mirror
        if not all(s.url for s in ds.sources):
            return None
        return [(str(s.url), mirror_url(str(s.url), self.base_url)) for s in ds.sources]

    def fetch_file(
        self, ds: Dataset, src: Remote, url: str, read_url: str, prev: Mapping[str, Any]
    ) -> tuple[FileRecord, bool]:
        """Download one file (or reuse the one on disk); extract its zip member.

        ``url`` is the address recorded (the official one), ``read_url`` the one read.
        """
        rel = f"{OFFICIAL_DIR}/{ds.id}/{src.name}"
        target = self.dest / rel
        old = next((f for f in prev.get("files", []) if f.get("url") == url), None)
        if not self.force and old and self._still_valid(target, old, src):
            rec = FileRecord(**old)
            if src.extract and not self._member_valid(rec):
                self._extract(ds, src, rec)
            return rec, True
        label = f"{ds.id}: {src.name}"
        if src.arcgis is not None:
            q = LayerQuery(
                url=read_url,
                out_fields=src.arcgis.out_fields,
                page_size=src.arcgis.page_size,
                geometry=src.arcgis.geometry,
            )
            got = fetch_layer(
                self.client, q, target, policy=self.policy, progress=self.progress, label=label
            )
            rec = FileRecord(
                url, rel, got.size, got.sha256, _now(), pages=got.pages, features=got.features
            )
        else:
            file_url = self._follow_page(read_url, src)
            d = download(
                self.client,
                file_url,
                target,
                sha256=src.sha256,
                policy=self.policy,
                progress=self.progress,
                label=label,
            )
            rec = FileRecord(url, rel, d.size, d.sha256, _now())
            if file_url != read_url:
                rec.link = file_url
                log.info("followed a link", extra={"page": read_url, "file": file_url})
        if read_url != url:
            rec.mirror = read_url
        if src.sha256 and rec.sha256 != src.sha256.lower():  # layers: checked after paging
            raise FetchError(f"{url}: checksum mismatch: expected {src.sha256}, got {rec.sha256}")
        if src.extract:
            self._extract(ds, src, rec)
        return rec, False

    def _follow_page(self, url: str, src: Remote) -> str:
        """The file's address: ``url`` itself, or the matching link on the page it names."""
        if not src.link_patterns:
            return url
        path = httpx.URL(url).path
        if any(re.search(p, path, re.IGNORECASE) for p in src.link_patterns):
            return url
        r = get_page(self.client, url, self.policy)
        ctype = (r.headers.get("Content-Type") or "").lower()
        if "html" not in ctype:
            return url  # not a page after all: the file itself
        return find_link(r.text, str(r.url), list(src.link_patterns))

    def _still_valid(self, target: Path, old: Mapping[str, Any], src: Remote) -> bool:
        if not target.exists() or target.stat().st_size != old.get("size"):
            return False
        digest = sha256_file(target)
        if src.sha256 and digest != src.sha256.lower():
            return False
        return bool(digest == old.get("sha256"))

    def _member_valid(self, rec: FileRecord) -> bool:
        if not rec.member_path:
            return False
        p = self.dest / rec.member_path
        return p.exists() and sha256_file(p) == rec.member_sha256

    def _extract(self, ds: Dataset, src: Remote, rec: FileRecord) -> None:
        """Extract the one zip member matching ``src.extract`` beside the zip."""
        assert src.extract
        zpath = self.dest / rec.path
        try:
            with zipfile.ZipFile(zpath) as z:
                names = [n for n in z.namelist() if not n.endswith("/")]
                hits = [
                    n for n in names if fnmatch.fnmatch(Path(n).name.lower(), src.extract.lower())
                ]
                if len(hits) != 1:
                    shown = ", ".join(names[:10]) + (" ..." if len(names) > 10 else "")
                    raise FetchError(
                        f"{zpath.name}: expected one member matching {src.extract!r}, "
                        f"found {len(hits)} ({', '.join(hits) if hits else shown})"
                    )
                member = hits[0]
                out_rel = f"{OFFICIAL_DIR}/{ds.id}/{Path(member).name}"
                with (
                    atomic_path(self.dest / out_rel) as tmp,
                    z.open(member) as fin,
                    tmp.open("wb") as fout,
                ):
                    shutil.copyfileobj(fin, fout, 1 << 20)
        except zipfile.BadZipFile as e:
            raise FetchError(f"{zpath.name} (from {rec.url}): not a valid zip file: {e}") from e
        rec.member, rec.member_path = member, out_rel
        rec.member_sha256 = sha256_file(self.dest / out_rel)

    def _outputs_current(self, ds: Dataset, prev: Mapping[str, Any]) -> bool:
        outs = prev.get("outputs") or []
        if [o.get("path") for o in outs] != list(ds.outputs):
            return False
        for o in outs:
            p = self.dest / o["path"]
            if not p.exists() or sha256_file(p) != o.get("sha256"):
                return False
        return True

    def _entry(self, ds: Dataset, res: DatasetResult) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "title": ds.title,
            "publisher": ds.publisher,
            "licence": ds.licence,
            "landing": ds.landing,
            "status": res.status,
        }
        if res.files:
            entry["fetched_at"] = max(f.fetched_at for f in res.files)
            entry["files"] = [
                {k: v for k, v in asdict(f).items() if v is not None} for f in res.files
            ]
        if res.outputs:
            entry["outputs"] = [asdict(o) for o in res.outputs]
        if res.message:
            entry["message"] = res.message
        return entry


def select_datasets(datasets: Sequence[Dataset], only: Sequence[str] | None) -> list[Dataset]:
    """The datasets named by ``only`` (all when empty); unknown ids raise :class:`FetchError`."""
    if not only:
        return list(datasets)
    ids = {d.id for d in datasets}
    unknown = [i for i in only if i not in ids]
    if unknown:
        raise FetchError(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(ids)}")
    return [d for d in datasets if d.id in set(only)]


def fetch(
    dest: Path,
    *,
    datasets: Sequence[Dataset] | None = None,
    only: Sequence[str] | None = None,
    force: bool = False,
    urls: Mapping[str, str] | None = None,
    base_url: str | None = None,
    policy: RetryPolicy | None = None,
    timeout_s: float = 120.0,
    progress: FetchProgress | None = None,
) -> list[DatasetResult]:
    """Fetch and convert ``datasets`` (default: the manifest's) into ``dest``.

    A dataset that fails does not stop the others; its result says why.

    Parameters
    ----------
    urls
        Addresses that replace the manifest's, by dataset id (``--url``).
    base_url
        A mirror holding the official files as ``<base>/<host>/<path>``
        (``DEPMAP_FETCH_BASE_URL``); used for tests and offline copies.
    """
    chosen = select_datasets(datasets if datasets is not None else catalogue(), only)
    unknown = sorted(set(urls or {}) - {d.id for d in chosen})
    if unknown:
        raise FetchError(f"--url names dataset(s) not fetched in this run: {', '.join(unknown)}")
    dest.mkdir(parents=True, exist_ok=True)
    with make_client(timeout_s) as client:
        f = Fetcher(
            dest,
            client=client,
            policy=policy or RetryPolicy(),
            base_url=base_url,
            urls=urls,
            force=force,
            progress=progress,
        )
        return [f.run(ds) for ds in chosen]


def parse_url_overrides(items: Sequence[str]) -> dict[str, str]:
    """``['id=https://...']`` -> ``{'id': 'https://...'}``."""
    out: dict[str, str] = {}
    for item in items:
        did, sep, url = item.partition("=")
        if not sep or not did.strip() or not url.strip():
            raise FetchError(f"--url {item!r}: write it as ID=URL")
        out[did.strip()] = url.strip()
    return out


def downloads() -> list[dict[str, Any]]:
    """The download manifest (``sources.json``): official addresses of the files above."""
    text = resources.files("fetch").joinpath("sources.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return list(data["files"])
