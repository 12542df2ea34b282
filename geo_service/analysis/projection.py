"""Event coordinates in SWEREF 99 TM (EPSG:3006), the metric grid that distances are measured in.

Methods that work in metres (point clusters, near repeats, the scan's circles) take events with
either projected `x`/`y` columns (easting, northing in metres) or WGS84 `lat`/`lon` degrees and
call `event_xy`, so they all project the same way. SWEREF 99 TM is a transverse Mercator
projection of GRS 80 with central meridian 15° E, scale 0.9996 and false easting 500 000 m.
Its scale factor lies between 0.9996 and about 1.002 across Sweden (0.99972 at Perstorp), so a
distance in these coordinates is the distance on the ground to within 0.2 %.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo_service.analysis.errors import AnalysisError

WGS84 = 4326
SWEREF_TM = 3006


@lru_cache(maxsize=1)
def _wgs84_to_sweref() -> Transformer:
    return Transformer.from_crs(WGS84, SWEREF_TM, always_xy=True)


def to_sweref99tm(lat: object, lon: object) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → (x, y) in SWEREF 99 TM metres: x is easting, y is northing.

    Raises `invalid_coordinates` for missing or out-of-range degrees, or points the projection
    cannot map.
    """
    lat_a = np.asarray(lat, dtype=np.float64)
    lon_a = np.asarray(lon, dtype=np.float64)
    if lat_a.shape != lon_a.shape:
        raise AnalysisError("invalid_coordinates", "lat and lon must have the same length")
    bad = ~(np.isfinite(lat_a) & np.isfinite(lon_a)) | (np.abs(lat_a) > 90) | (np.abs(lon_a) > 180)
    if bad.any():
        raise AnalysisError(
            "invalid_coordinates",
            f"{int(bad.sum())} points have missing or out-of-range lat/lon (WGS84 degrees)",
        )
    x, y = _wgs84_to_sweref().transform(lon_a, lat_a)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _require_finite(x, y, "points could not be projected to SWEREF 99 TM")
    return x, y


def _require_finite(x: np.ndarray, y: np.ndarray, problem: str) -> None:
    """An `invalid_coordinates` error saying how many points have a missing coordinate."""
    failed = ~(np.isfinite(x) & np.isfinite(y))
    if failed.any():
        raise AnalysisError("invalid_coordinates", f"{int(failed.sum())} {problem}")


def _numeric(events: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(events[column], errors="coerce")
    return np.asarray(values, dtype=np.float64)


def event_xy(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) in SWEREF 99 TM metres of each event, in row order.

    Uses `x`/`y` (already projected metres) when both are present, else projects `lat`/`lon`
    (WGS84). Raises `invalid_events` when neither pair is there and `invalid_coordinates` when
    any event's coordinates are missing or not numbers.
    """
    if not isinstance(events, pd.DataFrame):
        raise AnalysisError("invalid_events", "events must be a DataFrame")
    columns = set(events.columns)
    if {"x", "y"} <= columns:
        x, y = _numeric(events, "x"), _numeric(events, "y")
        _require_finite(x, y, "events have missing x/y (SWEREF 99 TM metres)")
        return x, y
    if {"lat", "lon"} <= columns:
        return to_sweref99tm(_numeric(events, "lat"), _numeric(events, "lon"))
    raise AnalysisError(
        "invalid_events", "events need 'x' and 'y' (SWEREF 99 TM metres) or 'lat' and 'lon'"
    )


__all__ = ["SWEREF_TM", "WGS84", "event_xy", "to_sweref99tm"]
