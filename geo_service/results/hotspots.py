"""Hotspot cells of a run, one page at a time, for the JSON and GeoJSON hotspot endpoints.

Counts below k become null for callers who must not see them. A period narrows z, p and the
count to that period's bin; a bounding box or a place narrows the cells.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from geo_service.config import TIMEZONE
from geo_service.errors import NotFound, NotFoundError
from geo_service.privacy import hidden_periods_sum
from geo_service.results.runs import resolve_run

_PERIOD_JOIN = (
    "JOIN analysis_bin b ON b.municipality_code = c.municipality_code "
    "AND b.run_id = c.run_id AND b.cell = c.cell "
    "AND (b.period_start AT TIME ZONE :tz)::date = :period"
)
_PLACE_EXISTS = text("SELECT 1 FROM place WHERE municipality_code = :mc AND id = :id")
_PERIOD_EXISTS = text(
    "SELECT 1 FROM analysis_bin WHERE municipality_code = :mc AND run_id = :run "
    "AND (period_start AT TIME ZONE :tz)::date = :period LIMIT 1"
)
_FROM = "FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell"
_FLOATS = (
    "hot_share",
    "cold_share",
    "trend_tau",
    "trend_p",
    "z_trend_tau",
    "z_trend_p",
    "count_trend_tau",
    "count_trend_p",
)
_SMALL = "(:suppress AND {0} > 0 AND {0} < :k)"
_TOTAL_HIDDEN = (
    "(:suppress AND (c.total > 0 AND c.total < :k"
    f" OR {hidden_periods_sum(':k')} BETWEEN 1 AND :k - 1))"
)
"""A cell's run total is hidden when small, or when its hidden periods sum to 1..k-1."""
"""A count to hide: positive and below k, for a caller who may not see it."""


@dataclass(frozen=True)
class HotspotSelection:
    """Which cells of which run: all filters optional, one page of `limit` from `offset`."""

    run: int | None = None
    category: list[str] | None = None
    period: date | None = None
    bbox: tuple[float, float, float, float] | None = None
    place: int | None = None
    limit: int = 500
    offset: int = 0


@dataclass
class _Sql:
    """The parts of the page query that the filters decide."""

    params: dict[str, Any]
    where: list[str]
    join: str = ""
    z: str = "c.final_z"
    p: str = "c.final_p"
    last: str = "c.last_value"


def query_hotspots(
    session: Session, mc: str, f: HotspotSelection, suppress: bool, k: int, geometry: bool
) -> tuple[int, int, list[dict[str, Any]]]:
    """(run id, total, rows) of one page; counts below k become null when `suppress`."""
    run_id = resolve_run(session, mc, f.run)
    conn = session.connection()
    sql = _filters(conn, mc, run_id, f, suppress, k)
    rows = [dict(r) for r in conn.execute(text(_page(sql, geometry)), sql.params).mappings()]
    if f.period is not None and not rows and f.offset == 0:
        _check_period(conn, mc, run_id, f.period)
    if rows:
        total = int(rows[0]["n_total"])
    elif f.offset:  # past the last page: count separately
        count = (
            f"SELECT count(*) FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell {sql.join} "
        )
        where = "WHERE " + " AND ".join(sql.where)
        total = int(conn.execute(text(count + where), sql.params).scalar())
    else:
        total = 0
    for r in rows:
        r.pop("n_total")
    return run_id, total, rows


def _filters(
    conn: Connection, mc: str, run_id: int, f: HotspotSelection, suppress: bool, k: int
) -> _Sql:
    """Bound parameters, conditions and the period join for the selection."""
    params = {
        "mc": mc,
        "run": run_id,
        "k": k,
        "suppress": suppress,
        "limit": f.limit,
        "offset": f.offset,
    }
    sql = _Sql(params, ["c.municipality_code = :mc", "c.run_id = :run"])
    if f.period is not None:
        sql.join, sql.z, sql.p, sql.last = _PERIOD_JOIN, "b.z", "b.p", "b.value"
        params["period"], params["tz"] = f.period, TIMEZONE
    if f.category:
        sql.where.append("c.category = ANY(:categories)")
        params["categories"] = f.category
    if f.bbox is not None:
        sql.where.append(
            "ST_Intersects(h.geom, ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 3006))"
        )
        params.update(zip(("w", "s", "e", "n"), f.bbox, strict=True))
    if f.place is not None:
        if not conn.execute(_PLACE_EXISTS, {"mc": mc, "id": f.place}).scalar():
            raise NotFoundError("place", f.place)
        sql.where.append(
            "EXISTS (SELECT 1 FROM place pl WHERE pl.municipality_code = :mc AND pl.id = :place "
            "AND ST_Intersects(pl.geom, h.geom))"
        )
        params["place"] = f.place
    return sql


def _page(sql: _Sql, geometry: bool) -> str:
    """The page query: cells by z, small counts hidden, the total as a window count."""
    z, p, last, small = sql.z, sql.p, sql.last, _SMALL
    geom = ", ST_AsGeoJSON(h.geom_4326, 6)::json AS geometry" if geometry else ""
    floats = ", ".join(f"NULLIF(c.{c}, 'NaN') AS {c}" for c in _FLOATS)
    return f"""
        SELECT lower(to_hex(c.cell)) AS cell, h.resolution, c.category, c.confirmed, c.uncertain,
               NULLIF({z}, 'NaN') AS z, NULLIF({p}, 'NaN') AS p, {floats}, c.run_length,
               CASE WHEN {_TOTAL_HIDDEN} THEN NULL ELSE c.total END AS total,
               CASE WHEN {small.format(last)} THEN NULL ELSE {last} END AS last_value,
               ({_TOTAL_HIDDEN} OR {small.format(last)}) AS suppressed,
               count(*) OVER () AS n_total {geom}
        {_FROM} {sql.join}
        WHERE {" AND ".join(sql.where)}
        ORDER BY {z} DESC NULLS LAST, c.cell
        LIMIT :limit OFFSET :offset
    """


def _check_period(conn: Connection, mc: str, run_id: int, period: date) -> None:
    """An empty first page for a period: say so when the run has no such period."""
    params = {"mc": mc, "run": run_id, "period": period, "tz": TIMEZONE}
    if not conn.execute(_PERIOD_EXISTS, params).scalar():
        raise NotFound("unknown_period", f"Run {run_id} has no period starting {period}.")
