"""A run's clusters as stored rows: scan clusters (their cells' outline) and point clusters.

Both go to `analysis_cluster`, numbered one after the other within the run (scan first). The
scan's alarm clusters are also the areas that a point cluster is checked against
(`scan_alarm`), so the dashboard can say "bunched, and unusual".
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_service.analysis.ehsa import scan_areas
from geo_service.analysis.point_clusters import PointClusterResult, point_clusters
from geo_service.analysis.scan import ScanResult
from geo_service.grid.cells import cell_polygons

COLUMNS = [
    "municipality_code",
    "run_id",
    "id",
    "method",
    "alarm",
    "size",
    "first_at",
    "last_at",
    "stats",
    "geom",
]
RECENT_PERIODS = 2  # point clusters look at the last two periods


def scan_outlines(scan: ScanResult | None, cells: np.ndarray) -> gpd.GeoSeries:
    """Each scan cluster's area (the run's cells inside its circle) as one outline in 3006."""
    if scan is None or scan.clusters.empty:
        return gpd.GeoSeries([], crs=3006)
    polygons = cell_polygons(cells)[1]
    outlines = [shapely.union_all(polygons[area]) for area in scan_areas(scan.clusters, cells)]
    return gpd.GeoSeries(outlines, index=scan.clusters.index, crs=3006)


def recent_window(period_end: date, period_days: int) -> tuple[date, date]:
    """[since, until): the last RECENT_PERIODS periods of the run."""
    return period_end - timedelta(days=RECENT_PERIODS * period_days), period_end


def run_point_clusters(
    events: pd.DataFrame,
    since: date,
    method: str,
    eps_m: float,
    min_samples: int,
    alarm_areas: gpd.GeoSeries,
) -> PointClusterResult | None:
    """Point clusters of the recent events, checked against the scan's alarm areas."""
    if events.empty:
        return None
    return point_clusters(
        events,
        method=method,
        eps_m=eps_m,
        min_samples=min_samples,
        min_cluster_size=min_samples,
        since=since,
        scan_clusters=alarm_areas,
    )


def _multi(geoms: Any) -> list[str]:
    """Hex EWKB of each geometry as a MultiPolygon in EPSG:3006."""
    multi = [g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g]) for g in geoms]
    return list(
        shapely.to_wkb(shapely.set_srid(np.asarray(multi), 3006), hex=True, include_srid=True)
    )


def _scan_rows(scan: ScanResult, outlines: gpd.GeoSeries) -> pd.DataFrame:
    found = scan.clusters
    stats = [
        {
            "cluster": int(row.cluster),
            "cells": list(row.cells),
            "center": row.center,
            "radius_m": float(row.radius_m),
            "steps": int(row.steps),
            "observed": int(row.observed),
            "expected": float(row.expected),
            "ratio": float(row.ratio),
            "llr": float(row.llr),
            "p": float(row.p),
            "recurrence_days": float(row.recurrence_days),
        }
        for row in found.itertuples()
    ]
    return pd.DataFrame(
        {
            "method": "scan",
            "alarm": found["alarm"].to_numpy(bool),
            "size": found["observed"].to_numpy(np.int64),
            "first_at": pd.to_datetime(found["start"]),
            "last_at": pd.to_datetime(found["end"]),
            "stats": stats,
            "geom": _multi(outlines),
        }
    )


def _point_rows(result: PointClusterResult, method: str) -> pd.DataFrame:
    found = result.clusters
    stats = [
        {
            "cluster": int(row.cluster),
            "top_categories": list(row.top_categories),
            "scan_alarm": bool(row.scan_alarm),
        }
        for row in found.itertuples()
    ]
    return pd.DataFrame(
        {
            "method": method,
            "alarm": False,
            "size": found["size"].to_numpy(np.int64),
            "first_at": pd.to_datetime(found["start"]),
            "last_at": pd.to_datetime(found["end"]),
            "stats": stats,
            "geom": _multi(found.geometry),
        }
    )


def cluster_rows(
    mc: str,
    run_id: int,
    scan: ScanResult | None,
    outlines: gpd.GeoSeries,
    points: PointClusterResult | None,
    method: str,
) -> pd.DataFrame:
    """All clusters of a run as `analysis_cluster` rows, ids 1..n (scan first)."""
    parts = []
    if scan is not None and not scan.clusters.empty:
        parts.append(_scan_rows(scan, outlines))
    if points is not None and not points.clusters.empty:
        parts.append(_point_rows(points, method))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    rows = pd.concat(parts, ignore_index=True)
    rows["municipality_code"] = mc
    rows["run_id"] = run_id
    rows["id"] = np.arange(1, len(rows) + 1)
    rows["stats"] = [json.dumps(stats) for stats in rows["stats"]]
    return rows[COLUMNS]
