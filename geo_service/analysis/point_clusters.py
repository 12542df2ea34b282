"""Point clusters: where the events of a recent window bunch together, in metres.

Events are projected to SWEREF 99 TM and clustered with scikit-learn. DBSCAN (the default) calls
an event a core event when at least `min_samples` events, itself included, lie within `eps_m`
metres of it (distance ≤ eps_m):

    core(i)  ⇔  #{j : ‖p_j − p_i‖ ≤ eps_m} ≥ min_samples

and a cluster is a set of core events linked by steps of at most `eps_m` metres, together with
the events within `eps_m` of one of them. So the defaults read "at least 5 events within 150 m
of each other"; a chain of such groups can make a cluster longer than 150 m. HDBSCAN, for data
of very uneven density, keeps the clusters of at least `min_cluster_size` events that are most
stable over all distance scales, merging those closer than `cluster_selection_epsilon_m`. It
also finds groups in thin uniform background, so its clusters need reading with care.

Space-time variant: with `time_scale_m_per_day` = s each event is the point (x, y, s·t), t in
days, so two events d metres and Δt days apart are √(d² + (s·Δt)²) apart; with s = 10, events
more than 15 days apart are never within 150 m of each other. The same features go to HDBSCAN.

Clusters are descriptive: they show where recent events bunch, not whether that is unusual.
Whether an area has more events than expected is the prospective space-time permutation scan's
question; `scan_alarm` marks the clusters that overlap an area where the scan raised an alarm.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.cluster import DBSCAN, HDBSCAN

from geo_service.analysis.cube import exact_end
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.periods import (
    default_anchor,
    default_end,
    period_start,
    to_utc,
)
from geo_service.analysis.projection import SWEREF_TM, event_xy

METHODS = ("dbscan", "hdbscan")
DEFAULT_PERIOD_DAYS = 14
DEFAULT_PERIODS = 2
HULL_RATIO = 0.3
SMALL_HULL_POINTS = 4  # fewer distinct points than this: a buffer instead of a hull
BUFFER_M = 25.0
BUFFER_QUAD_SEGS = 16  # segments per quarter circle of a buffer
TOP_CATEGORIES = 3
NOISE = 0  # label of an analysed event in no cluster
LEFT_OUT = -1  # label of an event outside the window (or without a time)

_COLUMNS = [
    "cluster",
    "size",
    "start",
    "end",
    "top_categories",
    "scan_alarm",
    "members",
    "geometry",
]


@dataclass
class PointClusterResult:
    """Clusters of a window of events.

    `labels` is aligned to the input events' index: the cluster number (≥ 1) of each event,
    `NOISE` (0) for an analysed event in no cluster and `LEFT_OUT` (−1) for an event outside
    the window or without a time. `clusters` is a GeoDataFrame in EPSG:3006, one row per
    cluster numbered 1..n from the largest. `params` is JSON-serialisable and reproduces the run.
    """

    labels: pd.Series
    clusters: gpd.GeoDataFrame
    params: dict[str, Any]
    since: pd.Timestamp
    events: int
    left_out: int


def _as_int(value: object) -> int | None:
    """The value as an int when it is an integer (not a bool), else None."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value)
    return None


