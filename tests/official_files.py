"""The synthetic 'England' of :mod:`tests.synth`, written in the OFFICIAL formats.

Each dataset of ``fetch/sources.json`` that fetch reads automatically gets a
small file in the publisher's own layout, served at its official address by
:class:`tests.official_server.OfficialServer`: FeatureServer layers for the ONS
boundaries and lookups (England and Wales, so that fetch must drop the Welsh
rows), the IoD File 7 CSVs with the published headers (the 2025 one cut short
as published), File 8 workbooks with a notes sheet and one sheet per domain,
Nomis zips of TS001/TS038, and the mid-2020 SAPE workbook with its header on
row 5. Values come from the synthetic frames, so that what is loaded after a
fetch can be checked against them.

2011 LSOAs: the first two 2021 LSOAs are the two halves of one 2011 LSOA
(``E01800001``, change ``S``); every other LSOA is unchanged with the same code.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import shapely

from fetch.datasets import Dataset, catalogue
from tests.official_server import OfficialServer
from tests.synth import Synth

N11 = 32_844
SPLIT11 = "E01800001"
RANK_SUFFIX = "Rank (where 1 is most deprived)"
DECILE_SUFFIX = "Decile (where 1 is most deprived 10% of LSOAs)"

#: synth stem -> (File 7 label, score suffix)
FILE7_DOMAINS = {
    "IMD": ("Index of Multiple Deprivation (IMD)", "Score"),
    "Income": ("Income", "Score (rate)"),
    "Employment": ("Employment", "Score (rate)"),
    "Education": ("Education, Skills and Training", "Score"),
    "Health": ("Health Deprivation and Disability", "Score"),
    "Crime": ("Crime", "Score"),
    "Housing_and_Services": ("Barriers to Housing and Services", "Score"),
    "Environment": ("Living Environment", "Score"),
}
SUPPLEMENTARY = {
    "IDACI": "Income Deprivation Affecting Children Index (IDACI)",
    "IDAOPI": "Income Deprivation Affecting Older People (IDAOPI)",
}
SUBDOMAINS = {
    "children_and_young_people": "Children and Young People Sub-domain",
    "adult_skills": "Adult Skills Sub-domain",
    "geographical_barriers": "Geographical Barriers Sub-domain",
    "wider_barriers": "Wider Barriers Sub-domain",
    "indoors": "Indoors Sub-domain",
    "outdoors": "Outdoors Sub-domain",
}
WELSH = [
    ("W01000001", "Cardiff 001A"),
    ("W01000002", "Cardiff 001B"),
    ("W01001999", "Wrexham 012C"),
]


@dataclass
class Official:
    """What was served, for the tests' expectations."""

    datasets: dict[str, Dataset]
    bodies: dict[str, bytes]  # official URL -> bytes served (files, not layers)
    lsoa11: pd.DataFrame  # code, name, msoa, lsoa21 codes (list), geometry
    imd2019: pd.DataFrame
    sape: pd.DataFrame
    indicators: pd.DataFrame  # the synth's 2025 indicators, as in the layout file


def _welsh_boxes(n: int) -> list[shapely.Polygon]:
    # south Wales, in British National Grid
    return [shapely.box(318_000 + i * 500, 176_000, 318_500 + i * 500, 176_500) for i in range(n)]


