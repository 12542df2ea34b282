"""The space-time cube aggregated in SQL: GROUP BY cell, period over the selected events."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from geo_service.config import TIMEZONE
from geo_service.db.models import Municipality
from geo_service.grid import polygon_cells
from geo_service.runs.params import RunParams

# Same period definition as geo_service.analysis.periods.
PERIOD_SQL = (
    f"floor(((e.occurred_at AT TIME ZONE '{TIMEZONE}')::date - CAST(:anchor AS date))"
    "::float8 / :days)::int"
)


def _filters(params: RunParams) -> tuple[str, dict[str, object]]:
    clauses = ["e.municipality_code = :mc", "e.h3_r10 IS NOT NULL", "e.kind = ANY(:kinds)"]
    values: dict[str, object] = {"kinds": params.kinds}
    if not params.include_centroids:
        clauses.append("e.geocode_method <> 'municipality_centroid'")
    if params.categories:
        clauses.append("e.category = ANY(:categories)")
        values["categories"] = params.categories
    if params.sources:
        clauses.append("e.source = ANY(:sources)")
        values["sources"] = params.sources
    return " AND ".join(clauses), values


def period_range(
    conn: Connection, mc: str, params: RunParams, today: date
) -> tuple[int, int] | None:
    """First and last period index of the run (last = last complete period by `to_date`)."""
    where, values = _filters(params)
    to = params.to_date or today
    last = (to - params.anchor).days // params.period_days - 1
    if params.from_date:
        first = -((params.anchor - params.from_date).days // params.period_days)
    else:
        first = conn.execute(
            text(f"SELECT min({PERIOD_SQL}) FROM event e WHERE {where}"),
            {"mc": mc, "anchor": params.anchor, "days": params.period_days} | values,
        ).scalar()
        if first is None:
            return None
    return max(first, last - params.max_periods + 1), last


def period_start_dates(params: RunParams, first: int, last: int) -> list[date]:
    return [params.anchor + timedelta(days=params.period_days * i) for i in range(first, last + 1)]


def aggregate(
    conn: Connection, mc: str, params: RunParams, first: int, last: int, resolution: int
) -> pd.DataFrame:
    """Rows (cell int64, period index, value, events): counts or harm-weighted sums per bin."""
    where, values = _filters(params)
    weight = "t.harm_weight" if params.value == "harm" else "1"
    sql = f"""
        SELECT h3_parent(e.h3_r10, :res) AS cell, {PERIOD_SQL} AS period, sum({weight}) AS value,
               count(*) AS events
        FROM event e
        JOIN taxonomy t ON t.municipality_code = e.municipality_code AND t.code = e.category
        WHERE {where}
          AND e.occurred_at >= (CAST(:start AS date)::timestamp AT TIME ZONE '{TIMEZONE}')
          AND e.occurred_at < (CAST(:stop AS date)::timestamp AT TIME ZONE '{TIMEZONE}')
        GROUP BY 1, 2
    """
    starts = period_start_dates(params, first, last + 1)
    rows = conn.execute(
        text(sql),
        {
            "mc": mc,
            "res": resolution,
            "anchor": params.anchor,
            "days": params.period_days,
            "start": starts[0],
            "stop": starts[-1],
        }
        | values,
    ).all()
    frame = pd.DataFrame(rows, columns=["cell", "period", "value", "events"])
    return frame.astype({"cell": np.int64, "period": np.int64, "value": float, "events": np.int64})


def boundary_cells(municipality: Municipality, conn: Connection, resolution: int) -> list[str]:
    """H3 cells that overlap the municipality boundary (the default study area)."""
    wkb = conn.execute(
        text(
            "SELECT ST_AsBinary(ST_Transform(boundary, 4326)) FROM municipality "
            "WHERE municipality_code = :mc"
        ),
        {"mc": municipality.municipality_code},
    ).scalar()
    if wkb is None:
        return []
    return polygon_cells(shapely.from_wkb(bytes(wkb)), resolution)


def recent_events(
    conn: Connection, mc: str, params: RunParams, since: date, until: date
) -> pd.DataFrame:
    """The selected events of [since, until) (Stockholm dates) with their SWEREF 99 TM point.

    Columns id, occurred_at, category, x, y: the input of the run's point clusters.
    """
    where, values = _filters(params)
    sql = f"""
        SELECT e.id, e.occurred_at, e.category, ST_X(e.geom) AS x, ST_Y(e.geom) AS y
        FROM event e
        WHERE {where} AND e.geom IS NOT NULL
          AND e.occurred_at >= (CAST(:start AS date)::timestamp AT TIME ZONE '{TIMEZONE}')
          AND e.occurred_at < (CAST(:stop AS date)::timestamp AT TIME ZONE '{TIMEZONE}')
    """
    rows = conn.execute(text(sql), {"mc": mc, "start": since, "stop": until} | values).all()
    return pd.DataFrame(rows, columns=["id", "occurred_at", "category", "x", "y"])
