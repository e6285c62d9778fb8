"""Reference computations written out independently of the code under test."""

import math


def extent_weight_by_hand(rank: float, n: int = 33_755) -> float:
    """The IoD extent weight written out independently of geo.measures: the LSOA's national
    percentile (1 = most deprived 1%); weight 1 up to the 10th, then 0.95 at the 11th falling
    by 0.9/19 per percentile to 0.05 at the 30th; 0 beyond."""
    p = math.ceil(rank * 100 / n)
    if p <= 10:
        return 1.0
    if p <= 30:
        return 0.95 - (p - 11) * (0.90 / 19)
    return 0.0