def _features(gdf: gpd.GeoDataFrame, props: pd.DataFrame) -> list[dict[str, Any]]:
    geo = gdf.to_crs(4326).geometry
    return [
        {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": p}
        for g, p in zip(geo, props.to_dict("records"), strict=True)
    ]


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _num(v: Any) -> Any:
    if isinstance(v, float) and np.isnan(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _ranks(scores: np.ndarray, n_total: int, rng: np.random.Generator) -> np.ndarray:
    picks = np.sort(rng.choice(np.arange(1, n_total + 1), size=len(scores), replace=False))
    ranks = np.empty(len(scores), dtype=int)
    ranks[np.argsort(-scores, kind="mergesort")] = picks
    return ranks


def lsoa11_frame(synth: Synth) -> gpd.GeoDataFrame:
    """2011 LSOAs: cells 1 and 2 merged into one (split in 2021), the others as in 2021."""
    lk = synth.lsoa
    first_two = lk.iloc[:2]
    rows = [
        {
            "code": SPLIT11,
            "name": "Synth 001X",
            "msoa": first_two["msoa"].iloc[0],
            "lsoa21": list(first_two["code"]),
            "geometry": shapely.union_all(first_two.geometry.values),
        }
    ]
    for r in lk.iloc[2:].itertuples():
        rows.append(
            {
                "code": r.code,
                "name": r.name,
                "msoa": r.msoa,
                "lsoa21": [r.code],
                "geometry": r.geometry,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=27700)


def file7_2025(synth: Synth, rng: np.random.Generator) -> bytes:
    sub = pd.read_csv(synth.root / "deprivation" / "imd2025_lsoa21_subdomains.csv")
    imd = synth.imd.set_index("lsoa21_code")
    sub = sub.set_index("lsoa21_code")
    header = [
        "LSOA code (2021)",
        "LSOA name (2021)",
        "Local Authority District code (2024)",
        "Local Authority District name (2024)",
    ]
    for label, score in FILE7_DOMAINS.values():
        header += [f"{label} {score}", f"{label} {RANK_SUFFIX}", f"{label} {DECILE_SUFFIX}"]
    for label in SUPPLEMENTARY.values():
        header += [f"{label} Score (rate)", f"{label} {RANK_SUFFIX}", f"{label} {DECILE_SUFFIX}"]
    for s, label in SUBDOMAINS.items():
        dec = f"{label} {DECILE_SUFFIX}"
        if s == "children_and_young_people":
            dec = dec[: len(dec) - len("As)")]  # cut short, as published: "... of LSO"
        header += [f"{label} Score", f"{label} {RANK_SUFFIX}", dec]
    header += [
        "Total population: mid 2022",
        "Dependent Children aged 0-15: mid 2022",
        "Older population aged 60 and over: mid 2022",
        "Working age population 18-66 (for use with Employment Deprivation Domain): mid 2022",
    ]
    # a published header with stray whitespace: matched after collapsing it
    header[header.index("Crime Score")] = "Crime  Score"
    rows = []
    for r in synth.lsoa.itertuples():
        row: list[Any] = [r.code, r.name, r.ltla, "Synthshire" if r.ltla < "E07" else "Synthboro"]
        for stem in FILE7_DOMAINS:
            row += [_num(imd.loc[r.code, f"{stem}_{m}"]) for m in ("score", "rank", "decile")]
        for _ in SUPPLEMENTARY:
            rank = int(rng.integers(1, 33_756))
            row += [round(float(rng.uniform(0, 0.5)), 3), rank, int(np.ceil(rank * 10 / 33_755))]
        for s in SUBDOMAINS:
            row += [_num(sub.loc[r.code, f"{s}_{m}"]) for m in ("score", "rank", "decile")]
        row += [1500, 300, 400, 900]
        rows.append(row)
    return _csv(header, rows)


def file7_2019(lsoa11: pd.DataFrame, rng: np.random.Generator) -> tuple[bytes, pd.DataFrame]:
    header = [
        "LSOA code (2011)",
        "LSOA name (2011)",
        "Local Authority District code (2019)",
        "Local Authority District name (2019)",
    ]
    labels = list(FILE7_DOMAINS.values()) + [(v, "Score (rate)") for v in SUPPLEMENTARY.values()]
    for label, score in labels:
        header += [f"{label} {score}", f"{label} {RANK_SUFFIX}", f"{label} {DECILE_SUFFIX}"]
    for label in SUBDOMAINS.values():
        header += [f"{label} Score", f"{label} {RANK_SUFFIX}", f"{label} {DECILE_SUFFIX}"]
    header += [
        "Total population: mid 2015 (excluding prisoners)",
        "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
        "Population aged 16-59: mid 2015 (excluding prisoners)",
        "Older population aged 60 and over: mid 2015 (excluding prisoners)",
        "Working age population 18-59/64: for use with Employment Deprivation Domain "
        "(excluding prisoners)",
    ]
    n = len(lsoa11)
    truth = pd.DataFrame({"lsoa11_code": lsoa11["code"].to_numpy()})
    cols: list[np.ndarray] = []
    for k in range(len(labels) + len(SUBDOMAINS)):
        score = rng.normal(20, 8, n)
        rank = _ranks(score, N11, rng)
        dec = np.ceil(rank * 10 / N11).astype(int)
        cols += [np.round(score, 3), rank, dec]
        if k < len(FILE7_DOMAINS):
            stem = list(FILE7_DOMAINS)[k]
            stem = "Housing_and_Access" if stem == "Housing_and_Services" else stem
            truth[f"{stem}_rank"] = rank
            truth[f"{stem}_decile"] = dec
    rows = []
    for i, r in enumerate(lsoa11.itertuples()):
        rows.append(
            [r.code, r.name, "E06000901", "Synthshire"]
            + [_num(float(c[i])) for c in cols]
            + [1500, 300, 900, 300, 850]
        )
    return _csv(header, rows), truth


def _xlsx(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _domain_sheet(
    wb: openpyxl.Workbook, title: str, codes: list[str], vintage: str, cols: dict[str, list[Any]]
) -> None:
    ws = wb.create_sheet(title)
    year_lsoa, year_lad = ("2021", "2024") if vintage == "2025" else ("2011", "2019")
    ws.append(
        [
            f"LSOA code ({year_lsoa})",
            f"LSOA name ({year_lsoa})",
            f"Local Authority District code ({year_lad})",
            f"Local Authority District name ({year_lad})",
            *cols,
        ]
    )
    for i, code in enumerate(codes):
        vals = [None if pd.isna(v[i]) else float(v[i]) for v in cols.values()]
        ws.append([code, f"Synth {i}", "E06000901", "Synthshire", *vals])


def file8(codes: list[str], vintage: str, sheets: dict[str, dict[str, list[Any]]]) -> bytes:
    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["English Indices of Deprivation: underlying indicators"])
    notes.append(["See the technical report for definitions."])
    for title, cols in sheets.items():
        _domain_sheet(wb, title, codes, vintage, cols)
    return _xlsx(wb)


def sape_xlsx(lsoa11: pd.DataFrame, rng: np.random.Generator) -> tuple[bytes, pd.DataFrame]:
    wb = openpyxl.Workbook()
    contents = wb.active
    assert contents is not None
    contents.title = "Contents"
    contents.append(["Lower layer Super Output Area population estimates, mid-2020"])
    ages: list[int | str] = [*range(90), "90+"]
    header = [
        "LSOA Code",
        "LSOA Name",
        "LA Code (2018 boundaries)",
        "LA name (2018 boundaries)",
        "LA Code (2021 boundaries)",
        "LA name (2021 boundaries)",
        "All Ages",
        *ages,
    ]
    rows = []
    table = []
    all_rows = [(r.code, r.name) for r in lsoa11.itertuples()] + WELSH
    for code, name in all_rows:
        counts = rng.integers(0, 40, len(ages)).tolist()
        rows.append(
            [code, name, "E06000901", "Synthshire", "E06000901", "Synthshire", sum(counts), *counts]
        )
        table.append({"lsoa11_code": code, "total_population": float(sum(counts))})
    for title in ("Mid-2020 Persons", "Mid-2020 Males"):
        ws = wb.create_sheet(title)
        ws.append([f"{title}: population estimates by single year of age"])
        ws.append(["Source: Office for National Statistics"])
        ws.append([])
        ws.append(["All populations are rounded"])
        ws.append(header)
        for row in rows:
            ws.append(row if title.endswith("Persons") else [*row[:6], 0, *([0] * len(ages))])
    truth = pd.DataFrame(table)
    return _xlsx(wb), truth[truth["lsoa11_code"].str.startswith("E")].reset_index(drop=True)


def census_zip(table: str, lsoa: pd.DataFrame) -> bytes:
    """A Nomis bulk zip: one CSV per geography level and a metadata folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        if table == "ts001":
            header = [
                "date",
                "geography",
                "geography code",
                "Residence type: Total; measures: Value",
                "Residence type: Lives in a household; measures: Value",
                "Residence type: Lives in a communal establishment; measures: Value",
            ]
            rows = [
                [2021, r.name, r.code, int(r.total), int(r.total) - 5, 5] for r in lsoa.itertuples()
            ]
        else:
            header = [
                "date",
                "geography",
                "geography code",
                "Disability: Total: All usual residents",
                "Disability: Disabled under the Equality Act",
                "Disability: Disabled under the Equality Act: Day-to-day activities limited a lot",
                "Disability: Disabled under the Equality Act: Day-to-day activities limited a "
                "little",
                "Disability: Not disabled under the Equality Act",
                "Disability: Not disabled under the Equality Act: Has long term physical or "
                "mental health condition but day-to-day activities are not limited",
                "Disability: Not disabled under the Equality Act: No long term physical or "
                "mental health conditions",
            ]
            rows = []
            for r in lsoa.itertuples():
                d, nd = int(r.disabled), int(r.total) - int(r.disabled)
                rows.append(
                    [2021, r.name, r.code, int(r.total), d, d // 2, d - d // 2, nd, 7, nd - 7]
                )
        z.writestr(f"census2021-{table}-lsoa.csv", _csv(header, rows))
        z.writestr(f"census2021-{table}-msoa.csv", _csv(header, rows[:1]))
        z.writestr(f"census2021-{table}-ctry.csv", _csv(header, rows[:1]))
        z.writestr(f"metadata/{table}-2021-1.txt", "Census 2021 bulk table\n")
    return buf.getvalue()


def serve_official(server: OfficialServer, synth: Synth, seed: int = 11) -> Official:
    """Put every automatically fetched dataset of the manifest on ``server``."""
    rng = np.random.default_rng(seed)
    ds = {d.id: d for d in catalogue()}
    lk = synth.lsoa
    bodies: dict[str, bytes] = {}

    def url(did: str, i: int = 0) -> str:
        u = ds[did].sources[i].url
        assert u
        return u

    def add(did: str, body: bytes, i: int = 0, **kw: Any) -> None:
        bodies[url(did, i)] = body
        server.add_file(url(did, i), body, **kw)

    # boundaries (England and Wales, EPSG:4326 GeoJSON pages)
    welsh = gpd.GeoDataFrame(
        {"code": [c for c, _ in WELSH], "name": [n for _, n in WELSH]},
        geometry=_welsh_boxes(len(WELSH)),
        crs=27700,
    )
    ew21 = pd.concat([lk[["code", "name", "geometry"]], welsh], ignore_index=True)
    ew21 = gpd.GeoDataFrame(ew21, geometry="geometry", crs=27700)
    props21 = pd.DataFrame(
        {
            "FID": range(1, len(ew21) + 1),
            "LSOA21CD": ew21["code"],
            "LSOA21NM": ew21["name"],
            "LSOA21NMW": ["" if c.startswith("E") else "Caerdydd" for c in ew21["code"]],
            "BNG_E": ew21.geometry.centroid.x.round().astype(int),
            "BNG_N": ew21.geometry.centroid.y.round().astype(int),
            "GlobalID": [f"{{{i:08d}-0000-0000-0000-000000000000}}" for i in range(len(ew21))],
        }
    )
    server.add_layer(
        url("lsoa21_boundaries"), _features(ew21, props21), geometry=True, max_records=7
    )
    l11 = lsoa11_frame(synth)
    ew11 = gpd.GeoDataFrame(
        pd.concat([l11[["code", "name", "geometry"]], welsh], ignore_index=True),
        geometry="geometry",
        crs=27700,
    )
    props11 = pd.DataFrame(
        {"FID": range(1, len(ew11) + 1), "LSOA11CD": ew11["code"], "LSOA11NM": ew11["name"]}
    )
    server.add_layer(
        url("lsoa11_boundaries"),
        _features(ew11, props11),
        geometry=True,
        max_records=9,
        flag_in_properties=True,
    )

    # ONS lookups (tables): one row per OA where the official table has them
    oa_rows = []
    for r in lk.itertuples():
        for k in range(3):
            oa_rows.append(
                {
                    "OA21CD": f"E00{r.code[3:]}{k}"[:9],
                    "LSOA21CD": r.code,
                    "LSOA21NM": r.name,
                    "LSOA21NMW": "",
                    "MSOA21CD": r.msoa,
                    "MSOA21NM": f"Synth MSOA {r.msoa[-3:]}",
                    "MSOA21NMW": "",
                    "LAD22CD": r.ltla,
                    "LAD22NM": "Synth",
                    "LAD22NMW": "",
                    "ObjectId": len(oa_rows) + 1,
                }
            )
    for code, name in WELSH:
        oa_rows.append(
            {
                "OA21CD": "W00000001",
                "LSOA21CD": code,
                "LSOA21NM": name,
                "LSOA21NMW": name,
                "MSOA21CD": "W02000001",
                "MSOA21NM": "Cardiff 001",
                "MSOA21NMW": "Caerdydd 001",
                "LAD22CD": "W06000015",
                "LAD22NM": "Cardiff",
                "LAD22NMW": "Caerdydd",
                "ObjectId": len(oa_rows) + 1,
            }
        )
    server.add_layer(
        url("lsoa21_msoa21"), oa_rows, geometry=False, id_field="ObjectId", max_records=50
    )
    sicbl_rows = [
        {
            "LSOA21CD": r.code,
            "LSOA21NM": r.name,
            "SICBL24CD": r.sicbl,
            "SICBL24CDH": "S" + r.sicbl[-2:],
            "SICBL24NM": "Synth sub-ICB " + r.sicbl[-1],
            "ICB24CD": r.icb,
            "ICB24CDH": "Q" + r.icb[-2:],
            "ICB24NM": "NHS Synth ICB " + r.icb[-1],
            "CAL24CD": "E56000001",
            "CAL24NM": "Synth Cancer Alliance",
            "LAD24CD": r.ltla,
            "LAD24NM": "Synth",
            "ObjectId": i + 1,
        }
        for i, r in enumerate(lk.itertuples())
    ]
    server.add_layer(
        url("lsoa21_sicbl_icb"), sicbl_rows, geometry=False, id_field="ObjectId", max_records=40
    )
    ward_rows = [
        {
            "LSOA21CD": r.code,
            "LSOA21NM": r.name,
            "LSOA21NMW": "",
            "WD24CD": r.ward,
            "WD24NM": "Synth ward " + r.ward[-3:],
            "WD24NMW": "",
            "LAD24CD": r.ltla,
            "LAD24NM": "Synthshire" if r.ltla == "E06000901" else "Synthborough",
            "LAD24NMW": "",
            "ObjectId": i + 1,
        }
        for i, r in enumerate(lk.itertuples())
    ] + [
        {
            "LSOA21CD": c,
            "LSOA21NM": n,
            "LSOA21NMW": n,
            "WD24CD": "W05001000",
            "WD24NM": "Cathays",
            "WD24NMW": "Cathays",
            "LAD24CD": "W06000015",
            "LAD24NM": "Cardiff",
            "LAD24NMW": "Caerdydd",
            "ObjectId": 1000 + k,
        }
        for k, (c, n) in enumerate(WELSH)
    ]
    server.add_layer(
        url("lsoa21_ward_ltla"), ward_rows, geometry=False, id_field="ObjectId", max_records=40
    )
    chg_rows = []
    for r in l11.itertuples():
        for c21 in r.lsoa21:
            chg_rows.append(
                {
                    "LSOA11CD": r.code,
                    "LSOA11NM": r.name,
                    "CHGIND": "S" if r.code == SPLIT11 else "U",
                    "LSOA21CD": c21,
                    "LSOA21NM": c21,
                    "LAD22CD": "E06000901",
                    "LAD22NM": "Synthshire",
                    "LAD22NMW": "",
                    "ObjectId": len(chg_rows) + 1,
                }
            )
    chg_rows.append(
        {
            "LSOA11CD": "W01000001",
            "LSOA11NM": "Cardiff 001A",
            "CHGIND": "U",
            "LSOA21CD": "W01000001",
            "LSOA21NM": "Cardiff 001A",
            "LAD22CD": "W06000015",
            "LAD22NM": "Cardiff",
            "LAD22NMW": "Caerdydd",
            "ObjectId": len(chg_rows) + 1,
        }
    )
    server.add_layer(
        url("lsoa11_lsoa21"), chg_rows, geometry=False, id_field="ObjectId", max_records=40
    )
    oa11 = [
        {
            "OA11CD": f"E00{k:06d}",
            "LSOA11CD": r.code,
            "LSOA11NM": r.name,
            "MSOA11CD": r.msoa,
            "MSOA11NM": f"Synth {r.msoa[-3:]}",
            "LAD11CD": "E06000901",
            "LAD11NM": "Synthshire",
            "ObjectId": k + 1,
        }
        for k, r in enumerate(r for r in l11.itertuples() for _ in range(2))
    ]
    server.add_layer(
        url("lsoa11_msoa11"), oa11, geometry=False, id_field="ObjectId", max_records=60
    )

    # MHCLG: IoD 2025 and 2019, Files 7 and 8
    add("imd2025", file7_2025(synth, rng), content_type="text/csv")
    ind = pd.read_csv(synth.root / "deprivation" / "imd2025_lsoa21_indicators.csv")
    codes21 = ind["lsoa21_code"].tolist()
    add(
        "imd2025_indicators",
        file8(
            codes21,
            "2025",
            {
                "IoD25 Income Domain": {
                    "Income Domain numerator": ind["income_domain_numerator"].tolist()
                },
                "IoD25 Employment Domain": {
                    "Employment Domain numerator": ind["employment_domain_numerator"].tolist()
                },
                "IoD25 Health Domain": {
                    "Years of potential life lost indicator": ind[
                        "years_of_potential_life_lost_indicator"
                    ].tolist(),
                    "Comparative illness and disability ratio indicator": ind[
                        "comparative_illness_and_disability_ratio_indicator"
                    ].tolist(),
                    "Acute morbidity indicator": ind["acute_morbidity_indicator"].tolist(),
                    "Mental health indicator": ind["mental_health_indicator"].tolist(),
                },
                "IoD25 Barriers Domain": {
                    "Core homelessness rate (% of households)": np.round(
                        rng.uniform(0, 5, len(codes21)), 3
                    ).tolist()
                },
            },
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    f7_19, imd2019 = file7_2019(l11, rng)
    add("imd2019", f7_19, content_type="text/csv")
    codes11 = l11["code"].tolist()
    add(
        "imd2019_indicators",
        file8(
            codes11,
            "2019",
            {
                "IoD2019 Income Domain": {
                    "Income Domain numerator": rng.integers(10, 300, len(codes11)).tolist()
                },
                "IoD2019 Health Domain": {
                    "Years of potential life lost indicator": np.round(
                        rng.uniform(20, 90, len(codes11)), 3
                    ).tolist()
                },
            },
        ),
    )

    # ONS population: Nomis census zips (E and W) and the SAPE workbook
    cen = synth.census.merge(lk[["code", "name"]], left_on="lsoa21_code", right_on="code")
    cen = cen.rename(columns={"total_residents": "total"})[["code", "name", "total", "disabled"]]
    cen_ew = pd.concat(
        [
            cen,
            pd.DataFrame(
                {
                    "code": [c for c, _ in WELSH],
                    "name": [n for _, n in WELSH],
                    "total": 1600.0,
                    "disabled": 300.0,
                }
            ),
        ],
        ignore_index=True,
    )
    add("census2021", census_zip("ts001", cen_ew), 0, content_type="application/zip")
    add("census2021", census_zip("ts038", cen_ew), 1, content_type="application/zip")
    sape, sape_truth = sape_xlsx(l11, rng)
    add("mye2020", sape)

    # ONS HLE reference table: kept as published (bytes are enough here)
    add("hle_msoa11", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.integers(0, 256, 4000)))
    return Official(
        datasets=ds,
        bodies=bodies,
        lsoa11=l11,
        imd2019=imd2019,
        sape=sape_truth,
        indicators=ind,
    )


def read_layout_csv(root: Path, rel: str) -> pd.DataFrame:
    return pd.read_csv(root / rel, dtype={c: str for c in ("lsoa21_code", "lsoa11_code")})
