"""Safety walks (trivselvandring, digital trygghetsvandring): create, list, change, add findings.

Findings are sent like observations (the same body, idempotent on client_id per token) and
stored as events of kind `walk_finding` with the walk's id, so they feed the place priorities
as observations do. Photos are left out on purpose (faces, number plates).
"""

from fastapi import Body, Query
from fastapi.responses import JSONResponse

from geo_service.api.auth import audit
from geo_service.api.deps import STAFF, Observer, SessionDep, SettingsDep
from geo_service.api.problems import NOT_FOUND, problem_responses
from geo_service.api.routers.observations import store_reports
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.field import (
    WALK,
    WalkChange,
    WalkIn,
    WalkOut,
    WalkSummary,
)
from geo_service.api.schemas.fields import PathId
from geo_service.api.schemas.ingest import ObservationIn, ObservationReport
from geo_service.db import walks
from geo_service.errors import Forbidden
from geo_service.ingest.mapping import fold

router = api_router(tags=["walks"], responses=problem_responses(401, 403, 422))


@router.post("/walks", response_model=WalkOut, status_code=201)
def create_walk(principal: Observer, session: SessionDep, body: WalkIn) -> WalkOut:
    """Start a safety walk.

    A new walk with its name, date, organisations and optional route (GeoJSON, WGS84)."""
    walk = walks.create_walk(
        session.connection(), principal.tenant, principal.actor, **body.model_dump()
    )
    audit(session, principal, "create_walk", f"walk/{walk['id']}", {"name": body.name})
    return WalkOut(**walk)


@get_list(router, "/walks", WalkOut, WALK, "List safety walks")
def list_walks(
    principal: Observer, session: SessionDep, limit: int = Query(100, ge=1, le=1000)
) -> list[WalkOut]:
    """The municipality's walks, newest first, with their number of findings."""
    return [WalkOut(**w) for w in walks.list_walks(session.connection(), principal.tenant, limit)]


@router.get("/walks/{walk_id}", response_model=WalkSummary, responses=NOT_FOUND)
def get_walk(principal: Observer, session: SessionDep, walk_id: PathId) -> WalkSummary:
    """A safety walk and its findings.

    The walk and its findings, each linked to the place it lies in (audited: it holds
    exact points and free text)."""
    conn = session.connection()
    walk = walks.get_walk(conn, principal.tenant, walk_id)
    items = walks.walk_findings(conn, principal.tenant, walk_id)
    audit(session, principal, "read_walk", f"walk/{walk_id}", {"count": len(items)})
    return WalkSummary(walk=WalkOut(**walk), items=items)


@router.patch("/walks/{walk_id}", response_model=WalkOut, responses=NOT_FOUND)
def change_walk(
    principal: Observer, session: SessionDep, walk_id: PathId, body: WalkChange
) -> WalkOut:
    """Change a safety walk.

    Change a walk's name, date, organisations, note or route (its creator or staff)."""
    conn = session.connection()
    walk = walks.get_walk(conn, principal.tenant, walk_id)
    if principal.role not in STAFF and walk["created_by"] != principal.actor:
        raise Forbidden("not_walk_creator", "Bara den som skapade vandringen kan ändra den.")
    changes = body.model_dump(exclude_unset=True)
    updated = walks.update_walk(conn, principal.tenant, walk_id, changes)
    audit(session, principal, "change_walk", f"walk/{walk_id}", {"changed": sorted(changes)})
    return WalkOut(**updated)


@router.post(
    "/walks/{walk_id}/findings",
    response_model=ObservationReport,
    status_code=201,
    responses=problem_responses(404, 413, 429),
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"examples": {"one": {"value": ex.OBSERVATION_IN}}}}
        }
    },
)
def create_findings(
    principal: Observer,
    session: SessionDep,
    settings: SettingsDep,
    walk_id: PathId,
    payload: ObservationIn | list[ObservationIn] = Body(...),
) -> ObservationReport | JSONResponse:
    """Report findings of a safety walk.

    Store findings as observations are stored (client_id makes resending safe), as events
    of kind `walk_finding` that name the walk."""
    walk = walks.get_walk(session.connection(), principal.tenant, walk_id)
    source = f"vandring_{fold(principal.organisation)[:60] or 'api'}"
    return store_reports(
        principal,
        session,
        settings,
        payload,
        kind="walk_finding",
        source=source,
        after=lambda batch_id: walks.tag_findings(
            session.connection(), principal.tenant, walk["id"], batch_id
        ),
    )
