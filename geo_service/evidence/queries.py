"""What the evidence reads from PostGIS: a group's events, a run's events, the data version.

Events are those a run would select: not walk findings by default, never police points placed
at the municipality's centroid (a false scene that would pile up pairs at distance 0), and
only with a geometry. Times are compared with Stockholm midnights.
"""

from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.db.constants import EVENT_KINDS

DEFAULT_KINDS = [k for k in EVENT_KINDS if k != "walk_finding"]
_LOCAL_DAY = "(CAST(:{name} AS date)::timestamp AT TIME ZONE 'Europe/Stockholm')"
_SELECTED = (
    "e.municipality_code = :mc AND e.geom IS NOT NULL AND e.kind = ANY(:kinds)"
    " AND e.geocode_method <> 'municipality_centroid'"
)

WATERMARK = text("""
SELECT count(*) AS events, max(batch_id) AS last_batch_id, max(updated_at) AS last_change
FROM event WHERE municipality_code = :mc
""")

LAST_EVENT_DAY = text(f"""
SELECT max((e.occurred_at AT TIME ZONE 'Europe/Stockholm')::date)
FROM event e WHERE {_SELECTED}
""")

GROUP_EVENTS = text(f"""
SELECT e.occurred_at, ST_X(e.geom) AS x, ST_Y(e.geom) AS y
FROM event e
WHERE {_SELECTED} AND e.category = ANY(:categories)
  AND e.occurred_at >= {_LOCAL_DAY.format(name="start")}
  AND e.occurred_at < {_LOCAL_DAY.format(name="stop")}
""")

RUN_EVENTS = text(f"""
SELECT e.occurred_at, e.category, ST_X(e.geom) AS x, ST_Y(e.geom) AS y,
       ST_Y(ST_Transform(e.geom, 4326)) AS lat, ST_X(ST_Transform(e.geom, 4326)) AS lon
FROM event e
WHERE {_SELECTED}
  AND (CAST(:categories AS text[]) IS NULL OR e.category = ANY(:categories))
  AND (CAST(:sources AS text[]) IS NULL OR e.source = ANY(:sources))
  AND e.occurred_at < :end
""")


def watermark(session: Session, mc: str) -> tuple[Any, ...]:
    """The tenant's data version: event count, last import batch and last change."""
    return tuple(session.execute(WATERMARK, {"mc": mc}).one())


def last_event_day(session: Session, mc: str, kinds: list[str] | None = None) -> date | None:
    """The Stockholm date of the tenant's latest selectable event, or None without events."""
    return session.execute(LAST_EVENT_DAY, {"mc": mc, "kinds": kinds or DEFAULT_KINDS}).scalar()


def group_events(
    session: Session, mc: str, categories: list[str], start: date, stop: date
) -> pd.DataFrame:
    """Events of these categories in [start, stop) (Stockholm dates): occurred_at, x, y (3006)."""
    rows = session.execute(
        GROUP_EVENTS,
        {"mc": mc, "kinds": DEFAULT_KINDS, "categories": categories, "start": start, "stop": stop},
    ).all()
    return pd.DataFrame(rows, columns=["occurred_at", "x", "y"])


def run_events(session: Session, mc: str, params: dict[str, Any], end: datetime) -> pd.DataFrame:
    """The events a run selected (its kinds, categories, sources) before `end`.

    Columns occurred_at, category, x, y (SWEREF 99 TM) and lat, lon (WGS84).
    """
    rows = session.execute(
        RUN_EVENTS,
        {
            "mc": mc,
            "kinds": params.get("kinds") or DEFAULT_KINDS,
            "categories": params.get("categories"),
            "sources": params.get("sources"),
            "end": end,
        },
    ).all()
    return pd.DataFrame(rows, columns=["occurred_at", "category", "x", "y", "lat", "lon"])
