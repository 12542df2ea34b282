"""Time steps of the space-time cube: `anchor + k·length` days in Europe/Stockholm.

Period k starts at local midnight of `anchor + k·length_days` (k may be negative) and ends,
exclusive, at the start of period k + 1, so a period always covers whole local days and DST
changes never shift a boundary. The same definition in SQL (PostgreSQL), for aggregating there:

    floor(((occurred_at AT TIME ZONE 'Europe/Stockholm')::date - DATE :anchor)::float8
          / :length_days)::int

(`floor` on a float, not integer division, which truncates towards zero for negative values).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo_service.analysis.errors import AnalysisError

TIMEZONE = "Europe/Stockholm"

_PERIOD_RE = re.compile(r"^\s*(\d+)\s*([DW])\s*$", re.IGNORECASE)

DateLike = dt.date | str | pd.Timestamp


def parse_period(period: str | int) -> int:
    """Length of a period in whole days from "14D", "7D", "2W" or an int."""
    if isinstance(period, bool):
        raise AnalysisError("invalid_period", f"period must be like '14D' or '2W', got {period!r}")
    if isinstance(period, int | np.integer):
        days = int(period)
    else:
        match = _PERIOD_RE.match(str(period))
        if match is None:
            raise AnalysisError(
                "invalid_period", f"period must be like '14D' or '2W', got {period!r}"
            )
        days = int(match.group(1)) * (7 if match.group(2).upper() == "W" else 1)
    if days < 1:
        raise AnalysisError("invalid_period", f"period must be at least one day, got {period!r}")
    return days


def to_local_date(value: DateLike) -> dt.date:
    """A calendar date from a date, an ISO string or a timestamp (aware → its Stockholm date)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise AnalysisError("invalid_date", f"not a date: {value!r}") from exc
    if ts is pd.NaT:
        raise AnalysisError("invalid_date", f"not a date: {value!r}")
    return (ts.tz_convert(TIMEZONE) if ts.tzinfo is not None else ts).date()


def to_utc(values: object) -> pd.DatetimeIndex:
    """Timestamps as a UTC DatetimeIndex; naive values are taken as UTC (the events convention)."""
    try:
        return pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    except (ValueError, TypeError) as exc:
        raise AnalysisError("invalid_timestamp", f"timestamps could not be read: {exc}") from exc


def _local_days(timestamps: object) -> np.ndarray:
    """Days since 1970-01-01 of each timestamp's Stockholm calendar date (int64)."""
    local = to_utc(timestamps).tz_convert(TIMEZONE).tz_localize(None)
    return local.values.astype("datetime64[D]").astype(np.int64)


def _epoch_day(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days


def period_index(timestamps: object, anchor: DateLike, length_days: int) -> np.ndarray:
    """Index k of the period holding each timestamp; period 0 starts at `anchor`."""
    days = _local_days(timestamps) - _epoch_day(to_local_date(anchor))
    return np.floor_divide(days, int(length_days)).astype(np.int64)


def period_start(
    index: Sequence[int] | np.ndarray | int, anchor: DateLike, length_days: int
) -> pd.Timestamp | pd.DatetimeIndex:
    """Start (local midnight, tz-aware Europe/Stockholm) of period `index`."""
    idx = np.asarray(index, dtype=np.int64)
    days = np.datetime64(to_local_date(anchor), "D") + idx * int(length_days)
    starts = pd.DatetimeIndex(np.atleast_1d(days).astype("datetime64[ns]")).tz_localize(TIMEZONE)
    return starts[0] if idx.ndim == 0 else starts


def local_midnight_at_or_before(value: object) -> pd.Timestamp:
    """The latest Stockholm midnight ≤ `value`; dates and ISO date strings mean their midnight."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return pd.Timestamp(value).tz_localize(TIMEZONE)
    if isinstance(value, str) and len(value.strip()) == 10:  # "YYYY-MM-DD": local midnight
        return pd.Timestamp(to_local_date(value)).tz_localize(TIMEZONE)
    return to_utc([value])[0].tz_convert(TIMEZONE).normalize()


def default_end(latest: object) -> pd.Timestamp:
    """Default end of the analysis: Stockholm midnight after the latest event.

    The day of the latest event counts as complete, so the final period includes it.
    """
    return local_midnight_at_or_before(latest) + pd.DateOffset(days=1)


def default_anchor(end: object) -> dt.date:
    """Default anchor: the date of the (exclusive) end, so the final period ends exactly there."""
    return local_midnight_at_or_before(end).date()


def last_complete_index(end: object, anchor: DateLike, length_days: int) -> int:
    """Index of the last period whose (exclusive) end is ≤ `end`."""
    end_day = _epoch_day(local_midnight_at_or_before(end).date())
    return int((end_day - _epoch_day(to_local_date(anchor))) // int(length_days)) - 1


def period_starts(
    first: object, end: object, anchor: DateLike, length_days: int
) -> pd.DatetimeIndex:
    """Starts of the periods from the one holding `first` to the last complete one before `end`.

    These are the time steps of the cube; the result may be empty.
    """
    k0 = int(period_index([first], anchor, length_days)[0])
    k1 = last_complete_index(end, anchor, length_days)
    return period_start(np.arange(k0, k1 + 1), anchor, length_days)
