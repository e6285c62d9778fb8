"""The allowed values the API documents are the data model's."""

from api.params import Domain, HotspotUnit, Measure, OverlapKind, RankingKind
from depmap.core.vocab import DOMAINS, MEASURES, RANKED_KINDS
from queries.hotspots import HOTSPOT_UNITS
from queries.overlaps import OVERLAP_KINDS


def test_enums_match_the_model():
    assert tuple(Domain) == DOMAINS
    assert tuple(Measure) == MEASURES
    assert tuple(RankingKind) == RANKED_KINDS
    assert tuple(OverlapKind) == OVERLAP_KINDS
    assert tuple(HotspotUnit) == HOTSPOT_UNITS
