"""A run's periods and, for one period, the Gi* bin of each significant cell: how the hot spots
developed, for the dashboard's period slider.

The bins come from the stored run (analysis_bin), so a past period shows what that run saw
then. A cell's id is the one the hotspot tiles carry (its H3 index shifted past unused digits).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM, TIMEZONE
from geo_service.errors import NotFound
from geo_service.results.runs import resolve_run

_RUN = text(
    "SELECT resolution, period_start, n_periods, coalesce((params->>'period_days')::int, 14) "
    "FROM analysis_run WHERE municipality_code = :mc AND id = :run"
)

_COUNTS = text("""
SELECT (period_start AT TIME ZONE :tz)::date AS start,
       count(*) FILTER (WHERE hot) AS hot, count(*) FILTER (WHERE cold) AS cold
FROM analysis_bin WHERE municipality_code = :mc AND run_id = :run
GROUP BY 1
""")

# Significant cells of one period; the bin's sign says hot or cold, its size the confidence.
_BINS = text("""
SELECT b.cell >> ((15 - :res) * 3) AS id, lower(to_hex(b.cell)) AS cell,
       round(b.z::numeric, 3)::float8 AS z,
       sign(b.z)::int * CASE WHEN b.p < 0.01 THEN 3 WHEN b.p < 0.05 THEN 2 ELSE 1 END AS bin,
       CASE WHEN :suppress AND b.value > 0 AND b.value < :k THEN NULL
            ELSE b.value::int END AS count
FROM analysis_bin b
WHERE b.municipality_code = :mc AND b.run_id = :run
  AND (b.period_start AT TIME ZONE :tz)::date = :period
  AND b.p < 0.1 AND b.z <> 0 AND b.z = b.z
ORDER BY b.z DESC, b.cell
""")


@dataclass(frozen=True)
class RunPeriods:
    """A run's periods, oldest first, with how many cells were hot or cold in each."""

    run_id: int
    period_days: int
    periods: list[dict[str, Any]]


def run_periods(session: Session, mc: str, run_id: int | None) -> RunPeriods:
    """Every period of the run (start, last day inclusive, hot and cold cells)."""
    run = resolve_run(session, mc, run_id)
    params = {"mc": mc, "run": run, "tz": TIMEZONE}
    _, start, n, days = session.execute(_RUN, params).one()
    counts = {r.start: r for r in session.execute(_COUNTS, params)}
    first = start.astimezone(STOCKHOLM).date()
    periods = []
    for i in range(n):
        day = first + timedelta(days=i * days)
        row = counts.get(day)
        periods.append(
            {
                "start": day,
                "last_day": day + timedelta(days=days - 1),
                "hot": int(row.hot) if row else 0,
                "cold": int(row.cold) if row else 0,
            }
        )
    return RunPeriods(run, days, periods)


def period_bins(
    session: Session, mc: str, run_id: int | None, period: date, suppress: bool, k: int
) -> dict[str, Any]:
    """The significant cells of one period with their Gi* bin (±1 90 %, ±2 95 %, ±3 99 %)."""
    periods = run_periods(session, mc, run_id)
    if period not in {p["start"] for p in periods.periods}:
        raise NotFound("unknown_period", f"Run {periods.run_id} has no period starting {period}.")
    res = session.execute(_RUN, {"mc": mc, "run": periods.run_id}).one()[0]
    params = {
        "mc": mc, "run": periods.run_id, "tz": TIMEZONE, "period": period,
        "res": res, "suppress": suppress, "k": k,
    }  # fmt: skip
    cells = [dict(r) for r in session.execute(_BINS, params).mappings()]
    return {
        "run_id": periods.run_id,
        "period_start": period,
        "last_day": period + timedelta(days=periods.period_days - 1),
        "cells": cells,
    }
