"""Raw events (analyst, coordinator, admin; reporters their own observations) and cell counts.

Every raw read is written to audit_log. Event counts are aggregates for everyone; cells below k
are left out for viewer, reporter and anonymous callers.
"""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import text

from geo_service.api.auth import Principal, audit
from geo_service.api.deps import AggregateReader, EventReader, SessionDep, SettingsDep
from geo_service.api.problems import problem_responses
from geo_service.api.routers.hotspots import parse_bbox
from geo_service.api.schemas.serving import EventCountList, EventList, EventOut
from geo_service.db.constants import EVENT_KINDS
from geo_service.errors import GeoServiceError, NotFoundError

router = APIRouter(tags=["events"])
KIND = Query(None, pattern="^(" + "|".join(EVENT_KINDS) + ")$")

_COLUMNS = """
  e.id, e.kind, e.category, e.source, e.occurred_at, e.severity,
  ST_X(e.geom) AS x, ST_Y(e.geom) AS y,
  ST_X(ST_Transform(e.geom, 4326)) AS lon, ST_Y(ST_Transform(e.geom, 4326)) AS lat,
  lower(to_hex(e.h3_r9)) AS h3_r9, e.place_id, e.geocode_method, e.description, e.created_by
"""


def _where(principal: Principal, params: dict[str, Any]) -> list[str]:
    """Tenant scope, plus own observations only for reporters."""
    where = ["e.municipality_code = :mc"]
    if principal.role == "reporter":
        where += ["e.kind = 'observation'", "e.created_by = :actor"]
        params["actor"] = principal.actor
    return where


def _check_range(since: datetime | None, until: datetime | None) -> None:
    if since and until and since >= until:
        raise GeoServiceError("invalid_time_range", "`since` must be before `until`.")


@router.get(
    "/events",
    response_model=EventList,
    responses=problem_responses(400, 401, 403, 422),
    summary="Raw events (audited)",
)
def list_events(
    principal: EventReader,
    session: SessionDep,
    kind: str | None = KIND,
    category: str | None = Query(None, max_length=40),
    since: datetime | None = Query(None, description="occurred_at ≥ since"),
    until: datetime | None = Query(None, description="occurred_at < until"),
    bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat (WGS84)."),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10**7),
) -> EventList:
    """Raw events with exact points and free text, newest first; the read is audited."""
    _check_range(since, until)
    box = parse_bbox(bbox)
    params: dict[str, Any] = {"mc": principal.municipality_code, "limit": limit, "offset": offset}
    where = _where(principal, params)
    for name, value, cond in (
        ("kind", kind, "e.kind = :kind"),
        ("category", category, "e.category = :category"),
        ("since", since, "e.occurred_at >= :since"),
        ("until", until, "e.occurred_at < :until"),
    ):
        if value is not None:
            where.append(cond)
            params[name] = value
    if box is not None:
        where.append("e.geom && ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 3006)")
        params.update(zip(("w", "s", "e", "n"), box, strict=True))
    clause = " AND ".join(where)
    total = session.execute(text(f"SELECT count(*) FROM event e WHERE {clause}"), params).scalar()
    rows = session.execute(
        text(
            f"SELECT {_COLUMNS} FROM event e WHERE {clause} "
            "ORDER BY e.occurred_at DESC, e.id DESC LIMIT :limit OFFSET :offset"
        ),
        params,
    ).mappings()
    items = [EventOut.model_validate(dict(r)) for r in rows]
    detail = {k: str(v) for k, v in params.items() if k not in ("mc", "actor")}
    audit(session, principal, "event.read", "event", detail | {"returned": len(items)})
    return EventList(total=total or 0, limit=limit, offset=offset, items=items)


@router.get(
    "/events/{event_id}",
    response_model=EventOut,
    responses=problem_responses(401, 403, 404, 422),
    summary="One raw event (audited)",
)
def get_event(
    principal: EventReader,
    session: SessionDep,
    event_id: int = Path(ge=1, le=2**62),
) -> EventOut:
    """One raw event; the read is audited."""
    params: dict[str, Any] = {"mc": principal.municipality_code, "id": event_id}
    clause = " AND ".join([*_where(principal, params), "e.id = :id"])
    row = session.execute(text(f"SELECT {_COLUMNS} FROM event e WHERE {clause}"), params)
    found = row.mappings().one_or_none()
    if found is None:
        raise NotFoundError("event", event_id)
    audit(session, principal, "event.read", f"event/{event_id}", {})
    return EventOut.model_validate(dict(found))


@router.get(
    "/event-counts",
    response_model=EventCountList,
    responses=problem_responses(400, 401, 403, 422),
    summary="Events per H3 cell",
)
def event_counts(
    principal: AggregateReader,
    session: SessionDep,
    settings: SettingsDep,
    resolution: int = Query(8, ge=5, le=10, description="H3 resolution of the cells."),
    kind: str | None = KIND,
    category: str | None = Query(None, max_length=40),
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
) -> EventCountList:
    """Events per H3 cell; for viewer, reporter and anonymous cells below k are left out."""
    _check_range(since, until)
    k = settings.k_suppression
    column = f"h3_r{resolution}" if resolution >= 8 else f"h3_parent(h3_r8, {resolution})"
    params: dict[str, Any] = {"mc": principal.municipality_code}
    where = ["municipality_code = :mc", "h3_r8 IS NOT NULL",
             "geocode_method <> 'municipality_centroid'"]  # fmt: skip
    for name, value, cond in (
        ("kind", kind, "kind = :kind"),
        ("category", category, "category = :category"),
        ("since", since, "occurred_at >= :since"),
        ("until", until, "occurred_at < :until"),
    ):
        if value is not None:
            where.append(cond)
            params[name] = value
    rows = session.execute(
        text(
            f"SELECT lower(to_hex({column})) AS cell, count(*) AS count FROM event "
            f"WHERE {' AND '.join(where)} GROUP BY {column} ORDER BY 2 DESC, 1"
        ),
        params,
    ).all()
    kept = [r for r in rows if not principal.suppressed or r.count >= k]
    return EventCountList(
        municipality_code=principal.municipality_code,
        resolution=resolution,
        k=k,
        suppressed_cells=len(rows) - len(kept),
        items=[{"cell": c, "count": n} for c, n in kept],
    )
