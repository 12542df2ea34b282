"""Which Swedish coordinate system a pair of columns is in, and the points in SWEREF 99 TM.

Swedish systems are told apart by value ranges: WGS84 degrees, SWEREF 99 TM
(northing 6.1–7.7 million, easting 0.26–0.92 million), the twelve local SWEREF 99 zones
(EPSG:3007–3018, false easting 150 000 m) and RT 90 2.5 gon V (easting 1.2–1.9 million).
Northing and easting ranges never overlap, so swapped axes are found from the values too.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from pyproj import Transformer

WGS84 = 4326
SWEREF_TM = 3006
LOCAL_ZONES = tuple(range(3007, 3019))
RT90 = 3021
SUPPORTED = (WGS84, SWEREF_TM, *LOCAL_ZONES, RT90)

# (northing-or-lat range, easting-or-lon range) per family of systems.
_RANGES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "wgs84": ((55.0, 69.5), (10.0, 24.5)),
    "tm": ((6.0e6, 7.8e6), (2.6e5, 9.5e5)),
    "local": ((6.0e6, 7.8e6), (0.0, 2.6e5)),
    "rt90": ((6.0e6, 7.8e6), (1.1e6, 1.95e6)),
}
_FAMILY_EPSG = {"wgs84": WGS84, "tm": SWEREF_TM, "rt90": RT90}


def family_of(epsg: int) -> str:
    """The value-range family an EPSG code belongs to."""
    if epsg == WGS84:
        return "wgs84"
    if epsg == SWEREF_TM:
        return "tm"
    if epsg in LOCAL_ZONES:
        return "local"
    if epsg == RT90:
        return "rt90"
    raise ValueError(epsg)


@lru_cache(maxsize=32)
def to_3006(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, SWEREF_TM, always_xy=True)


@lru_cache(maxsize=1)
def from_3006_to_wgs84() -> Transformer:
    return Transformer.from_crs(SWEREF_TM, WGS84, always_xy=True)


@dataclass
class Projected:
    """Points in EPSG:3006 with what was done to get them, one entry per input row."""

    x: np.ndarray
    y: np.ndarray
    ok: np.ndarray
    swapped: np.ndarray
    epsg: np.ndarray
    warnings: list[str] = field(default_factory=list)


def _in(v: np.ndarray, r: tuple[float, float]) -> np.ndarray:
    return (v >= r[0]) & (v <= r[1])


def classify(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Family name per row ('' when none fits) and whether the axes are swapped.

    `first` is the column named as latitude/northing, `second` as longitude/easting.
    """
    code, swapped = _family_codes(first, second)
    return np.array(["", *_RANGES], dtype=object)[code], swapped


def _family_codes(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """classify with the family as its 1-based position in _RANGES (0 when none fits)."""
    code = np.zeros(first.shape, dtype=np.int8)
    swapped = np.zeros(first.shape, dtype=bool)
    for i, (north, east) in enumerate(_RANGES.values(), start=1):
        straight = (code == 0) & _in(first, north) & _in(second, east)
        code[straight] = i
        crossed = (code == 0) & _in(second, north) & _in(first, east)
        code[crossed] = i
        swapped |= crossed
    return code, swapped


def _local_zone(north: np.ndarray, east: np.ndarray, target: tuple[float, float] | None) -> int:
    """The local zone whose reading of the points lies closest to the municipality."""
    if target is None or north.size == 0:
        return 3008  # SWEREF 99 13 30: the zone most of Skåne uses
    n, e = float(np.median(north)), float(np.median(east))
    best, best_d = 3008, np.inf
    for zone in LOCAL_ZONES:
        x, y = to_3006(zone).transform(e, n)
        d = (x - target[0]) ** 2 + (y - target[1]) ** 2
        if d < best_d:
            best, best_d = zone, d
    return best


def project(
    first: np.ndarray,
    second: np.ndarray,
    declared: int | None = None,
    target: tuple[float, float] | None = None,
) -> Projected:
    """Detect system and axis order per row, then transform to EPSG:3006 (vectorised).

    `declared` is the EPSG code the user gave; values that do not fit it are read in the
    system they fit, with a warning. `target` (a point in 3006, e.g. the municipality's
    centroid) picks the local zone when the values say only 'some local zone'.
    """
    first = np.asarray(first, dtype=float)
    second = np.asarray(second, dtype=float)
    n = first.size
    family, swapped = _family_codes(first, second)
    north = np.where(swapped, second, first)
    east = np.where(swapped, first, second)
    out = Projected(
        x=np.full(n, np.nan),
        y=np.full(n, np.nan),
        ok=family != 0,
        swapped=swapped,
        epsg=np.zeros(n, dtype=np.int32),
    )
    if declared is not None and declared not in SUPPORTED:
        raise ValueError(f"EPSG:{declared} is not supported")
    declared_family = family_of(declared) if declared is not None else None
    for code, name in enumerate(_RANGES, start=1):
        rows = family == code
        if not rows.any():
            continue
        if name == declared_family:
            epsg = declared
        elif name == "local":
            epsg = _local_zone(north[rows], east[rows], target)
        else:
            epsg = _FAMILY_EPSG[name]
        if declared is not None and name != declared_family:
            out.warnings.append(
                f"{int(rows.sum())} rader deklarerades som EPSG:{declared} men värdena passar "
                f"EPSG:{epsg}; de lästes som EPSG:{epsg}."
            )
        x, y = to_3006(epsg).transform(east[rows], north[rows])
        out.x[rows], out.y[rows], out.epsg[rows] = x, y, epsg
    out.ok &= np.isfinite(out.x) & np.isfinite(out.y)
    return out


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) of EPSG:3006 points."""
    lon, lat = from_3006_to_wgs84().transform(np.asarray(x, float), np.asarray(y, float))
    return lat, lon
