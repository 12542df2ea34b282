"""Stationary events at a small municipality's scale, for calibration and power tests.

About 1,100 events a year over a 15 × 15 km square around Perstorp (56.133 N 13.383 E): a few
dense centres (a town centre, a station, a school, a village) over a thin background, two
years of 14-day periods, and nothing changing in time unless a spot is planted.
"""

from __future__ import annotations

import datetime as dt

import h3
import numpy as np
import pandas as pd

ANCHOR = dt.date(2024, 1, 1)
DAYS = 14
STEPS = 52
END = ANCHOR + dt.timedelta(days=DAYS * STEPS)
LAT0, LON0 = 56.133, 13.383
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = 111_320.0 * np.cos(np.radians(LAT0))
HALF_SIDE_M = 7_500.0
# (east m, north m, sd m, share of events)
CENTRES = (
    (0, 0, 350, 0.35),
    (-700, 150, 250, 0.15),
    (600, -500, 300, 0.12),
    (-2800, 6200, 200, 0.05),
)
BACKGROUND = 0.33


def study_cells(resolution: int = 9) -> list[str]:
    """Every cell of the 15 × 15 km square."""
    dlat, dlon = HALF_SIDE_M / M_PER_DEG_LAT, HALF_SIDE_M / M_PER_DEG_LON
    square = h3.LatLngPoly(
        [
            (LAT0 - dlat, LON0 - dlon),
            (LAT0 - dlat, LON0 + dlon),
            (LAT0 + dlat, LON0 + dlon),
            (LAT0 + dlat, LON0 - dlon),
        ]
    )
    return sorted(h3.polygon_to_cells(square, resolution))


def _times(rng: np.random.Generator, steps: np.ndarray) -> pd.Series:
    start = pd.Timestamp(ANCHOR, tz="Europe/Stockholm")
    days = steps * DAYS + rng.uniform(0, DAYS, len(steps))
    return pd.Series(start + pd.to_timedelta(days, unit="D")).dt.tz_convert("UTC")


def _frame(rng: np.random.Generator, east: np.ndarray, north: np.ndarray, steps: np.ndarray):
    return pd.DataFrame(
        {
            "occurred_at": _times(rng, steps),
            "lat": LAT0 + north / M_PER_DEG_LAT,
            "lon": LON0 + east / M_PER_DEG_LON,
        }
    )


def stationary_events(seed: int, per_year: int = 1100) -> pd.DataFrame:
    """A stationary point process: the same spatial intensity in every period."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(per_year * STEPS * DAYS / 365)
    shares = np.array([c[3] for c in CENTRES] + [BACKGROUND])
    source = rng.choice(len(shares), size=n, p=shares / shares.sum())
    east = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n)
    north = rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n)
    for i, (x, y, sd, _) in enumerate(CENTRES):
        at = source == i
        east[at] = rng.normal(x, sd, at.sum())
        north[at] = rng.normal(y, sd, at.sum())
    inside = (np.abs(east) < HALF_SIDE_M) & (np.abs(north) < HALF_SIDE_M)
    east, north = east[inside], north[inside]
    return _frame(rng, east, north, rng.integers(0, STEPS, len(east)))


def planted_spot(
    seed: int, east: float, north: float, per_step: float = 2.0, steps: int = 4, radius: float = 125
) -> pd.DataFrame:
    """Extra events in a spot of `radius` metres: `per_step` a period over the last `steps`."""
    rng = np.random.default_rng(seed + 10_000)
    counts = rng.poisson(per_step, steps)
    step = np.repeat(np.arange(STEPS - steps, STEPS), counts)
    angle = rng.uniform(0, 2 * np.pi, len(step))
    dist = radius * np.sqrt(rng.uniform(0, 1, len(step)))
    return _frame(rng, east + dist * np.cos(angle), north + dist * np.sin(angle), step)
