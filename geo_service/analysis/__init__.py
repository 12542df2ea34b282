"""Pure space-time hot spot analysis: no database, web or file access.

Entry points, each on an events DataFrame (`occurred_at` plus lat/lon or an H3 cell):
`emerging_hotspots` (categories, confirmed by the scan and self-calibrated),
`space_time_scan` (emerging clusters with a recurrence interval), `point_clusters`
(DBSCAN/HDBSCAN in metres), and the `_from_counts` cores for a cube aggregated in SQL; period
helpers so SQL aggregation uses the same time steps.
"""

from geo_service.analysis.categories import CATEGORIES, CATEGORY_LABELS, classify
from geo_service.analysis.change import RateChange, rate_change, rate_change_from_cube
from geo_service.analysis.cube import EventCube, aggregate_events, events_to_cube
from geo_service.analysis.ehsa import (
    EhsaResult,
    emerging_hotspots,
    emerging_hotspots_from_counts,
    validate_parameters,
)
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.evaluate import METHODS as BACKTEST_METHODS
from geo_service.analysis.evaluate import BacktestResult, backtest
from geo_service.analysis.fdr import benjamini_hochberg
from geo_service.analysis.getis_ord import gi_star, gi_star_permutation_p, normal_p
from geo_service.analysis.knox import KnoxResult, knox, near_repeat_table
from geo_service.analysis.mann_kendall import TrendResult, mann_kendall
from geo_service.analysis.periods import (
    default_anchor,
    default_end,
    last_complete_index,
    parse_period,
    period_index,
    period_start,
    period_starts,
)
from geo_service.analysis.point_clusters import PointClusterResult, point_clusters
from geo_service.analysis.projection import event_xy, to_sweref99tm
from geo_service.analysis.scan import ScanResult, space_time_scan, space_time_scan_from_counts
from geo_service.analysis.weights import spatial_weights

__all__ = [
    "BACKTEST_METHODS",
    "BacktestResult",
    "KnoxResult",
    "backtest",
    "knox",
    "near_repeat_table",
    "CATEGORIES",
    "CATEGORY_LABELS",
    "AnalysisError",
    "EhsaResult",
    "EventCube",
    "PointClusterResult",
    "ScanResult",
    "RateChange",
    "TrendResult",
    "aggregate_events",
    "benjamini_hochberg",
    "classify",
    "default_anchor",
    "default_end",
    "emerging_hotspots",
    "emerging_hotspots_from_counts",
    "event_xy",
    "events_to_cube",
    "gi_star",
    "gi_star_permutation_p",
    "last_complete_index",
    "mann_kendall",
    "normal_p",
    "parse_period",
    "period_index",
    "period_start",
    "period_starts",
    "point_clusters",
    "rate_change",
    "rate_change_from_cube",
    "space_time_scan",
    "space_time_scan_from_counts",
    "spatial_weights",
    "to_sweref99tm",
    "validate_parameters",
]
