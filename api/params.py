"""Allowed values of query parameters (OpenAPI lists them; FastAPI answers 422 otherwise).

Spelt out so that the schema documents them; tests check they match the data model.
"""

from __future__ import annotations

from enum import StrEnum


class OverlapKind(StrEnum):
    lsoa21 = "lsoa21"
    msoa21 = "msoa21"
    lsoa11 = "lsoa11"
    ward = "ward"
    ltla = "ltla"
    sicbl = "sicbl"
    icb = "icb"
    pcn = "pcn"
    programme = "programme"


class Domain(StrEnum):
    imd = "imd"
    income = "income"
    employment = "employment"
    education = "education"
    health = "health"
    crime = "crime"
    housing = "housing"
    environment = "environment"


class RankingKind(StrEnum):
    msoa21 = "msoa21"
    ward = "ward"
    ltla = "ltla"
    sicbl = "sicbl"
    icb = "icb"
    pcn = "pcn"
    programme = "programme"


class Measure(StrEnum):
    average_score = "average_score"
    average_rank = "average_rank"
    proportion_most_deprived_10 = "proportion_most_deprived_10"
    extent = "extent"
    local_concentration = "local_concentration"
    scale = "scale"


class HotspotUnit(StrEnum):
    lsoa21 = "lsoa21"
    msoa21 = "msoa21"
