"""Raw events (analyst, coordinator, admin; reporters their own observations) and cell counts.

Every raw read is written to audit_log. Event counts are aggregates for everyone; cells below k
are left out for viewer, reporter and anonymous callers.
"""

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Path, Query

from geo_service.api.auth import Principal, audit
from geo_service.api.deps import AggregateReader, EventReader, SessionDep
from geo_service.api.problems import BAD_INPUT, NOT_FOUND, TENANT_ERRORS
from geo_service.api.routers.hotspots import parse_bbox
from geo_service.api.routes import api_router
from geo_service.api.schemas.fields import Moment
from geo_service.api.schemas.serving import EventCountList, EventList, EventOut
from geo_service.db.constants import EVENT_KINDS
from geo_service.db.events import EventFilter, counts_per_cell, event_by_id, event_page
from geo_service.errors import GeoServiceError, NotFoundError
from geo_service.privacy import SUPPRESSED_RESOLUTION, refuse_narrowing

router = api_router(tags=["events"], responses=TENANT_ERRORS)
KIND = Query(None, pattern="^(" + "|".join(EVENT_KINDS) + ")$")


def _own(principal: Principal) -> str | None:
    """Reporters read only their own observations."""
    return principal.actor if principal.role == "reporter" else None


def event_filter(
    kind: str | None = KIND,
    category: str | None = Query(None, max_length=40),
    since: Moment | None = Query(None, description="occurred_at ≥ since"),
    until: Moment | None = Query(None, description="occurred_at < until"),
) -> EventFilter:
    """The filters raw events and counts share; `since` must be before `until`."""
    if since and until and since >= until:
        raise GeoServiceError("invalid_time_range", "`since` must be before `until`.")
    return EventFilter(kind, category, since, until)


Filter = Annotated[EventFilter, Depends(event_filter)]


@router.get("/events", response_model=EventList, responses=BAD_INPUT)
def list_events(
    principal: EventReader,
    session: SessionDep,
    chosen: Filter,
    bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat (WGS84)."),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0, le=10**7),
) -> EventList:
    """Raw events (audited).

    Raw events with exact points and free text, newest first; the read is audited."""
    f = replace(chosen, bbox=parse_bbox(bbox))
    conn = session.connection()
    total, rows, params = event_page(conn, principal.tenant, _own(principal), f, limit, offset)
    items = [EventOut.model_validate(r) for r in rows]
    detail = {k: str(v) for k, v in params.items() if k not in ("mc", "actor")}
    audit(session, principal, "event.read", "event", detail | {"returned": len(items)})
    return EventList(total=total, limit=limit, offset=offset, items=items)


@router.get("/events/{event_id}", response_model=EventOut, responses=NOT_FOUND)
def get_event(
    principal: EventReader, session: SessionDep, event_id: int = Path(ge=1, le=2**62)
) -> EventOut:
    """One raw event (audited).

    One raw event; the read is audited."""
    found = event_by_id(session.connection(), principal.tenant, _own(principal), event_id)
    if found is None:
        raise NotFoundError("event", event_id)
    audit(session, principal, "event.read", f"event/{event_id}", {})
    return EventOut.model_validate(found)


@router.get("/event-counts", response_model=EventCountList, responses=BAD_INPUT)
def event_counts(
    principal: AggregateReader,
    session: SessionDep,
    f: Filter,
    resolution: int | None = Query(
        None,
        ge=5,
        le=10,
        description="H3 resolution of the cells: 8 by default; viewers, reporters and anonymous "
        f"callers always read {SUPPRESSED_RESOLUTION} (another is 403 `parameter_not_allowed`).",
    ),
) -> EventCountList:
    """Events per H3 cell.

    Events per H3 cell; for viewer, reporter and anonymous cells below k are left out, and
    they may not filter by time, kind or category or choose the resolution, so that no two
    answers differ by a hidden count."""
    seen = principal.seen
    if resolution == SUPPRESSED_RESOLUTION:
        resolution = None
    refuse_narrowing(
        seen, since=f.since, until=f.until, kind=f.kind, category=f.category, resolution=resolution
    )
    resolution = SUPPRESSED_RESOLUTION if seen.suppressed else resolution or 8
    rows = counts_per_cell(session.connection(), principal.tenant, resolution, f)
    kept = [(c, n) for c, n in rows if not seen.hides(n)]
    return EventCountList(
        municipality_code=principal.tenant,
        resolution=resolution,
        k=seen.k,
        suppressed_cells=len(rows) - len(kept),
        items=[{"cell": c, "count": n} for c, n in kept],
    )
