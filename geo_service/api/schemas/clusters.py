"""Clusters of a run: scan clusters (unusual recent excess) and point clusters (bunching)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CLUSTER_EXAMPLE: dict[str, Any] = {
    "id": 1,
    "method": "scan",
    "cluster": 1,
    "alarm": True,
    "size": 14,
    "suppressed": False,
    "start": "2026-10-19T00:00:00+02:00",
    "end": "2026-11-16T00:00:00+01:00",
    "expected": 1.2,
    "ratio": 11.7,
    "p": 0.002,
    "recurrence_days": 7000.0,
    "radius_m": 420.0,
    "cells": ["891f2e1b1a7ffff", "891f2e1b1a3ffff"],
    "top_categories": None,
    "scan_alarm": None,
    "places": ["Oderljunga"],
    "recurrence_sv": "slumpen ger sådant ungefär vart 19:e år",
    "recurrence_en": "would happen by chance about once in 19 years",
}
MULTIPOLYGON_EXAMPLE: dict[str, Any] = {
    "type": "MultiPolygon",
    "coordinates": [[[[13.33, 56.19], [13.34, 56.19], [13.34, 56.195], [13.33, 56.19]]]],
}


class Cluster(BaseModel):
    """One cluster of a run; counts below k are hidden (null) for suppressed roles."""

    id: int = Field(description="Unique within the run.")
    method: Literal["scan", "dbscan", "hdbscan"]
    cluster: int = Field(description="Number within its method: 1 = most likely or largest.")
    alarm: bool = Field(description="A scan cluster whose recurrence interval reaches the limit.")
    size: int | None = Field(description="Events in the cluster (observed, for the scan).")
    suppressed: bool = False
    start: datetime | None = Field(description="Scan: window start; points: first event.")
    end: datetime | None = Field(description="Scan: window end (exclusive); points: last event.")
    expected: float | None = Field(None, description="Scan: events expected by chance.")
    ratio: float | None = Field(None, description="Scan: observed / expected.")
    p: float | None = Field(None, description="Scan: Monte Carlo p-value.")
    recurrence_days: float | None = Field(
        None, description="Scan: a cluster this unusual appears by chance once in this many days."
    )
    radius_m: float | None = None
    cells: list[str] | None = Field(None, description="Scan: the cluster's H3 cells (hex).")
    top_categories: list[str] | None = Field(None, description="Points: most frequent first.")
    scan_alarm: bool | None = Field(None, description="Points: overlaps a scan alarm.")
    places: list[str] = Field(default_factory=list, description="Names of the places it touches.")
    recurrence_sv: str = ""
    recurrence_en: str = ""


class ClusterList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"run_id": 12, "municipality_code": "1275", "items": [CLUSTER_EXAMPLE]}]
        }
    )

    run_id: int
    municipality_code: str
    items: list[Cluster]


class ClusterFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: dict[str, Any] = Field(description="A GeoJSON MultiPolygon in WGS84.")
    properties: Cluster


class ClusterFeatureCollection(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "run_id": 12,
                    "municipality_code": "1275",
                    "features": [
                        {
                            "type": "Feature",
                            "id": 1,
                            "geometry": MULTIPOLYGON_EXAMPLE,
                            "properties": CLUSTER_EXAMPLE,
                        }
                    ],
                }
            ]
        }
    )

    type: Literal["FeatureCollection"] = "FeatureCollection"
    run_id: int
    municipality_code: str
    features: list[ClusterFeature]
