"""`depmap fetch` against a local HTTP server: downloads, failures, paging, the manifest.

Nothing here touches the internet: every official address is served by
:class:`tests.official_server.OfficialServer` on 127.0.0.1, through the mirror
layout (``<base>/<host>/<path>``) that ``DEPMAP_FETCH_BASE_URL`` selects.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from depmap.core.settings import clear_caches
from fetch.arcgis import LayerQuery, fetch_layer
from fetch.datasets import LOCK_NAME, catalogue, fetch, parse_url_overrides
from fetch.download import (
    FetchError,
    RetryPolicy,
    download,
    find_link,
    make_client,
    mirror_url,
)
from sources.layout import SOURCES
from tests.official_server import OfficialServer, serve

NO_WAIT = RetryPolicy(retries=2, backoff_s=0)
FILE = "https://assets.example.gov.uk/media/abc/File_9.csv"


@pytest.fixture
def server():
    yield from serve()


@pytest.fixture
def client():
    with make_client(5.0) as c:
        yield c


def payload(n: int = 400_000) -> bytes:
    return bytes((i * 7 + i // 251) % 256 for i in range(n))


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.rglob("*") if p.is_file())


# --- one download ---------------------------------------------------------------------------


def test_download_streams_to_the_target_with_size_and_sha256(server, client, tmp_path):
    body = payload()
    server.add_file(FILE, body)
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert (got.size, got.sha256) == (len(body), sha(body))
    assert (tmp_path / "f.csv").read_bytes() == body
    assert leftovers(tmp_path) == ["f.csv"]


def test_known_checksum_is_verified(server, client, tmp_path):
    body = payload(5000)
    server.add_file(FILE, body)
    got = download(client, server.url(FILE), tmp_path / "f.csv", sha256=sha(body), policy=NO_WAIT)
    assert got.sha256 == sha(body)


def test_checksum_mismatch_is_a_clear_error_and_keeps_nothing(server, client, tmp_path):
    server.add_file(FILE, payload(5000))
    with pytest.raises(FetchError, match=r"checksum mismatch: expected sha256 0{64}") as e:
        download(client, server.url(FILE), tmp_path / "f.csv", sha256="0" * 64, policy=NO_WAIT)
    assert server.url(FILE) in str(e.value)
    assert leftovers(tmp_path) == []


def test_http_404_is_a_clear_error_and_keeps_nothing(server, client, tmp_path):
    with pytest.raises(FetchError, match=r"HTTP 404 Not Found \(the file has moved"):
        download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert len(server.hits) == 1  # a 404 is not retried
    assert leftovers(tmp_path) == []


def test_http_500_is_retried_then_reported(server, client, tmp_path):
    server.add_file(FILE, b"x", status=500)
    with pytest.raises(FetchError, match=r"HTTP 500 .*gave up after 3 attempt\(s\)"):
        download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert [h.status for h in server.hits] == [500, 500, 500]
    assert leftovers(tmp_path) == []


def test_files_are_asked_for_uncompressed_and_kept_as_published(server, client, tmp_path):
    body = b"LSOA code (2021),score\n" * 5000
    server.add_file(FILE, body, gzip=True)  # a server that compresses anyway
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert server.hits[0].headers["accept-encoding"] == "identity"
    assert (got.size, got.sha256) == (len(body), sha(body))
    assert (tmp_path / "f.csv").read_bytes() == body


def test_a_busy_server_is_retried_until_it_answers(server, client, tmp_path):
    body = payload(20_000)
    server.add_file(FILE, body, fail_times=2)
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert got.sha256 == sha(body)
    assert [h.status for h in server.hits] == [503, 503, 200]


def test_a_cut_connection_resumes_with_a_range_request(server, client, tmp_path):
    body = payload(3_000_000)
    server.add_file(FILE, body, truncate_times=1)
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert got.sha256 == sha(body) and got.size == len(body)
    first, second = server.hits
    assert "range" not in first.headers
    assert second.headers["range"].startswith("bytes=") and second.status == 206
    assert second.headers["if-range"]  # resumed only if the file is unchanged
    assert leftovers(tmp_path) == ["f.csv"]


def test_a_cut_connection_without_range_support_starts_again(server, client, tmp_path):
    body = payload(3_000_000)
    server.add_file(FILE, body, truncate_times=1, ranges=False, etag=False)
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert got.sha256 == sha(body)
    assert [h.status for h in server.hits] == [200, 200]
    assert all("range" not in h.headers for h in server.hits)


def test_an_interrupted_download_leaves_no_file(server, client, tmp_path):
    server.add_file(FILE, payload(1_000_000), truncate_times=99, ranges=False)
    with pytest.raises(FetchError, match="gave up after 3 attempt"):
        download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert leftovers(tmp_path) == []


class StopAfter:
    """A progress sink that presses Ctrl-C once some bytes have arrived."""

    def start(self, label, total=None, unit="bytes"):
        pass

    def update(self, completed, total=None):
        if completed > 100_000:
            raise KeyboardInterrupt

    def done(self):
        pass


def test_ctrl_c_half_way_leaves_no_file_and_keeps_the_old_one(server, client, tmp_path):
    (tmp_path / "f.csv").write_bytes(b"the previous good file")
    server.add_file(FILE, payload(2_000_000))
    with pytest.raises(KeyboardInterrupt):
        download(client, server.url(FILE), tmp_path / "f.csv", progress=StopAfter())
    assert leftovers(tmp_path) == ["f.csv"]
    assert (tmp_path / "f.csv").read_bytes() == b"the previous good file"


def test_a_part_file_left_by_a_killed_run_is_not_trusted(server, client, tmp_path):
    body = payload(50_000)
    (tmp_path / "f.csv.part").write_bytes(b"garbage from a run that was killed")
    server.add_file(FILE, body)
    got = download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert got.sha256 == sha(body) and leftovers(tmp_path) == ["f.csv"]


def test_an_html_page_instead_of_the_file_is_refused(server, client, tmp_path):
    server.add_file(FILE, b"<html>Sign in</html>", content_type="text/html; charset=utf-8")
    with pytest.raises(FetchError, match="sent an HTML page, not the file"):
        download(client, server.url(FILE), tmp_path / "f.csv", policy=NO_WAIT)
    assert leftovers(tmp_path) == []


def test_mirror_url_keeps_host_path_and_query():
    u = "https://www.ons.gov.uk/file?uri=/a/b/c.xlsx"
    assert (
        mirror_url(u, "http://127.0.0.1:9/m/")
        == "http://127.0.0.1:9/m/www.ons.gov.uk/file?uri=/a/b/c.xlsx"
    )
    assert mirror_url(u, None) == u


# --- ArcGIS FeatureServer paging -------------------------------------------------------------

LAYER = (
    "https://services1.arcgis.com/ORG/arcgis/rest/services/Some_Boundaries_EW_BGC/FeatureServer/0"
)


def boxes(n: int) -> list[dict]:
    return [
        {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [-1.5 + i * 0.01, 52.0],
                        [-1.49 + i * 0.01, 52.0],
                        [-1.49 + i * 0.01, 52.01],
                        [-1.5 + i * 0.01, 52.0],
                    ]
                ],
            },
            "properties": {
                "FID": i + 1,
                "CODE": f"E01{i:06d}",
                "NAME": f"Area {i}",
                "GlobalID": "x",
            },
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("flag_in_properties", [False, True])
def test_a_layer_is_read_page_by_page_into_geojson(server, client, tmp_path, flag_in_properties):
    route = server.add_layer(
        LAYER, boxes(23), geometry=True, max_records=5, flag_in_properties=flag_in_properties
    )
    q = LayerQuery(server.url(LAYER), ("CODE", "NAME"), page_size=2000, geometry=True)
    got = fetch_layer(client, q, tmp_path / "l.geojson", policy=NO_WAIT)
    assert (got.pages, got.features) == (5, 23)
    gdf = pyogrio.read_dataframe(tmp_path / "l.geojson")
    assert list(gdf["CODE"]) == [f"E01{i:06d}" for i in range(23)]
    assert set(gdf.columns) == {"CODE", "NAME", "geometry"}
    offsets = [
        h.path.split("resultOffset=")[1].split("&")[0]
        for h in server.hits
        if "resultOffset" in h.path
    ]
    assert offsets == ["0", "5", "10", "15", "20"]  # advanced by what came back, not by 2000
    assert route.order_by == ["FID"] * 5  # stable pages: ordered by the object id
    assert got.sha256 == sha((tmp_path / "l.geojson").read_bytes())


def test_a_table_is_read_page_by_page_into_csv(server, client, tmp_path):
    rows = [
        {"LSOA21CD": f"E01{i:06d}", "MSOA21CD": f"E02{i // 4:06d}", "ObjectId": i}
        for i in range(42)
    ]
    server.add_layer(LAYER, rows, geometry=False, max_records=10, id_field="ObjectId")
    got = fetch_layer(
        client, LayerQuery(server.url(LAYER), geometry=False), tmp_path / "t.csv", policy=NO_WAIT
    )
    assert (got.pages, got.features) == (5, 42)
    df = pd.read_csv(tmp_path / "t.csv", dtype=str)
    assert list(df.columns) == ["LSOA21CD", "MSOA21CD", "ObjectId"]
    assert df["LSOA21CD"].tolist() == [r["LSOA21CD"] for r in rows]


def test_a_layer_that_returns_fewer_features_than_it_counts_is_an_error(server, client, tmp_path):
    server.add_layer(LAYER, boxes(12), geometry=True, max_records=5, count_offset=3)
    q = LayerQuery(server.url(LAYER), ("*",), geometry=True)
    with pytest.raises(FetchError, match="paging returned 12 features but the layer counts 15"):
        fetch_layer(client, q, tmp_path / "l.geojson", policy=NO_WAIT)
    assert leftovers(tmp_path) == []


def test_an_arcgis_error_answer_is_reported(server, client, tmp_path):
    server.add_layer(LAYER, boxes(3), geometry=True)
    q = LayerQuery(server.url(LAYER), ("LSOA21CD",), geometry=True)
    with pytest.raises(FetchError, match=r"ArcGIS error 400.*Invalid field: LSOA21CD"):
        fetch_layer(client, q, tmp_path / "l.geojson", policy=NO_WAIT)
    assert leftovers(tmp_path) == []


# --- release pages ---------------------------------------------------------------------------


def test_find_link_takes_the_preferred_pattern():
    page = (
        '<a href="/files/gp-reg-pat-prac-lsoa-male-female-Oct-25.zip">2011 LSOAs</a>'
        "<a href='https://files.example/90/3B/gp-reg-pat-prac-lsoa-2021-male-female-Oct-25.zip'>2021</a>"
        '<a href="gp-reg-pat-prac-map.csv">map</a>'
    )
    base = "https://digital.example/pubs/october-2025"
    pats = [r"gp-reg-pat-prac-lsoa-2021[^/]*\.zip", r"gp-reg-pat-prac-lsoa[^/]*\.zip"]
    assert find_link(page, base, pats).endswith(
        "/90/3B/gp-reg-pat-prac-lsoa-2021-male-female-Oct-25.zip"
    )
    assert (
        find_link(page, base, [r"prac-map\.csv"])
        == "https://digital.example/pubs/gp-reg-pat-prac-map.csv"
    )
    with pytest.raises(FetchError, match="several links match"):
        find_link(page, base, [r"gp-reg-pat-prac-lsoa[^/]*\.zip"])
    with pytest.raises(FetchError, match="no link on the page matches"):
        find_link(page, base, [r"nothing-like-this"])


# --- the manifest ----------------------------------------------------------------------------


def test_the_manifest_names_the_files_the_loaders_read():
    datasets = catalogue()
    candidates = {c for s in SOURCES.values() for c in s.candidates}
    assert len({d.id for d in datasets}) == len(datasets)
    for d in datasets:
        for out in d.outputs:
            assert out in candidates, f"{d.id}: {out} is not a path the loaders read"
        if d.automatic:
            assert all(s.url and s.url.startswith("https://") for s in d.sources), d.id
        else:
            assert d.manual and "--url" in d.manual, d.id
    covered = {o for d in datasets for o in d.outputs}
    for key in (
        "lsoa21_boundaries",
        "lsoa21_msoa21",
        "lsoa21_sicbl_icb",
        "lsoa21_ward_ltla",
        "imd2025",
        "imd2025_subdomains",
        "imd2025_indicators",
        "census2021",
        "lsoa11_boundaries",
        "lsoa11_lsoa21",
        "mye2020",
        "imd2019",
        "imd2019_indicators",
    ):
        assert set(SOURCES[key].candidates) & covered, f"nothing fetches {key}"
    assert {d.id for d in datasets if not d.automatic} == {
        "dfle_msoa11",
        "cni2023",
        "gp_practice_map",
        "gp_registrations",
    }


def test_url_overrides_are_id_equals_address():
    assert parse_url_overrides(["cni2023=https://x/y.csv"]) == {"cni2023": "https://x/y.csv"}
    with pytest.raises(FetchError, match="write it as ID=URL"):
        parse_url_overrides(["https://x/y.csv"])


# --- whole datasets --------------------------------------------------------------------------


def run(server: OfficialServer, dest: Path, **kw):
    return fetch(dest, base_url=server.base_url, policy=NO_WAIT, timeout_s=5, **kw)


def lock(dest: Path) -> dict:
    return json.loads((dest / LOCK_NAME).read_text())["datasets"]


def test_a_dataset_with_no_public_download_is_reported_not_faked(server, tmp_path):
    (r,) = run(server, tmp_path, only=["cni2023"])
    assert r.status == "manual" and "Local Insight" in r.message and "--url cni2023=" in r.message
    assert not (tmp_path / "community").exists()
    assert lock(tmp_path)["cni2023"]["status"] == "manual"
    assert server.hits == []


def test_url_override_fetches_a_manual_dataset_as_published(server, tmp_path):
    body = b"lsoa21_code,Community Needs Index 2023 Score\nE01000001,12.5\n"
    private = "https://private.example/cni/cni2023_lsoa21.csv"
    server.add_file(private, body, content_type="text/csv")
    (r,) = run(server, tmp_path, only=["cni2023"], urls={"cni2023": server.url(private)})
    assert r.status == "fetched", r.message
    assert (tmp_path / "community" / "cni2023_lsoa21.csv").read_bytes() == body
    (f,) = lock(tmp_path)["cni2023"]["files"]
    assert (f["url"], f["size"], f["sha256"]) == (server.url(private), len(body), sha(body))
    assert "mirror" not in f  # an address given by the user is read as given
    (again,) = run(server, tmp_path, only=["cni2023"])  # later runs keep it
    assert again.status == "cached" and "fetched earlier from" in again.message


def test_a_file_placed_by_hand_is_reported_in_place(server, tmp_path):
    (tmp_path / "community").mkdir()
    (tmp_path / "community" / "cni2023_lsoa21.csv").write_text("lsoa21_code\n")
    (r,) = run(server, tmp_path, only=["cni2023"])
    assert r.status == "manual"
    assert r.message.startswith("in place (community/cni2023_lsoa21.csv); not fetched:")


def nhs_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        head = (
            "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,"
            "NUMBER_OF_PATIENTS\n"
        )
        z.writestr(
            "gp-reg-pat-prac-lsoa-all.csv",
            head + "GP_PRAC_PAT_LIST,01OCT2025,A81001,THE DENSHAM SURGERY,E01012007,ALL,57\n",
        )
        z.writestr("gp-reg-pat-prac-lsoa-male.csv", head)
        z.writestr("gp-reg-pat-prac-lsoa-female.csv", head)
    return buf.getvalue()


def test_a_release_page_is_followed_to_the_quarterly_zip(server, tmp_path):
    page = "https://digital.example/pubs/patients-registered-at-a-gp-practice/october-2025"
    zip_2021 = "https://files.example/90/3BAC6F/gp-reg-pat-prac-lsoa-2021-male-female-Oct-25.zip"
    zip_2011 = "https://files.example/11/AAAAAA/gp-reg-pat-prac-lsoa-male-female-Oct-25.zip"
    html = (
        f'<html><a href="{server.url(zip_2011)}">2011</a> '
        f'<a href="{server.url(zip_2021)}">2021</a></html>'
    )
    server.add_file(page, html.encode(), content_type="text/html; charset=utf-8")
    body = nhs_zip()
    server.add_file(zip_2021, body, content_type="application/zip")
    (r,) = run(
        server, tmp_path, only=["gp_registrations"], urls={"gp_registrations": server.url(page)}
    )
    assert r.status == "fetched", r.message
    out = tmp_path / "nhs" / "gp-reg-pat-prac-lsoa-all.csv"
    assert out.read_text().splitlines()[1].endswith("E01012007,ALL,57")
    (f,) = lock(tmp_path)["gp_registrations"]["files"]
    assert f["link"] == server.url(zip_2021) and f["sha256"] == sha(body)
    assert f["member"] == "gp-reg-pat-prac-lsoa-all.csv"
    assert r.outputs[0].rows == 1


def test_a_zip_without_the_expected_member_is_a_clear_error(server, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "nothing here")
    z_url = "https://files.example/x/gp-reg-pat-prac-lsoa-male-female-Oct-25.zip"
    server.add_file(z_url, buf.getvalue(), content_type="application/zip")
    (r,) = run(
        server, tmp_path, only=["gp_registrations"], urls={"gp_registrations": server.url(z_url)}
    )
    assert r.status == "failed"
    assert "expected one member matching '*lsoa-all*.csv', found 0 (readme.txt)" in r.message
    assert not (tmp_path / "nhs").exists()


def file7_2019(n: int = 3, drop: str | None = None) -> bytes:
    from tests.official_files import DECILE_SUFFIX, FILE7_DOMAINS, RANK_SUFFIX

    head = ["LSOA code (2011)", "LSOA name (2011)"]
    for label, score in FILE7_DOMAINS.values():
        head += [f"{label} {score}", f"{label} {RANK_SUFFIX}", f"{label} {DECILE_SUFFIX}"]
    head = [h for h in head if h != drop]
    rows = [[f"E0100000{i}", f"A {i}"] + [i + 1] * (len(head) - 2) for i in range(1, n + 1)]
    rows.append(["W01000001", "Cardiff"] + [1] * (len(head) - 2))
    return pd.DataFrame(rows, columns=head).to_csv(index=False).encode()


def imd2019_url() -> str:
    (d,) = [d for d in catalogue() if d.id == "imd2019"]
    assert d.sources[0].url
    return d.sources[0].url


def test_a_second_run_reuses_what_is_there_and_force_fetches_again(server, tmp_path):
    server.add_file(imd2019_url(), file7_2019(), content_type="text/csv")
    (r1,) = run(server, tmp_path, only=["imd2019"])
    assert r1.status == "fetched", r1.message
    out = pd.read_csv(tmp_path / "deprivation" / "imd2019_lsoa11.csv")
    assert out["lsoa11_code"].tolist() == ["E01000001", "E01000002", "E01000003"]
    assert "Housing_and_Access_rank" in out and "IMD_decile" in out
    n = len(server.hits)
    (r2,) = run(server, tmp_path, only=["imd2019"])
    assert r2.status == "cached" and len(server.hits) == n
    (tmp_path / "deprivation" / "imd2019_lsoa11.csv").unlink()
    (r3,) = run(server, tmp_path, only=["imd2019"])  # converted again, not downloaded
    assert r3.status == "fetched" and len(server.hits) == n
    assert (tmp_path / "deprivation" / "imd2019_lsoa11.csv").exists()
    (r4,) = run(server, tmp_path, only=["imd2019"], force=True)
    assert r4.status == "fetched" and len(server.hits) == n + 1
    (f,) = lock(tmp_path)["imd2019"]["files"]
    assert f["url"] == imd2019_url() and f["mirror"] == server.url(imd2019_url())


def test_a_converter_error_names_the_file_and_the_column(server, tmp_path):
    drop = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
    server.add_file(imd2019_url(), file7_2019(drop=drop), content_type="text/csv")
    (r,) = run(server, tmp_path, only=["imd2019"])
    assert r.status == "failed"
    assert (
        "File_7_-_All_IoD2019" in r.message
        and "'Index of Multiple Deprivation (IMD) Rank*'" in r.message
    )
    assert not (tmp_path / "deprivation" / "imd2019_lsoa11.csv").exists()
    assert lock(tmp_path)["imd2019"]["last_error"] == r.message


def test_a_failed_refetch_keeps_the_previous_outputs(server, tmp_path):
    server.add_file(imd2019_url(), file7_2019(), content_type="text/csv")
    (r1,) = run(server, tmp_path, only=["imd2019"])
    assert r1.status == "fetched"
    out = tmp_path / "deprivation" / "imd2019_lsoa11.csv"
    before = out.read_bytes()
    drop = "Crime Rank (where 1 is most deprived)"
    server.add_file(imd2019_url(), file7_2019(drop=drop), content_type="text/csv")
    (r2,) = run(server, tmp_path, only=["imd2019"], force=True)
    assert r2.status == "failed" and "Crime Rank*" in r2.message
    assert out.read_bytes() == before  # the loaders still find the last good table
    entry = lock(tmp_path)["imd2019"]
    assert entry["files"][0]["sha256"] == sha(file7_2019(drop=drop)) and "outputs" not in entry
    assert leftovers(tmp_path / "deprivation") == ["imd2019_lsoa11.csv"]


def test_one_failed_dataset_does_not_stop_the_others(server, tmp_path):
    server.add_file(imd2019_url(), file7_2019(), content_type="text/csv")
    results = run(server, tmp_path, only=["imd2019", "imd2025", "cni2023"])
    assert [(r.id, r.status) for r in results] == [
        ("imd2025", "failed"),
        ("imd2019", "fetched"),
        ("cni2023", "manual"),
    ]
    assert "HTTP 404" in results[0].message


def test_unknown_dataset_ids_are_refused(tmp_path):
    with pytest.raises(FetchError, match=r"unknown dataset.*nope"):
        fetch(tmp_path, only=["nope"])
    with pytest.raises(FetchError, match="--url names dataset"):
        fetch(tmp_path, only=["imd2019"], urls={"cni2023": "https://x"})


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch, server):
    monkeypatch.setenv("DEPMAP_FETCH_BASE_URL", server.base_url)
    monkeypatch.setenv("DEPMAP_FETCH_BACKOFF_S", "0")
    monkeypatch.setenv("DEPMAP_FETCH_TIMEOUT_S", "5")
    clear_caches()
    yield
    clear_caches()


def test_cli_lists_the_datasets():
    from depmap.cli import app

    r = CliRunner().invoke(app, ["fetch", "--list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "lsoa21_boundaries" in r.output and "manual step" in r.output


def test_cli_fetches_from_the_mirror_and_reports_manual_steps(server, tmp_path, cli_env):
    from depmap.cli import app

    server.add_file(imd2019_url(), file7_2019(), content_type="text/csv")
    dest = tmp_path / "data"
    r = CliRunner().invoke(
        app,
        ["fetch", "--dest", str(dest), "--only", "imd2019,cni2023", "--no-progress"],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 0, r.output
    assert "fetched" in r.output and "manual step cni2023" in r.output
    assert (dest / "deprivation" / "imd2019_lsoa11.csv").exists()
    assert lock(dest)["imd2019"]["files"][0]["sha256"] == sha(file7_2019())


def test_cli_exits_non_zero_when_a_dataset_fails(server, tmp_path, cli_env):
    from depmap.cli import app

    r = CliRunner().invoke(
        app,
        ["fetch", "--dest", str(tmp_path), "--only", "imd2019", "--no-progress"],
        env={"COLUMNS": "200"},
    )
    assert r.exit_code == 1
    assert "HTTP 404" in r.output
