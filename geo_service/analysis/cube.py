"""Events → the space-time cube on H3 cells and EST periods (METHODS.md §1).

Every statistic that starts from events (emerging hot spots, the scan, the backtest) aggregates
through `events_to_cube`, so they all see the same cells, the same periods and the same
left-out events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_service.analysis.cells import (
    cell_resolution,
    factorize_cells,
    points_to_cells,
    validate_resolution,
)
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.periods import (
    TIMEZONE,
    default_anchor,
    default_end,
    last_complete_index,
    local_midnight_at_or_before,
    parse_period,
    period_index,
    period_start,
    to_local_date,
    to_utc,
)

MIN_PERIODS = 3


@dataclass(frozen=True)
class EventCube:
    """The non-empty bins of a cube and how the events were mapped onto it.

    `counts` has `cell` (int64), `period` (position in `period_starts`), `value` (count or
    weight sum) and `events`; `event_codes`/`event_steps` locate each kept event (for methods
    that permute events), with `cells` the distinct int64 cells those codes index.
    """

    counts: pd.DataFrame
    period_starts: pd.DatetimeIndex
    cells: np.ndarray
    event_codes: np.ndarray
    event_steps: np.ndarray
    days: int
    anchor: dt.date
    end: pd.Timestamp
    left_out: int
    missing_time: int


def check_resolution(cells: np.ndarray, resolution: int | None) -> int:
    """The single resolution of `cells`; errors on mixed resolutions or a mismatch."""
    res = np.unique(cell_resolution(cells))
    if len(res) > 1:
        raise AnalysisError("invalid_cell", f"cells of mixed H3 resolutions: {res.tolist()}")
    found = int(res[0])
    if resolution is not None and found != resolution:
        raise AnalysisError(
            "resolution_mismatch", f"cells are at resolution {found}, expected {resolution}"
        )
    return found


def event_cells(events: pd.DataFrame, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct int64 cells) of the events, from `cell` or from `lat`/`lon`."""
    if "cell" in events.columns:
        codes, cells = factorize_cells(events["cell"])
        check_resolution(cells, resolution)
        return codes, cells
    if {"lat", "lon"} <= set(events.columns):
        return points_to_cells(
            events["lat"].to_numpy(np.float64), events["lon"].to_numpy(np.float64), resolution
        )
    raise AnalysisError("invalid_events", "events need a 'cell' column or 'lat' and 'lon'")


def aggregate_codes(
    codes: np.ndarray, cells: np.ndarray, steps: np.ndarray, weights: np.ndarray | None
) -> pd.DataFrame:
    """Counts per (cell, step) from event cell codes into `cells`: the non-empty bins only.

    Columns `cell` (int64), `period` (step index), `value` (count or weight sum), `events`.
    """
    n_steps = int(steps.max()) + 1
    flat = codes.astype(np.int64) * n_steps + steps
    size = len(cells) * n_steps
    events = np.bincount(flat, minlength=size)
    values = events if weights is None else np.bincount(flat, weights=weights, minlength=size)
    nz = np.flatnonzero(events)
    return pd.DataFrame(
        {
            "cell": cells[nz // n_steps],
            "period": nz % n_steps,
            "value": values[nz].astype(np.float64),
            "events": events[nz],
        }
    )


def aggregate_events(
    cells: np.ndarray, steps: np.ndarray, weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Counts per (int64 cell, step index ≥ 0) of events: the cube rows the core expects."""
    codes, uniques = pd.factorize(np.asarray(cells, dtype=np.int64))
    return aggregate_codes(codes, np.asarray(uniques, dtype=np.int64), steps, weights)


def exact_end(end: object) -> pd.Timestamp:
    """A user-given end as a Stockholm timestamp (dates and 'YYYY-MM-DD' mean local midnight)."""
    if isinstance(end, str) and len(end.strip()) == 10:
        return local_midnight_at_or_before(end)
    if isinstance(end, dt.date) and not isinstance(end, dt.datetime):
        return local_midnight_at_or_before(end)
    return to_utc([end])[0].tz_convert(TIMEZONE)


def events_to_cube(
    events: pd.DataFrame,
    *,
    resolution: int,
    period: str | int = "14D",
    anchor: object = None,
    end: object = None,
    value: str | None = None,
    min_periods: int = MIN_PERIODS,
) -> EventCube:
    """Aggregate events (`occurred_at` plus `cell` or `lat`/`lon`) into the periods' cube.

    Periods are `anchor + k·period` in Europe/Stockholm. `end` (exclusive) defaults to the
    Stockholm midnight after the latest event; `anchor` defaults to the date of `end`, so the
    last period ends exactly there. Steps run from the period of the earliest event to the
    last complete period (period end ≤ end); later events are left out.
    """
    resolution = validate_resolution(resolution)
    days = parse_period(period)
    if not isinstance(events, pd.DataFrame) or "occurred_at" not in events.columns:
        raise AnalysisError("invalid_events", "events must be a DataFrame with 'occurred_at'")
    if value is not None and value not in events.columns:
        raise AnalysisError("invalid_value", f"events have no column {value!r}")
    if len(events) == 0:
        raise AnalysisError("no_events", "no events for this selection")

    times = to_utc(events["occurred_at"])
    known = ~np.asarray(times.isna())
    codes, cells = event_cells(events, resolution)
    weights = None if value is None else events[value].to_numpy(dtype=np.float64)
    if weights is not None and not np.isfinite(weights[known]).all():
        raise AnalysisError("invalid_value", f"column {value!r} has missing values")
    if not known.any():
        raise AnalysisError("no_events", "no events for this selection")

    end_ts = default_end(times[known].max()) if end is None else exact_end(end)
    anchor_date = default_anchor(end_ts) if anchor is None else to_local_date(anchor)
    steps = np.full(len(events), np.iinfo(np.int64).max)
    steps[known] = period_index(times[known], anchor_date, days)
    last = last_complete_index(end_ts, anchor_date, days)
    keep = steps <= last
    if not keep.any():
        raise AnalysisError("no_events", "no events for this selection (before the end date)")
    first = int(steps[keep].min())
    n_periods = last - first + 1
    if n_periods < min_periods:
        raise AnalysisError(
            "too_few_periods",
            f"at least {min_periods} complete periods of {days} days are needed, "
            f"the selection covers {n_periods}",
        )
    kept_codes, kept_steps = codes[keep], steps[keep] - first
    counts = aggregate_codes(
        kept_codes, cells, kept_steps, None if weights is None else weights[keep]
    )
    return EventCube(
        counts=counts,
        period_starts=pd.DatetimeIndex(period_start(np.arange(first, last + 1), anchor_date, days)),
        cells=cells,
        event_codes=kept_codes,
        event_steps=kept_steps,
        days=days,
        anchor=anchor_date,
        end=end_ts,
        left_out=len(events) - int(keep.sum()),
        missing_time=int((~known).sum()),
    )
