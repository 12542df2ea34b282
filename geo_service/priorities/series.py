"""A place's counts per period against its usual level, with the meetings marked: the chart in
the dashboard's place panel.

The events counted are those the priority score counts (linked to the place or inside it, of
the run's kinds), and the periods are the run's, so the last period's count is the change
test's `current` and its usual level is the change test's baseline per period.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM
from geo_service.db.tenants import require_municipality
from geo_service.priorities.config import config_from_settings
from geo_service.priorities.inputs import DEFAULT_KINDS, PLACE_GEOM, with_walk_findings
from geo_service.priorities.places import get_place
from geo_service.priorities.service import run_for_meeting

_COUNTS = text(f"""
SELECT width_bucket(e.occurred_at, CAST(:bounds AS timestamptz[])) AS i, count(*) AS n
FROM place p
JOIN event e ON e.municipality_code = p.municipality_code
 AND (e.place_id = p.id OR ST_Intersects({PLACE_GEOM}, e.geom))
WHERE p.municipality_code = :mc AND p.id = :id AND e.occurred_at >= :start
  AND e.occurred_at < :end AND e.kind = ANY(:kinds)
GROUP BY 1
""")

_MEETINGS = text("""
SELECT meeting_date FROM meeting_snapshot
WHERE municipality_code = :mc AND meeting_date BETWEEN :first AND :last ORDER BY 1
""")


def period_bounds(end: datetime, days: int, n: int) -> list[datetime]:
    """n + 1 local midnights, `days` apart, the last one `end` (wall-clock steps across DST)."""
    local_end = end.astimezone(STOCKHOLM)
    return [local_end - timedelta(days=days * i) for i in range(n, -1, -1)]


def place_series(
    session: Session, mc: str, place_id: int, meeting: date, n_periods: int, suppress: bool, k: int
) -> dict[str, Any]:
    """The place's last `n_periods` counts from the meeting's run, each with its usual level
    (the mean of the `baseline_periods` periods before it); counts and levels below k are
    null when `suppress`."""
    place = get_place(session, mc, place_id)
    run = run_for_meeting(session, mc, meeting)
    baseline = config_from_settings(require_municipality(session, mc).settings).baseline_periods
    days = int(run.params.get("period_days", 14))
    bounds = period_bounds(run.period_end, days, n_periods + baseline)
    counts = [0] * (n_periods + baseline)
    params = {
        "mc": mc, "id": place_id, "bounds": bounds, "start": bounds[0], "end": bounds[-1],
        "kinds": with_walk_findings(list(run.params.get("kinds") or DEFAULT_KINDS)),
    }  # fmt: skip
    for i, n in session.execute(_COUNTS, params):
        counts[i - 1] = int(n)
    periods = []
    for j in range(baseline, n_periods + baseline):
        window = counts[j - baseline : j]
        # A level whose window holds a hidden count would give it back (level × n − shown counts).
        hidden = any(_shown(c, c, suppress, k) is None for c in [*window, sum(window)])
        periods.append(
            {
                "start": bounds[j].date(),
                "last_day": bounds[j + 1].date() - timedelta(days=1),
                "count": _shown(counts[j], counts[j], suppress, k),
                "usual": None if hidden else round(sum(window) / baseline, 2),
            }
        )
    first, last = periods[0]["start"], meeting
    marked = {d for (d,) in session.execute(_MEETINGS, {"mc": mc, "first": first, "last": last})}
    return {
        "place_id": place_id,
        "name": place["name"],
        "meeting_date": meeting,
        "run_id": run.id,
        "period_days": days,
        "baseline_periods": baseline,
        "periods": periods,
        "meetings": sorted(marked | {meeting}),
    }


def _shown(value: float, events: int, suppress: bool, k: int) -> float | None:
    """value, or None when the events behind it are positive and fewer than k for a caller
    who may not see small counts."""
    return None if suppress and 0 < events < k else value
