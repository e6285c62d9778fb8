"""Reading a whole ArcGIS FeatureServer layer, page by page (ONS Open Geography Portal).

A FeatureServer returns at most its ``maxRecordCount`` features per query (1,000
or 2,000 on the ONS services), whatever ``resultRecordCount`` asks for. A layer
is read by asking first for its description (the object id field, by which pages
are ordered so that they do not overlap) and its count, then for pages at growing
``resultOffset`` (advanced by the number of features that actually came back)
while the server says ``exceededTransferLimit`` or fewer than the count have
arrived; the total is checked against the count at the end.

Layers with geometry are saved as one GeoJSON FeatureCollection (EPSG:4326);
tables as CSV of their attributes. Both are written atomically.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from fetch.download import (
    Downloaded,
    FetchError,
    FetchProgress,
    NullFetchProgress,
    Retryable,
    RetryPolicy,
    atomic_path,
    check_response,
    sha256_file,
    with_retries,
)

#: A guard against a server that never stops paging.
MAX_PAGES = 10_000


@dataclass(frozen=True)
class LayerQuery:
    """One FeatureServer layer (``.../FeatureServer/0``) and what to read of it."""

    url: str
    out_fields: tuple[str, ...] = ("*",)
    page_size: int = 2000
    geometry: bool = True
    where: str = "1=1"

    @property
    def query_url(self) -> str:
        return self.url.rstrip("/") + "/query"


@dataclass(frozen=True)
class LayerDownload(Downloaded):
    pages: int = 0
    features: int = 0


def get_json(
    client: httpx.Client, url: str, params: dict[str, str], policy: RetryPolicy
) -> dict[str, Any]:
    """GET a JSON answer of an ArcGIS REST endpoint, with retries; ArcGIS errors raise."""
    out: list[dict[str, Any]] = []

    def attempt(n: int) -> Downloaded:
        try:
            r = client.get(url, params=params)
        except httpx.TransportError as e:
            raise Retryable(f"{type(e).__name__}: {e}") from e
        except httpx.RequestError as e:
            raise FetchError(f"{url}: {type(e).__name__}: {e}") from e
        check_response(url, r, accept_html=False)
        try:
            data = r.json()
        except ValueError as e:
            raise FetchError(f"{url}: the answer is not JSON: {r.text[:200]!r}") from e
        if not isinstance(data, dict):
            raise FetchError(f"{url}: unexpected answer {str(data)[:200]!r}")
        if "error" in data:
            err = data["error"] or {}
            code = err.get("code")
            msg = f"{url}: ArcGIS error {code}: {err.get('message')} {err.get('details') or ''}"
            if isinstance(code, int) and code >= 500:
                raise Retryable(msg.strip())
            raise FetchError(msg.strip())
        out.append(data)
        return Downloaded(url, Path(), len(r.content), "")

    with_retries(url, policy, attempt)
    return out[-1]


def layer_count(client: httpx.Client, q: LayerQuery, policy: RetryPolicy) -> int:
    data = get_json(
        client, q.query_url, {"where": q.where, "returnCountOnly": "true", "f": "json"}, policy
    )
    count = data.get("count")
    if not isinstance(count, int):
        raise FetchError(f"{q.query_url}: no count in the answer ({str(data)[:200]})")
    return count


def layer_info(client: httpx.Client, q: LayerQuery, policy: RetryPolicy) -> dict[str, Any]:
    """The layer's description (``objectIdField``, ``maxRecordCount``, ``fields`` ...)."""
    return get_json(client, q.url.rstrip("/"), {"f": "json"}, policy)


def _exceeded(data: dict[str, Any]) -> bool:
    """``exceededTransferLimit`` sits at the top (Esri JSON) or in ``properties`` (GeoJSON)."""
    props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
    return bool(data.get("exceededTransferLimit") or (props or {}).get("exceededTransferLimit"))


def pages(
    client: httpx.Client,
    q: LayerQuery,
    policy: RetryPolicy,
    total: int | None = None,
    order_by: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every page of the layer, in order (of ``order_by``, the object id, for stable pages)."""
    offset = 0
    for _ in range(MAX_PAGES):
        params = {
            "where": q.where,
            "outFields": ",".join(q.out_fields),
            "returnGeometry": "true" if q.geometry else "false",
            "f": "geojson" if q.geometry else "json",
            "resultOffset": str(offset),
            "resultRecordCount": str(q.page_size),
        }
        if q.geometry:
            params["outSR"] = "4326"
        if order_by:
            params["orderByFields"] = order_by
        data = get_json(client, q.query_url, params, policy)
        feats = data.get("features")
        if not isinstance(feats, list):
            raise FetchError(f"{q.query_url}: no features in the answer at offset {offset}")
        yield data
        offset += len(feats)
        more = _exceeded(data) or (total is not None and offset < total)
        if not feats or not more:
            return
    raise FetchError(f"{q.query_url}: still paging after {MAX_PAGES} pages")


def fetch_layer(
    client: httpx.Client,
    q: LayerQuery,
    target: Path,
    *,
    policy: RetryPolicy | None = None,
    progress: FetchProgress | None = None,
    label: str | None = None,
) -> LayerDownload:
    """Read every feature of a layer into ``target`` (GeoJSON, or CSV for tables)."""
    policy = policy or RetryPolicy()
    progress = progress or NullFetchProgress()
    progress.start(label or target.name, None, "features")
    try:
        info = layer_info(client, q, policy)
        order_by = info.get("objectIdField") or None
        total = layer_count(client, q, policy)
        progress.update(0, total)
        n = n_pages = 0
        with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as f:
            if q.geometry:
                f.write('{"type": "FeatureCollection", "features": [\n')
            writer: csv.DictWriter[str] | None = None
            for data in pages(client, q, policy, total, order_by):
                n_pages += 1
                for feat in data["features"]:
                    if q.geometry:
                        f.write((",\n" if n else "") + json.dumps(feat, separators=(",", ":")))
                    else:
                        attrs = feat.get("attributes") or feat.get("properties") or {}
                        if writer is None:
                            writer = csv.DictWriter(f, fieldnames=_fields(data, attrs))
                            writer.writeheader()
                        writer.writerow(attrs)
                    n += 1
                progress.update(n, total)
            if q.geometry:
                f.write("\n]}\n")
            if n != total:
                raise FetchError(
                    f"{q.url}: paging returned {n:,} features but the layer counts {total:,} "
                    "(the layer changed while it was read? run fetch again)"
                )
    finally:
        progress.done()
    return LayerDownload(
        q.url, target, target.stat().st_size, sha256_file(target), None, n_pages, n
    )


def _fields(data: dict[str, Any], first: dict[str, Any]) -> list[str]:
    """The table's columns: as the server declares them, else as the first row has them."""
    declared = [f.get("name") for f in data.get("fields") or [] if isinstance(f, dict)]
    names = [str(x) for x in declared if x]
    return names if set(first) <= set(names) else list(first)