def _as_real(value: object) -> float | None:
    """The value as a float when it is a finite real number (not a bool), else None."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def validate_cluster_parameters(
    method: object,
    eps_m: object,
    min_samples: object,
    time_scale_m_per_day: object,
    min_cluster_size: object,
    cluster_selection_epsilon_m: object,
) -> None:
    """Raise an AnalysisError (stable code) for any out-of-range clustering option."""
    if method not in METHODS:
        raise AnalysisError(
            "invalid_method", f"method must be one of {', '.join(METHODS)}, got {method!r}"
        )
    eps = _as_real(eps_m)
    if eps is None or eps <= 0:
        raise AnalysisError("invalid_eps", f"eps_m must be a distance > 0 m, got {eps_m!r}")
    samples = _as_int(min_samples)
    if samples is None or samples < 1:
        raise AnalysisError(
            "invalid_min_samples", f"min_samples must be an integer ≥ 1, got {min_samples!r}"
        )
    scale = _as_real(time_scale_m_per_day)
    if time_scale_m_per_day is not None and (scale is None or scale <= 0):
        raise AnalysisError(
            "invalid_time_scale",
            "time_scale_m_per_day must be > 0 metres per day or None, "
            f"got {time_scale_m_per_day!r}",
        )
    size = _as_int(min_cluster_size)
    if size is None or size < 2:
        raise AnalysisError(
            "invalid_min_cluster_size",
            f"min_cluster_size must be an integer ≥ 2, got {min_cluster_size!r}",
        )
    selection = _as_real(cluster_selection_epsilon_m)
    if selection is None or selection < 0:
        raise AnalysisError(
            "invalid_cluster_selection_epsilon",
            "cluster_selection_epsilon_m must be a distance ≥ 0 m, "
            f"got {cluster_selection_epsilon_m!r}",
        )


def default_since(latest: object) -> pd.Timestamp:
    """Start of the default window: the last two 14-day periods ending at the Stockholm midnight
    after the latest event (the same periods as the emerging hot spot cube's final steps)."""
    end = default_end(latest)
    start = period_start(-DEFAULT_PERIODS, default_anchor(end), DEFAULT_PERIOD_DAYS)
    return pd.Timestamp(start)


def _since(since: object) -> pd.Timestamp:
    """A given window start as a timestamp (a date or 'YYYY-MM-DD' means Stockholm midnight)."""
    start: pd.Timestamp | None = None
    if isinstance(since, str | dt.date | np.datetime64):
        try:
            start = exact_end(since)
        except AnalysisError:
            start = None
    if start is None or pd.isna(start):
        raise AnalysisError("invalid_since", f"since must be a date or a time, got {since!r}")
    return start


def _window(times: pd.DatetimeIndex, since: object) -> tuple[np.ndarray, pd.Timestamp]:
    """Mask of the events at or after the window start, and that start."""
    known = ~np.asarray(times.isna())
    if not known.any():
        raise AnalysisError("no_events", "no events with a time for this selection")
    start = default_since(times[known].max()) if since is None else _since(since)
    inside = known.copy()
    inside[known] = np.asarray(times[known] >= start)
    return inside, start


def _cluster_labels(
    features: np.ndarray,
    method: str,
    eps_m: float,
    min_samples: int,
    min_cluster_size: int,
    cluster_selection_epsilon_m: float,
) -> np.ndarray:
    """scikit-learn's labels (−1 noise, 0.. clusters) for the feature rows."""
    n = len(features)
    if method == "dbscan":
        if n == 0:
            return np.empty(0, dtype=np.int64)
        return DBSCAN(eps=eps_m, min_samples=min_samples).fit_predict(features)
    if n < min_cluster_size:
        return np.full(n, -1, dtype=np.int64)
    model = HDBSCAN(
        min_cluster_size=min_cluster_size,
        cluster_selection_epsilon=cluster_selection_epsilon_m,
        copy=True,
    )
    return model.fit_predict(features)


def _renumber(raw: np.ndarray, times_ns: np.ndarray) -> np.ndarray:
    """Cluster numbers 1..n, largest first (ties: earliest first event), 0 for noise."""
    member = raw >= 0
    n_raw = int(raw.max()) + 1 if member.any() else 0
    sizes = np.bincount(raw[member], minlength=n_raw)
    first = np.full(n_raw, np.iinfo(np.int64).max)
    np.minimum.at(first, raw[member], times_ns[member])
    order = np.lexsort((np.arange(n_raw), first, -sizes))
    number = np.empty(n_raw, dtype=np.int64)
    number[order] = np.arange(1, n_raw + 1)
    out = np.zeros(len(raw), dtype=np.int64)
    out[member] = number[raw[member]]
    return out


def cluster_hulls(labels: np.ndarray, x: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """One polygon per cluster 1..n around its members' (x, y).

    The concave hull (ratio 0.3) of the distinct member points; a 25 m buffer around the points
    when there are fewer than 4 distinct ones. A hull that comes out as a line (points in a row)
    is buffered by 25 m, so every result is a Polygon or MultiPolygon.
    """
    if n == 0:
        return np.empty(0, dtype=object)
    member = labels > 0
    distinct = np.unique(np.c_[labels[member], x[member], y[member]], axis=0)
    cluster_idx = distinct[:, 0].astype(np.int64) - 1
    points = shapely.multipoints(distinct[:, 1:], indices=cluster_idx)
    n_distinct = np.bincount(cluster_idx, minlength=n)
    hulls = shapely.concave_hull(points, ratio=HULL_RATIO)
    small = n_distinct < SMALL_HULL_POINTS
    hulls[small] = shapely.buffer(points[small], BUFFER_M, quad_segs=BUFFER_QUAD_SEGS)
    kind = shapely.get_type_id(hulls)
    polygonal = np.isin(kind, (3, 6)) & (shapely.area(hulls) > 0)
    hulls[~polygonal] = shapely.buffer(hulls[~polygonal], BUFFER_M, quad_segs=BUFFER_QUAD_SEGS)
    return hulls


def _top_categories(labels: np.ndarray, categories: pd.Series | None, n: int) -> list[list[Any]]:
    """Up to three most frequent category values per cluster (ties: by value), as lists."""
    out: list[list[Any]] = [[] for _ in range(n)]
    if categories is None or n == 0:
        return out
    member = labels > 0
    frame = pd.DataFrame(
        {"cluster": labels[member], "category": categories.to_numpy(dtype=object)[member]}
    ).dropna()
    if frame.empty:
        return out
    counts = frame.groupby(["cluster", "category"]).size().rename("n").reset_index()
    counts["key"] = counts["category"].astype(str)
    counts = counts.sort_values(["cluster", "n", "key"], ascending=[True, False, True])
    top = counts.groupby("cluster").head(TOP_CATEGORIES).groupby("cluster")["category"]
    for cluster, values in top:
        out[int(cluster) - 1] = [v.item() if isinstance(v, np.generic) else v for v in values]
    return out


def _scan_overlap(hulls: np.ndarray, scan_clusters: object) -> np.ndarray:
    """Whether each hull intersects any of the alarm areas (EPSG:3006)."""
    if scan_clusters is None or len(hulls) == 0:
        return np.zeros(len(hulls), dtype=bool)
    if isinstance(scan_clusters, gpd.GeoDataFrame):
        scan_clusters = scan_clusters.geometry
    if not isinstance(scan_clusters, gpd.GeoSeries):
        raise AnalysisError(
            "invalid_scan_clusters", "scan_clusters must be a GeoSeries or GeoDataFrame"
        )
    if scan_clusters.crs is not None and scan_clusters.crs.to_epsg() != SWEREF_TM:
        scan_clusters = scan_clusters.to_crs(SWEREF_TM)
    areas = scan_clusters.dropna().to_numpy()
    if len(areas) == 0:
        return np.zeros(len(hulls), dtype=bool)
    hit, _ = shapely.STRtree(areas).query(hulls, predicate="intersects")
    overlap = np.zeros(len(hulls), dtype=bool)
    overlap[hit] = True
    return overlap


def _empty_clusters() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in _COLUMNS if c != "geometry"})
    frame["cluster"] = frame["cluster"].astype(np.int64)
    frame["size"] = frame["size"].astype(np.int64)
    frame["start"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["end"] = pd.Series(dtype="datetime64[ns, UTC]")
    frame["scan_alarm"] = frame["scan_alarm"].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=SWEREF_TM), crs=SWEREF_TM)


