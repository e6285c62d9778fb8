"""A tiny synthetic 'England' written in the shared-data layout, for unit tests.

A grid of square LSOAs (500 m) in British National Grid, grouped into MSOAs,
wards, two local authorities, three sub-ICB locations and two ICBs, with IoD
2025 scores/ranks/deciles, Census populations and CNI. Every expected value in
the tests is computed independently from the frames this module returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ORIGIN = (400_000.0, 300_000.0)  # BNG metres, in the Midlands
SIDE = 500.0
NATIONAL = 33_755

DOMAIN_STEMS = (
    "IMD",
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
)
SUBDOMAINS = (
    "children_and_young_people",
    "adult_skills",
    "geographical_barriers",
    "wider_barriers",
    "indoors",
    "outdoors",
)


def square_area(name: str) -> dict[str, object]:
    """A custom area to POST: an 800 m square (BNG) inside the synthetic grid, cutting
    four of its LSOAs."""
    x0, y0, x1, y1 = 400_600, 300_600, 401_400, 301_400
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "crs": {"type": "name", "properties": {"name": "EPSG:27700"}},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@dataclass
class Synth:
    root: Path
    lsoa: gpd.GeoDataFrame  # code, name, msoa, ward, ltla, sicbl, icb, geometry (27700)
    imd: pd.DataFrame
    census: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.lsoa)


def _ranks_from_scores(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """National ranks (1 = most deprived) consistent with the scores' order."""
    picks = np.sort(rng.choice(np.arange(1, NATIONAL + 1), size=len(scores), replace=False))
    order = np.argsort(-scores, kind="mergesort")
    ranks = np.empty(len(scores), dtype=int)
    ranks[order] = picks
    return ranks


