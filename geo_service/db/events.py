"""Reading events for the API: raw events one page at a time, one event, counts per H3 cell.

Every query is scoped to one tenant; reporters see only their own observations. Filters are
bound parameters, never text from the request.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

COLUMNS = """
  e.id, e.kind, e.category, e.source, e.occurred_at, e.severity,
  ST_X(e.geom) AS x, ST_Y(e.geom) AS y,
  ST_X(ST_Transform(e.geom, 4326)) AS lon, ST_Y(ST_Transform(e.geom, 4326)) AS lat,
  lower(to_hex(e.h3_r9)) AS h3_r9, e.place_id, e.geocode_method, e.description, e.created_by
"""
_BBOX = "e.geom && ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 3006)"


@dataclass(frozen=True)
class EventFilter:
    """Which events: of a kind and category, in [since, until), in a WGS84 bounding box."""

    kind: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None

    def conditions(self, params: dict[str, Any]) -> list[str]:
        """SQL conditions on `event e` for the given filters; their values go into `params`."""
        where = []
        for name, value, condition in (
            ("kind", self.kind, "e.kind = :kind"),
            ("category", self.category, "e.category = :category"),
            ("since", self.since, "e.occurred_at >= :since"),
            ("until", self.until, "e.occurred_at < :until"),
        ):
            if value is not None:
                where.append(condition)
                params[name] = value
        if self.bbox is not None:
            where.append(_BBOX)
            params.update(zip(("w", "s", "e", "n"), self.bbox, strict=True))
        return where


def _scope(mc: str, own: str | None, params: dict[str, Any]) -> list[str]:
    """Tenant scope, plus only the observations created by `own` when given (reporters)."""
    params["mc"] = mc
    where = ["e.municipality_code = :mc"]
    if own is not None:
        where += ["e.kind = 'observation'", "e.created_by = :actor"]
        params["actor"] = own
    return where


def event_page(
    conn: Connection, mc: str, own: str | None, f: EventFilter, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """(total, rows, filter values) of one page of raw events, newest first."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    clause = " AND ".join([*_scope(mc, own, params), *f.conditions(params)])
    total = conn.execute(text(f"SELECT count(*) FROM event e WHERE {clause}"), params).scalar()
    rows = conn.execute(
        text(
            f"SELECT {COLUMNS} FROM event e WHERE {clause} "
            "ORDER BY e.occurred_at DESC, e.id DESC LIMIT :limit OFFSET :offset"
        ),
        params,
    ).mappings()
    return total or 0, [dict(r) for r in rows], params


def event_by_id(conn: Connection, mc: str, own: str | None, event_id: int) -> dict | None:
    """One raw event of the tenant (of `own` when given), or None."""
    params: dict[str, Any] = {"id": event_id}
    clause = " AND ".join([*_scope(mc, own, params), "e.id = :id"])
    row = conn.execute(text(f"SELECT {COLUMNS} FROM event e WHERE {clause}"), params)
    found = row.mappings().one_or_none()
    return dict(found) if found is not None else None


def counts_per_cell(
    conn: Connection, mc: str, resolution: int, f: EventFilter
) -> list[tuple[str, int]]:
    """(hex cell, events) at an H3 resolution (5–10), most events first; located events only."""
    column = f"e.h3_r{resolution}" if resolution >= 8 else f"h3_parent(e.h3_r8, {resolution})"
    params: dict[str, Any] = {"mc": mc}
    where = [
        "e.municipality_code = :mc",
        "e.h3_r8 IS NOT NULL",
        "e.geocode_method <> 'municipality_centroid'",
        *f.conditions(params),
    ]
    rows = conn.execute(
        text(
            f"SELECT lower(to_hex({column})) AS cell, count(*) AS count FROM event e "
            f"WHERE {' AND '.join(where)} GROUP BY {column} ORDER BY 2 DESC, 1"
        ),
        params,
    ).all()
    return [(cell, count) for cell, count in rows]
