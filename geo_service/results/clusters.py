"""Reading a run's clusters: scan clusters and point clusters, with small counts suppressed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.palette import recurrence_words

CLUSTERS = text("""
SELECT k.id, k.method, (k.stats->>'cluster')::int AS cluster, k.alarm, k.size,
       k.first_at, k.last_at, k.stats,
       ARRAY(SELECT p.name FROM place p WHERE p.municipality_code = k.municipality_code
             AND ST_Intersects(p.geom, k.geom) ORDER BY p.name) AS places,
       CASE WHEN :geometry THEN ST_AsGeoJSON(ST_Transform(k.geom, 4326), 6)::json END AS geometry
FROM analysis_cluster k
WHERE k.municipality_code = :mc AND k.run_id = :run
  AND (CAST(:method AS text) IS NULL OR k.method = :method)
  AND (NOT :alarm_only OR k.alarm)
ORDER BY k.id
""")


@dataclass(frozen=True)
class ClusterSelection:
    """Which clusters: one method or all, and only scan clusters with an alarm or all."""

    method: str | None = None
    alarm_only: bool = False


def _item(row: dict[str, Any], suppress: bool, k: int) -> dict[str, Any]:
    """One cluster as the API returns it; counts below k (and the ratio) hidden when `suppress`."""
    stats = row["stats"] or {}
    hidden = suppress and row["size"] < k
    days = stats.get("recurrence_days")
    return {
        "id": row["id"],
        "method": row["method"],
        "cluster": row["cluster"],
        "alarm": row["alarm"],
        "size": None if hidden else row["size"],
        "suppressed": hidden,
        "start": row["first_at"],
        "end": row["last_at"],
        "expected": stats.get("expected"),
        "ratio": None if hidden else stats.get("ratio"),
        "p": stats.get("p"),
        "recurrence_days": days,
        "radius_m": stats.get("radius_m"),
        "cells": stats.get("cells"),
        "top_categories": stats.get("top_categories"),
        "scan_alarm": stats.get("scan_alarm"),
        "places": list(row["places"] or []),
        "recurrence_sv": recurrence_words(days, "sv"),
        "recurrence_en": recurrence_words(days, "en"),
    }


def list_clusters(
    session: Session,
    mc: str,
    run_id: int,
    selection: ClusterSelection,
    suppress: bool,
    k: int,
    *,
    geometry: bool = False,
) -> list[dict[str, Any]]:
    """The run's clusters (scan first, then point clusters), as API items."""
    params = {
        "mc": mc,
        "run": run_id,
        "method": selection.method,
        "alarm_only": selection.alarm_only,
        "geometry": geometry,
    }
    out = []
    for row in session.execute(CLUSTERS, params).mappings():
        item = _item(dict(row), suppress, k)
        if geometry:
            item["geometry"] = row["geometry"]
        out.append(item)
    return out