def make_synth(root: Path, nx: int = 12, ny: int = 10, seed: int = 7, crs: int = 4326) -> Synth:
    rng = np.random.default_rng(seed)
    rows = []
    k = 0
    for j in range(ny):
        for i in range(nx):
            k += 1
            x0, y0 = ORIGIN[0] + i * SIDE, ORIGIN[1] + j * SIDE
            code = f"E01{900000 + k:06d}"
            msoa = f"E02{900000 + (j // 2) * (nx // 2) + i // 2 + 1:06d}"
            ward = f"E05{900000 + (j // 5) * (nx // 3) + i // 3 + 1:06d}"
            ltla = "E06000901" if i < nx // 2 else "E07000902"
            sicbl = f"E38{900001 + min(i * 3 // nx, 2):06d}"
            icb = "E54000901" if sicbl != "E38900003" else "E54000902"
            rows.append(
                {
                    "code": code,
                    "name": f"Synth {k:03d}A",
                    "i": i,
                    "j": j,
                    "msoa": msoa,
                    "ward": ward,
                    "ltla": ltla,
                    "sicbl": sicbl,
                    "icb": icb,
                    "geometry": shapely.box(x0, y0, x0 + SIDE, y0 + SIDE),
                }
            )
    lsoa = gpd.GeoDataFrame(rows, geometry="geometry", crs=27700)
    n = len(lsoa)
    root.mkdir(parents=True, exist_ok=True)
    for d in ("boundaries", "lookups", "deprivation", "population", "community"):
        (root / d).mkdir(exist_ok=True)
    out = (
        lsoa[["code", "name", "geometry"]]
        .rename(columns={"code": "lsoa21cd", "name": "lsoa21nm"})
        .to_crs(crs)
    )
    out.to_file(root / "boundaries" / "lsoa21_bgc.gpkg", layer="lsoa21_bgc", driver="GPKG")

    lk = lsoa.assign(lsoa21_code=lsoa["code"], lsoa21_name=lsoa["name"])
    pd.DataFrame(
        {
            "lsoa21_code": lk["code"],
            "lsoa21_name": lk["name"],
            "msoa21_code": lk["msoa"],
            "msoa21_name": "Synth MSOA " + lk["msoa"].str[-3:],
        }
    ).to_csv(root / "lookups" / "lsoa21_msoa21.csv", index=False)
    pd.DataFrame(
        {
            "lsoa21_name": lk["name"],
            "lsoa21_code": lk["code"],
            "sicbl24_name": "Synth sub-ICB " + lk["sicbl"].str[-1],
            "sicbl24_code": lk["sicbl"],
            "sicbl24_code_nhs": "S" + lk["sicbl"].str[-2:],
            "icb24_name": "NHS Synth ICB " + lk["icb"].str[-1],
            "icb24_code": lk["icb"],
            "icb24_code_nhs": "Q" + lk["icb"].str[-2:],
        }
    ).to_csv(root / "lookups" / "lsoa21_sicbl24_icb24.csv", index=False)
    pd.DataFrame(
        {
            "lsoa21_name": lk["name"],
            "lsoa21_code": lk["code"],
            "ward24_name": "Synth ward " + lk["ward"].str[-3:],
            "ward24_code": lk["ward"],
            "ltla24_name": np.where(lk["ltla"] == "E06000901", "Synthshire", "Synthborough"),
            "ltla24_code": lk["ltla"],
        }
    ).to_csv(root / "lookups" / "lsoa21_ward24_ltla24.csv", index=False)

    # deprivation rises towards the south-west corner, with noise
    base = 60.0 - 3.0 * lsoa["i"].to_numpy() - 2.0 * lsoa["j"].to_numpy()
    imd = pd.DataFrame({"lsoa21_code": lsoa["code"]})
    for m, stem in enumerate(DOMAIN_STEMS):
        score = base + rng.normal(0, 4 + m, n)
        if stem != "IMD":
            score = score / 100.0
        rank = _ranks_from_scores(score, rng)
        imd[f"{stem}_score"] = np.round(score, 3)
        imd[f"{stem}_rank"] = rank.astype(float)
        imd[f"{stem}_decile"] = np.ceil(rank * 10 / NATIONAL)
    cols = ["lsoa21_code"] + [f"{s}_{m}" for m in ("decile", "rank", "score") for s in DOMAIN_STEMS]
    imd[cols].to_csv(root / "deprivation" / "imd2025_lsoa21.csv", index=False)
    sub = pd.DataFrame({"lsoa21_code": lsoa["code"]})
    for s in SUBDOMAINS:
        score = base / 10 + rng.normal(0, 1, n)
        rank = _ranks_from_scores(score, rng)
        sub[f"{s}_score"] = np.round(score, 3)
        sub[f"{s}_rank"] = rank.astype(float)
        sub[f"{s}_decile"] = np.ceil(rank * 10 / NATIONAL)
    sub.to_csv(root / "deprivation" / "imd2025_lsoa21_subdomains.csv", index=False)
    census = pd.DataFrame(
        {"lsoa21_code": lsoa["code"], "total_residents": rng.integers(1000, 3000, n).astype(float)}
    )
    census["disabled"] = np.floor(census["total_residents"] * rng.uniform(0.1, 0.3, n))
    census["not_disabled"] = census["total_residents"] - census["disabled"]
    census.to_csv(root / "population" / "census21_lsoa21_residents_disability.csv", index=False)
    ind = pd.DataFrame(
        {
            "lsoa21_code": lsoa["code"],
            "income_domain_numerator": np.floor(
                census["total_residents"] * imd["Income_score"].clip(0)
            ),
            "employment_domain_numerator": np.floor(
                census["total_residents"] * 0.6 * imd["Employment_score"].clip(0)
            ),
            "acute_morbidity_indicator": np.round(100 + base + rng.normal(0, 5, n), 3),
            "comparative_illness_and_disability_ratio_indicator": np.round(90 + base, 3),
            "mental_health_indicator": np.round(base / 30, 3),
            "years_of_potential_life_lost_indicator": np.round(40 + base, 3),
        }
    )
    ind.loc[3, "mental_health_indicator"] = np.nan  # published files have gaps
    ind.to_csv(root / "deprivation" / "imd2025_lsoa21_indicators.csv", index=False)
    cni_score = 100 + base + rng.normal(0, 10, n)
    cni_rank = _ranks_from_scores(cni_score, rng)
    pd.DataFrame(
        {
            "lsoa21_code": lsoa["code"],
            "lsoa21_name": lsoa["name"],
            "Community Needs Index 2023 Score": np.round(cni_score, 2),
            "Community Needs Index 2023 Rank": cni_rank.astype(float),
            "Civic Assets Domain Score": 1.0,
            "Civic Assets Domain Rank": 1.0,
            "Connectedness Domain Score": 1.0,
            "Connectedness Domain Rank": 1.0,
            "Active and Engaged Community Domain Score": 1.0,
            "Active and Engaged Community Domain Rank": 1.0,
            "Left Behind Area?": np.where(cni_score >= np.sort(cni_score)[-12], "True", "False"),
        }
    ).to_csv(root / "community" / "cni2023_lsoa21.csv", index=False)
    return Synth(root=root, lsoa=lsoa, imd=imd, census=census)
