"""The files depmap reads: where they sit under the data folder, and what they contain.

The layout is the one of the project's shared data folder (see its README).
Column aliases let the loaders read the official publications' own headers too.
The download addresses live in ``fetch/sources.json`` (used by ``depmap fetch``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from depmap.core.vocab import KINDS, NATIONAL_LSOA11, NATIONAL_LSOA21

LSOA21_COUNT = NATIONAL_LSOA21
LSOA11_COUNT = NATIONAL_LSOA11
#: What a national load checks: the number of areas of each kind in England.
EXPECTED_COUNTS: dict[str, int] = {k: v.national for k, v in KINDS.items() if v.national}


@dataclass(frozen=True)
class Source:
    """A file the loaders read: where it may sit under the data folder (the first
    candidate is where ``depmap fetch`` writes it), and its columns' other names.

    A source with a ``pattern`` may be several files (every file matching it, e.g.
    registration extracts of several dates); :meth:`present` lists them.
    """

    key: str
    candidates: tuple[str, ...]
    code_fields: tuple[str, ...] = ()
    name_fields: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pattern: str | None = None

    @property
    def path(self) -> str:
        return self.candidates[0]

    def present(self, folder: Path) -> list[str]:
        """The files of this source under ``folder`` (relative paths, sorted): the
        candidates that exist and, with a pattern, every file matching it."""
        found = {c for c in self.candidates if (folder / c).is_file()}
        if self.pattern:
            found |= {
                p.relative_to(folder).as_posix() for p in folder.glob(self.pattern) if p.is_file()
            }
        return sorted(found)


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "lsoa21_boundaries",
            tuple(
                f"boundaries/{stem}.{ext}"
                for stem in ("lsoa21_bgc", "lsoa21")
                for ext in ("gpkg", "geojson", "zip", "fgb")
            ),
            code_fields=("lsoa21cd", "lsoa21_code", "LSOA21CD"),
            name_fields=("lsoa21nm", "lsoa21_name", "LSOA21NM"),
        ),
        Source(
            "lsoa11_boundaries",
            ("boundaries/lsoa11.gpkg",),
            code_fields=("lsoa11_code", "lsoa11cd", "LSOA11CD"),
            name_fields=("lsoa11_name", "lsoa11nm", "LSOA11NM"),
        ),
        Source(
            "lsoa21_msoa21",
            ("lookups/lsoa21_msoa21.csv",),
            aliases={
                "lsoa21_code": ("LSOA21CD",),
                "lsoa21_name": ("LSOA21NM",),
                "msoa21_code": ("MSOA21CD",),
                "msoa21_name": ("MSOA21NM",),
            },
        ),
        Source(
            "lsoa21_sicbl_icb",
            ("lookups/lsoa21_sicbl24_icb24.csv",),
            aliases={
                "lsoa21_code": ("LSOA21CD",),
                "sicbl24_code": ("SICBL24CD",),
                "sicbl24_name": ("SICBL24NM",),
                "sicbl24_code_nhs": ("SICBL24CDH",),
                "icb24_code": ("ICB24CD",),
                "icb24_name": ("ICB24NM",),
                "icb24_code_nhs": ("ICB24CDH",),
            },
        ),
        Source(
            "lsoa21_ward_ltla",
            ("lookups/lsoa21_ward24_ltla24.csv",),
            aliases={
                "lsoa21_code": ("LSOA21CD",),
                "ward24_code": ("WD24CD",),
                "ward24_name": ("WD24NM",),
                "ltla24_code": ("LAD24CD",),
                "ltla24_name": ("LAD24NM",),
            },
        ),
        Source(
            "lsoa11_lsoa21",
            ("lookups/lsoa11_lsoa21_ltla22.csv",),
            aliases={
                "lsoa11_code": ("LSOA11CD", "F_LSOA11CD"),
                "lsoa21_code": ("LSOA21CD",),
                "change_code": ("CHGIND",),
            },
        ),
        Source(
            "lsoa11_msoa11",
            ("lookups/lsoa11_msoa11.csv",),
            aliases={"lsoa11_code": ("LSOA11CD",), "msoa11_code": ("MSOA11CD",)},
        ),
        Source(
            "imd2025",
            ("deprivation/imd2025_lsoa21.csv",),
            aliases={"lsoa21_code": ("LSOA code (2021)",)},
        ),
        Source(
            "imd2025_subdomains",
            ("deprivation/imd2025_lsoa21_subdomains.csv",),
            aliases={"lsoa21_code": ("LSOA code (2021)",)},
        ),
        Source(
            "imd2025_indicators",
            ("deprivation/imd2025_lsoa21_indicators.csv",),
            aliases={"lsoa21_code": ("LSOA code (2021)",)},
        ),
        Source(
            "imd2019",
            ("deprivation/imd2019_lsoa11.csv",),
            aliases={"lsoa11_code": ("LSOA code (2011)",)},
        ),
        Source(
            "imd2019_indicators",
            ("deprivation/imd2019_lsoa11_indicators.csv",),
            aliases={"lsoa11_code": ("LSOA code (2011)",)},
        ),
        Source(
            "census2021",
            ("population/census21_lsoa21_residents_disability.csv",),
            aliases={"lsoa21_code": ("geography code", "LSOA21CD")},
        ),
        Source(
            "mye2020",
            ("population/mye2020_lsoa11_single_year_age.csv",),
            aliases={"lsoa11_code": ("LSOA Code", "LSOA11CD"), "total_population": ("All Ages",)},
        ),
        Source(
            "cni2023",
            ("community/cni2023_lsoa21.csv",),
            aliases={"lsoa21_code": ("LSOA21CD", "LSOA code")},
        ),
        Source(
            "imd2015",
            ("deprivation/imd2015_lsoa11.csv",),
            aliases={
                "lsoa11_code": ("LSOA code (2011)",),
                "imd_score": ("Index of Multiple Deprivation (IMD) Score",),
                "imd_rank": ("Index of Multiple Deprivation (IMD) Rank*",),
                "imd_decile": ("Index of Multiple Deprivation (IMD) Decile*",),
            },
        ),
        Source(
            "census2011_households",
            ("population/census11_lsoa11_household_deprivation.csv",),
            aliases={"lsoa11_code": ("geography code",)},
        ),
        Source(
            "census2021_households",
            ("population/census21_lsoa21_household_deprivation.csv",),
            aliases={"lsoa21_code": ("geography code",)},
        ),
        Source(
            "census2011_health",
            ("health/census11_general_health_lsoa11.csv",),
            aliases={"lsoa11_code": ("geography code",)},
        ),
        Source(
            "census2021_health",
            ("health/census21_general_health_lsoa21.csv",),
            aliases={"lsoa21_code": ("geography code",)},
        ),
        Source("hle_msoa11", ("health/ons_hle_msoa11_2009_2013.xls",)),
        Source("dfle_msoa11", ("health/ons_dfle_msoa11_2009_2013.xls",)),
        Source("gp_practice_map", ("nhs/gp-reg-pat-prac-map.csv",)),
        Source(
            # 'Patients registered at a GP practice' by LSOA: every extract present (the
            # latest publication wins for each practice)
            "gp_registrations",
            ("nhs/gp-reg-pat-prac-lsoa-all.csv",),
            pattern="nhs/gp-reg-pat-prac-lsoa-all*.csv",
        ),
        Source("sussex_pcn", ("nhs/sussex_pcn_footprints_2023.geojson",)),
        Source(
            # ONS 'Output Area to LSOA to MSOA to LAD (December 2021) lookup': read for
            # programme areas listed by OA21 code (not in the shared data; `depmap fetch`)
            "oa21_lsoa21",
            ("lookups/oa21_lsoa21.csv", "lookups/OA21_LSOA21_MSOA21_LAD22_EW_LU.csv"),
            aliases={
                "oa21_code": ("OA21CD",),
                "lsoa21_code": ("LSOA21CD",),
                "population": ("total_residents", "usual_residents", "OBS_VALUE"),
            },
        ),
    )
}