def _params(
    method: str,
    eps_m: float,
    min_samples: int,
    min_cluster_size: int,
    cluster_selection_epsilon_m: float,
    time_scale_m_per_day: float | None,
    start: pd.Timestamp,
) -> dict[str, Any]:
    """The effective options, JSON-serialisable."""
    return {
        "method": method,
        "eps_m": float(eps_m),
        "min_samples": int(min_samples),
        "min_cluster_size": int(min_cluster_size),
        "cluster_selection_epsilon_m": float(cluster_selection_epsilon_m),
        "time_scale_m_per_day": None
        if time_scale_m_per_day is None
        else float(time_scale_m_per_day),
        "since": start.isoformat(),
        "hull_ratio": HULL_RATIO,
        "buffer_m": BUFFER_M,
    }


def _cluster_table(
    events: pd.DataFrame,
    inside: np.ndarray,
    window_labels: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    times_ns: np.ndarray,
    scan_clusters: gpd.GeoSeries | gpd.GeoDataFrame | None,
) -> gpd.GeoDataFrame:
    """One row per cluster 1…n of the window's events: size, time span, categories, hull."""
    n = int(window_labels.max())
    member = window_labels > 0
    codes = window_labels[member] - 1
    sizes = np.bincount(codes, minlength=n)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, codes, times_ns[member])
    np.maximum.at(last, codes, times_ns[member])
    ids = events["id"].to_numpy() if "id" in events.columns else events.index.to_numpy()
    by_cluster = np.argsort(codes, kind="stable")
    member_ids = np.split(ids[inside][member][by_cluster], np.cumsum(sizes)[:-1])
    hulls = cluster_hulls(window_labels, x, y, n)
    categories = events["category"][inside] if "category" in events.columns else None

    frame = pd.DataFrame(
        {
            "cluster": np.arange(1, n + 1, dtype=np.int64),
            "size": sizes.astype(np.int64),
            "start": pd.to_datetime(first, utc=True),
            "end": pd.to_datetime(last, utc=True),
            "top_categories": _top_categories(window_labels, categories, n),
            "scan_alarm": _scan_overlap(hulls, scan_clusters),
            "members": [m.tolist() for m in member_ids],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=hulls, crs=SWEREF_TM)[_COLUMNS]


def point_clusters(
    events: pd.DataFrame,
    *,
    method: str = "dbscan",
    eps_m: float = 150.0,
    min_samples: int = 5,
    since: object = None,
    time_scale_m_per_day: float | None = None,
    min_cluster_size: int = 5,
    cluster_selection_epsilon_m: float = 0.0,
    scan_clusters: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
) -> PointClusterResult:
    """Clusters of the events at or after `since`, with hull, size, time span and categories.

    `events` has `occurred_at` (naive times are UTC), `x`/`y` in SWEREF 99 TM metres or
    `lat`/`lon` in WGS84, and optionally `category` and `id` (else the index identifies the
    members). `since` (a date means its Stockholm midnight) defaults to the start of the last
    two 14-day periods before the Stockholm midnight after the latest event. `scan_clusters`
    are the areas (EPSG:3006) where the scan raised an alarm; a cluster whose hull intersects
    one has `scan_alarm` True.
    """
    validate_cluster_parameters(
        method,
        eps_m,
        min_samples,
        time_scale_m_per_day,
        min_cluster_size,
        cluster_selection_epsilon_m,
    )
    if not isinstance(events, pd.DataFrame) or "occurred_at" not in events.columns:
        raise AnalysisError("invalid_events", "events must be a DataFrame with 'occurred_at'")
    if len(events) == 0:
        raise AnalysisError("no_events", "no events for this selection")

    x_all, y_all = event_xy(events)
    times = to_utc(events["occurred_at"])
    inside, start = _window(times, since)
    x, y = x_all[inside], y_all[inside]
    times_ns = times[inside].asi8
    features = np.c_[x, y]
    if time_scale_m_per_day is not None:
        days = (times_ns - start.value) / 86_400e9
        features = np.c_[features, days * float(time_scale_m_per_day)]

    raw = _cluster_labels(
        features,
        method,
        float(eps_m),
        int(min_samples),
        int(min_cluster_size),
        float(cluster_selection_epsilon_m),
    )
    window_labels = _renumber(np.asarray(raw, dtype=np.int64), times_ns)
    labels = np.full(len(events), LEFT_OUT, dtype=np.int64)
    labels[inside] = window_labels
    n = int(window_labels.max()) if len(window_labels) else 0

    params = _params(
        method,
        eps_m,
        min_samples,
        min_cluster_size,
        cluster_selection_epsilon_m,
        time_scale_m_per_day,
        start,
    )
    result = PointClusterResult(
        labels=pd.Series(labels, index=events.index, name="cluster"),
        clusters=_empty_clusters(),
        params=params,
        since=start,
        events=int(inside.sum()),
        left_out=int((~inside).sum()),
    )
    if n == 0:
        return result

    result.clusters = _cluster_table(events, inside, window_labels, x, y, times_ns, scan_clusters)
    return result


__all__ = [
    "LEFT_OUT",
    "METHODS",
    "NOISE",
    "PointClusterResult",
    "cluster_hulls",
    "default_since",
    "point_clusters",
    "validate_cluster_parameters",
]
