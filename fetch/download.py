"""Downloading one file safely: streamed, retried, checked, and renamed only when whole.

A download is written to ``<target>.part`` beside its target while its SHA-256 is
computed, and renamed onto the target only once it is complete (the size the
server announced) and, when one is expected, its checksum matches. A failure of
any kind (an HTTP error, a checksum mismatch, a dropped connection after every
retry, Ctrl-C) removes the ``.part`` file: a target path never holds a partial
or corrupt file. Retries resume with an HTTP range request where the server
allows it (``If-Range`` guards against the file changing in between).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import httpx

log = logging.getLogger("depmap.fetch")

USER_AGENT = "depmap-fetch/0.1 (open data loader; python-httpx)"
CHUNK = 1 << 16
#: Largest HTML page read when looking for a link in it.
MAX_PAGE_BYTES = 5_000_000


class FetchError(RuntimeError):
    """A file could not be fetched; the message names the address and the problem."""


class Retryable(Exception):
    """A failure worth another try (network error, 5xx, truncated body)."""

    retry_after: str | None = None


class FetchProgress(Protocol):
    """Progress of one file: bytes (``unit='bytes'``) or features/rows."""

    def start(self, label: str, total: float | None = None, unit: str = "bytes") -> None: ...
    def update(self, completed: float, total: float | None = None) -> None: ...
    def done(self) -> None: ...


class NullFetchProgress:
    def start(self, label: str, total: float | None = None, unit: str = "bytes") -> None:
        log.debug("fetch", extra={"file": label})

    def update(self, completed: float, total: float | None = None) -> None:
        pass

    def done(self) -> None:
        pass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry (``backoff_s`` doubles each time)."""

    retries: int = 3
    backoff_s: float = 2.0
    max_wait_s: float = 60.0

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_wait_s)
        return min(self.backoff_s * (2**attempt), self.max_wait_s)


@dataclass(frozen=True)
class Downloaded:
    """A file on disk and what the server said about it."""

    url: str
    path: Path
    size: int
    sha256: str
    content_type: str | None = None


def make_client(timeout_s: float) -> httpx.Client:
    """An HTTP client for official hosts: redirects followed, one timeout per read."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 30.0)),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


@contextmanager
def atomic_path(target: Path, *, keep_suffix: bool = False) -> Iterator[Path]:
    """A temporary path to write ``target`` through: renamed onto it on success,
    removed on any failure (so ``target`` is never left half-written).

    ``keep_suffix`` names it ``<stem>.part<suffix>`` for writers that go by the
    extension (GDAL's GeoPackage driver).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = (
        target.with_name(f"{target.stem}.part{target.suffix}") if keep_suffix else part_path(target)
    )
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _status_error(url: str, r: httpx.Response) -> FetchError:
    hint = ""
    if r.status_code == 404:
        hint = " (the file has moved or been withdrawn: check the landing page; --url overrides)"
    elif r.status_code in (401, 403):
        hint = " (the server refuses access; the file may need a login or licence)"
    return FetchError(f"{url}: HTTP {r.status_code} {r.reason_phrase}{hint}")


def _is_retryable_status(code: int) -> bool:
    return code >= 500 or code in (408, 425, 429)


def with_retries(
    url: str, policy: RetryPolicy, attempt_fn: Callable[[int], Downloaded]
) -> Downloaded:
    """Run ``attempt_fn(attempt)`` until it succeeds, retrying :class:`Retryable` failures."""
    attempt = 0
    while True:
        try:
            return attempt_fn(attempt)
        except Retryable as e:
            if attempt >= policy.retries:
                raise FetchError(
                    f"{url}: {e} (gave up after {attempt + 1} attempt(s))"
                ) from e.__cause__
            delay = policy.wait(attempt, e.retry_after)
            log.warning(
                "download failed, retrying",
                extra={"url": url, "error": str(e), "attempt": attempt + 1, "wait_s": delay},
            )
            time.sleep(delay)
            attempt += 1


@dataclass
class _Transfer:
    """What survives between attempts of one download: bytes written and their hash."""

    written: int = 0
    validator: str | None = None  # ETag or Last-Modified, for If-Range
    digest: hashlib._Hash = field(default_factory=hashlib.sha256)

    def restart(self) -> None:
        self.written = 0
        self.digest = hashlib.sha256()


