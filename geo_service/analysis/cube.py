"""Events → the space-time cube on H3 cells and EST periods.

Every statistic that starts from events (emerging hot spots, the scan, the backtest) aggregates
through `events_to_cube`, so they all see the same cells, the same periods and the same
left-out events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo_service.analysis.cells import (
    cell_resolution,
    factorize_cells,
    grid_disk_cells,
    points_to_cells,
    validate_resolution,
)
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.notices import notice
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

    def notices(self) -> list[dict[str, str]]:
        """The warning for events without a time, if there were any."""
        if not self.missing_time:
            return []
        n = self.missing_time
        return [
            notice(
                "missing_time",
                f"{n} händelser saknar tidpunkt och räknas inte.",
                f"{n} events have no time and are not counted.",
            )
        ]

    def params(self) -> dict[str, object]:
        """What aggregating the events decided, for a result's `params`."""
        return {
            "period": f"{self.days}D",
            "period_days": self.days,
            "anchor": self.anchor.isoformat(),
            "end": self.end.isoformat(),
            "events_left_out": self.left_out,
        }


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


def as_local_periods(values: object) -> pd.DatetimeIndex:
    """Period starts as a Europe/Stockholm DatetimeIndex; naive values are local times."""
    idx = pd.DatetimeIndex(pd.to_datetime(values))
    return idx.tz_localize(TIMEZONE) if idx.tz is None else idx.tz_convert(TIMEZONE)


def _period_positions(counts: pd.DataFrame, periods: pd.DatetimeIndex) -> np.ndarray:
    """Position of each counts row in `periods` (−1 if outside), from `period` or `period_start`."""
    if "period" in counts.columns:
        pos = counts["period"].to_numpy(dtype=np.int64)
        return np.where((pos >= 0) & (pos < len(periods)), pos, -1)
    if "period_start" not in counts.columns:
        raise AnalysisError(
            "invalid_counts", "counts need a 'period_start' (or integer 'period') column"
        )
    return periods.get_indexer(as_local_periods(counts["period_start"]))


def period_days(periods: pd.DatetimeIndex) -> int | None:
    """The common length of the periods in local calendar days, if they share one."""
    days = np.diff(periods.tz_localize(None).values.astype("datetime64[D]").astype(np.int64))
    return int(days[0]) if len(days) and (days == days[0]).all() else None


def _study_area(
    count_cells: np.ndarray, study_cells: Sequence[object] | None, k: int
) -> tuple[np.ndarray, str]:
    """Sorted int64 study cells and how they were chosen."""
    if study_cells is None:
        return grid_disk_cells(count_cells, k), "active"
    given = study_cells if isinstance(study_cells, np.ndarray | pd.Series) else list(study_cells)
    cells = np.unique(factorize_cells(given)[1])
    if len(cells) == 0:
        raise AnalysisError("empty_study_area", "the study area has no cells")
    return cells, "given"


def _bins_from_counts(
    counts: pd.DataFrame,
    codes: np.ndarray,
    count_cells: np.ndarray,
    cells: np.ndarray,
    periods: pd.DatetimeIndex,
) -> tuple[np.ndarray, np.ndarray, list[dict[str, str]]]:
    """Dense (cells × periods) value and event-count matrices; rows outside are dropped.

    `codes` index each counts row into the distinct `count_cells`; `cells` is the study area.
    """
    values = counts["value"].to_numpy(dtype=np.float64)
    events = counts["events"].to_numpy(dtype=np.float64) if "events" in counts.columns else values
    if not np.isfinite(values).all() or not np.isfinite(events).all():
        raise AnalysisError("invalid_value", "counts contain missing or infinite values")
    found = np.minimum(np.searchsorted(cells, count_cells), len(cells) - 1)
    row = found[codes]
    in_area = (cells[found] == count_cells)[codes]
    col = _period_positions(counts, periods)
    in_time = col >= 0
    warnings = []
    if not in_area.all():
        n_out = int(events[~in_area].sum())
        warnings.append(
            notice(
                "outside_study_area",
                f"{n_out} händelser ligger utanför analysområdet och räknas inte.",
                f"{n_out} events lie outside the study area and are not counted.",
            )
        )
    if not in_time.all():
        n_out = int(events[in_area & ~in_time].sum())
        if n_out:
            warnings.append(
                notice(
                    "outside_periods",
                    f"{n_out} händelser ligger utanför analysens perioder och räknas inte.",
                    f"{n_out} events fall outside the analysed periods and are not counted.",
                )
            )
    keep = in_area & in_time
    flat = row[keep] * len(periods) + col[keep]
    size = len(cells) * len(periods)
    shape = (len(cells), len(periods))
    value_cube = np.bincount(flat, weights=values[keep], minlength=size).reshape(shape)
    event_cube = np.bincount(flat, weights=events[keep], minlength=size).reshape(shape)
    return value_cube, event_cube, warnings


@dataclass(frozen=True)
class DenseCube:
    """A cube as dense (cells × periods) matrices over the study area.

    `values` are counts or weight sums, `events` event counts; `cells` are the sorted int64
    study cells, chosen by the caller (`given`) or as the cells with events plus grid_disk(k)
    (`active`).
    """

    cells: np.ndarray
    periods: pd.DatetimeIndex
    values: np.ndarray
    events: np.ndarray
    resolution: int
    study_area: str
    warnings: list[dict[str, str]]


def dense_cube(
    counts: pd.DataFrame,
    study_cells: Sequence[object] | None,
    period_starts: Sequence[object] | pd.DatetimeIndex,
    *,
    k: int = 1,
    resolution: int | None = None,
) -> DenseCube:
    """The dense cube of aggregated counts (rows per non-empty bin; unlisted bins are zeros).

    `counts`: `cell` (H3 int64 or hex), `period_start` (one of `period_starts`) or `period`
    (its position), `value`, and optionally `events` (event counts; default `value`).
    """
    if resolution is not None:
        resolution = validate_resolution(resolution)
    missing = {"cell", "value"} - set(counts.columns)
    if missing:
        raise AnalysisError("invalid_counts", f"counts lack columns: {sorted(missing)}")
    periods = as_local_periods(list(period_starts))
    if len(periods) < MIN_PERIODS:
        raise AnalysisError(
            "too_few_periods",
            f"at least {MIN_PERIODS} complete periods are needed, the selection has {len(periods)}",
        )
    if not periods.is_monotonic_increasing or not periods.is_unique:
        raise AnalysisError("invalid_periods", "period starts must be strictly increasing")
    if len(counts) == 0:
        raise AnalysisError("no_events", "no events for this selection")
    codes, count_cells = factorize_cells(counts["cell"])
    cells, study_area = _study_area(count_cells, study_cells, int(k))
    res = check_resolution(np.union1d(cells, count_cells), resolution)
    values, events, warnings = _bins_from_counts(counts, codes, count_cells, cells, periods)
    if events.sum() <= 0 and not values.any():
        raise AnalysisError("no_events", "no events for this selection")
    return DenseCube(cells, periods, values, events, res, study_area, warnings)
