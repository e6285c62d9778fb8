"""The deprivation summary and health profile of areas, from their LSOA weights.

One function used by the loaders (every footprint, at load time) and by the
service (LSOAs and new custom areas, when asked).
"""

from __future__ import annotations

import json

import pandas as pd

from depmap.core.vocab import DOMAINS, HEALTH_COLUMNS
from geo.measures import summarise, weighted_means


def compute_summaries(
    weights: pd.DataFrame, stats: pd.DataFrame, n_lsoa: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measures per area and domain, profile per area) for the given weights."""
    measures = summarise(weights, stats, domains=DOMAINS, n_lsoa=n_lsoa)
    health = weighted_means(weights, stats, HEALTH_COLUMNS)
    prof = pd.DataFrame(index=health.index)
    prof["population"] = weights.groupby("area_id")["population"].sum()
    prof["lsoa_count"] = weights.groupby("area_id")["pop_share"].sum()
    prof["health"] = [
        json.dumps({k: (None if pd.isna(v) else round(float(v), 6)) for k, v in r.items()})
        for r in health.to_dict("records")
    ]
    return measures, prof