def download(
    client: httpx.Client,
    url: str,
    target: Path,
    *,
    sha256: str | None = None,
    policy: RetryPolicy | None = None,
    progress: FetchProgress | None = None,
    label: str | None = None,
    accept_html: bool = False,
) -> Downloaded:
    """Stream ``url`` to ``target`` (atomically) and return its size and SHA-256.

    Parameters
    ----------
    sha256
        Expected checksum (hex); a mismatch raises :class:`FetchError` and leaves
        no file behind.
    accept_html
        An HTML page where a data file was expected is an error (a login or error
        page) unless this is true.
    """
    policy = policy or RetryPolicy()
    progress = progress or NullFetchProgress()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_path(target)
    tmp.unlink(missing_ok=True)  # a leftover from a killed run: start afresh
    t = _Transfer()
    progress.start(label or target.name, None, "bytes")

    def attempt(n: int) -> Downloaded:
        # the bytes as published: no transfer compression, so sizes and checksums are the file's
        headers = {"Accept-Encoding": "identity"}
        if t.written and t.validator:
            headers |= {"Range": f"bytes={t.written}-", "If-Range": t.validator}
        else:
            t.restart()
        try:
            with client.stream("GET", url, headers=headers) as r:
                ctype = check_response(url, r, accept_html)
                if not (r.status_code == 206 and t.written):
                    t.restart()  # the whole file: the server ignored or refused the range
                elif _range_start(r) != t.written:
                    t.restart()
                    raise Retryable(f"the server resumed at the wrong offset ({_range_start(r)})")
                encoded = r.headers.get("Content-Encoding", "identity").lower() != "identity"
                length = r.headers.get("Content-Length")
                expected = (
                    t.written + int(length) if length and length.isdigit() and not encoded else None
                )
                # resume only byte-exact transfers of an identifiable version of the file
                t.validator = (
                    None if encoded else (r.headers.get("ETag") or r.headers.get("Last-Modified"))
                )
                progress.update(t.written, expected)
                with tmp.open("ab" if t.written else "wb") as f:
                    for chunk in r.iter_bytes(CHUNK):
                        f.write(chunk)
                        t.digest.update(chunk)
                        t.written += len(chunk)
                        progress.update(t.written, expected)
                if expected is not None and t.written != expected:
                    raise Retryable(f"connection closed after {t.written:,} of {expected:,} bytes")
        except httpx.TransportError as e:  # timeouts, refused, reset, truncated bodies
            raise Retryable(f"{type(e).__name__}: {e}") from e
        except httpx.RequestError as e:  # too many redirects, undecodable body
            raise FetchError(f"{url}: {type(e).__name__}: {e}") from e
        digest = t.digest.hexdigest()
        if sha256 and digest.lower() != sha256.lower():
            raise FetchError(
                f"{url}: checksum mismatch: expected sha256 {sha256}, got {digest} "
                f"({t.written:,} bytes); the file was not kept"
            )
        os.replace(tmp, target)
        return Downloaded(url, target, t.written, digest, ctype)

    try:
        return with_retries(url, policy, attempt)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        progress.done()


def _range_start(r: httpx.Response) -> int | None:
    """The first byte of a 206 answer (``Content-Range: bytes 100-199/200``)."""
    m = re.match(r"bytes (\d+)-", r.headers.get("Content-Range", ""))
    return int(m.group(1)) if m else None


def check_response(url: str, r: httpx.Response, accept_html: bool) -> str | None:
    """Raise for error statuses (retryable or not) and unexpected HTML; the content type."""
    if _is_retryable_status(r.status_code):
        err = Retryable(f"HTTP {r.status_code} {r.reason_phrase}")
        err.retry_after = r.headers.get("Retry-After")
        raise err
    if r.status_code >= 400:
        raise _status_error(url, r)
    ctype = r.headers.get("Content-Type")
    if not accept_html and ctype and ctype.lower().startswith("text/html"):
        raise FetchError(
            f"{url}: the server sent an HTML page, not the file "
            "(an error or sign-in page, or the address of a landing page)"
        )
    return ctype


_HREF = re.compile(r"""href\s*=\s*["']([^"'<>]+)["']""", re.IGNORECASE)


def find_link(html: str, base_url: str, patterns: list[str]) -> str:
    """The one link of ``html`` that matches the first pattern with any match.

    Raises :class:`FetchError` when no pattern matches or a pattern matches
    several different links.
    """
    links = [urljoin(base_url, h.replace("&amp;", "&")) for h in _HREF.findall(html)]
    for pat in patterns:
        rx = re.compile(pat, re.IGNORECASE)
        hits = list(dict.fromkeys(u for u in links if rx.search(urlsplit(u).path)))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise FetchError(
                f"{base_url}: several links match {pat!r} ({', '.join(hits[:4])}); "
                "pass the file's own address with --url"
            )
    raise FetchError(
        f"{base_url}: no link on the page matches {' or '.join(map(repr, patterns))}; "
        "pass the file's own address with --url"
    )


def get_page(client: httpx.Client, url: str, policy: RetryPolicy) -> httpx.Response:
    """Fetch a (small) page, with retries; an HTML page is what is expected here."""
    out: list[httpx.Response] = []

    def attempt(n: int) -> Downloaded:
        try:
            r = client.get(url)
        except httpx.TransportError as e:
            raise Retryable(f"{type(e).__name__}: {e}") from e
        except httpx.RequestError as e:
            raise FetchError(f"{url}: {type(e).__name__}: {e}") from e
        check_response(url, r, accept_html=True)
        if len(r.content) > MAX_PAGE_BYTES:
            raise FetchError(f"{url}: the page is larger than {MAX_PAGE_BYTES:,} bytes")
        out.append(r)
        return Downloaded(url, Path(), len(r.content), "")

    with_retries(url, policy, attempt)
    return out[-1]


def mirror_url(url: str, base: str | None) -> str:
    """``https://host/path?q`` read from a mirror as ``<base>/host/path?q`` (or as is)."""
    if not base:
        return url
    parts = urlsplit(url)
    tail = parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
    return base.rstrip("/") + "/" + tail
