"""GET /api/v1/health: cheap enough to poll under load, and silent about tenants to strangers.

Anyone gets the status, the service version and whether the database answers. An authenticated
admin also gets PostGIS, the schema revisions and their own municipality's event count, estimated
from the planner's statistics of its event partition (never a count(*) over events).
"""

import time
from dataclasses import dataclass

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.api.auth import principal_from_header
from geo_service.api.callers import callers
from geo_service.api.problems import problem_responses
from geo_service.api.reads import short_read
from geo_service.api.routes import api_router
from geo_service.api.schemas import examples as ex
from geo_service.db.migrate import head_revision

router = api_router(tags=["health"])

REVISION = text("SELECT version_num FROM alembic_version")
PROBE_SECONDS = 1.0
"""An anonymous answer reuses the database probe of the last second (load balancers and
monitors poll; under load, every poll costs the database nothing more)."""


@dataclass(frozen=True)
class Probe:
    at: float
    revision: str | None


DETAILS = text("SELECT postgis_lib_version()")
EVENT_ESTIMATE = text("""
SELECT m.municipality_code, m.name,
       COALESCE(CASE WHEN c.reltuples >= 0 THEN c.reltuples END, s.n_live_tup, 0)::bigint
         AS events
FROM municipality m
LEFT JOIN pg_class c ON c.oid = to_regclass('event_' || m.municipality_code)
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE m.municipality_code = :mc
""")
"""The tenant's events as the statistics know them: the planner's reltuples of its partition
(kept by autovacuum and ANALYZE), else the live tuples pg_stat counts (never analysed yet)."""


class MunicipalityCount(BaseModel):
    municipality_code: str
    name: str
    events: int


ADMIN_ONLY = "Only for an authenticated admin."


class Health(BaseModel):
    status: str
    version: str
    database: str
    postgis_version: str | None = Field(None, description=ADMIN_ONLY)
    schema_revision: str | None = Field(None, description=f"{ADMIN_ONLY} The database's.")
    schema_head: str | None = Field(None, description=f"{ADMIN_ONLY} The code's newest.")
    municipalities: list[MunicipalityCount] | None = Field(
        None, description=f"{ADMIN_ONLY} Their own municipality, events estimated."
    )


def _admin_details(session: Session, health: Health, mc: str) -> None:
    """Add what only an admin may see: PostGIS, revisions, their tenant's estimated events."""
    health.postgis_version = session.execute(DETAILS).scalar_one()
    health.schema_head = head_revision()
    rows = session.execute(EVENT_ESTIMATE, {"mc": mc}).all()
    health.municipalities = [
        MunicipalityCount(municipality_code=c, name=n, events=e) for c, n, e in rows
    ]


@router.get(
    "/health",
    response_model=Health,
    response_model_exclude_none=True,
    responses={
        200: ex.json_example(ex.HEALTH),
        **problem_responses(401, notes={401: "A token was sent, but it is unknown or revoked"}),
    },
)
async def health(request: Request) -> Health:
    """Service and database health.

    Status, version and database for anyone. Sent with an admin token (`Authorization:
    Bearer …`, optional) it also gives PostGIS, the schema revisions and the admin's
    municipality's event count estimated from table statistics."""
    header = request.headers.get("authorization", "")
    principal = await callers(request.app).principal(header) if header.strip() else None
    if principal is not None and principal.role == "admin":
        return await short_read(request.app, lambda session: _admin_health(request, session))
    probe: Probe | None = getattr(request.app.state, "health_probe", None)
    if probe is None or time.monotonic() - probe.at > PROBE_SECONDS:
        revision = await short_read(request.app, lambda session: session.execute(REVISION).scalar())
        probe = request.app.state.health_probe = Probe(time.monotonic(), revision)
    return _answer(request, probe.revision)


def _answer(request: Request, revision: str | None) -> Health:
    status = "ok" if revision == head_revision() else "schema_outdated"
    return Health(status=status, version=request.app.version, database="ok")


def _admin_health(request: Request, session: Session) -> Health:
    """An admin's answer, read afresh, with the details."""
    principal = principal_from_header(session, request.headers.get("authorization", ""))
    revision = session.execute(REVISION).scalar()
    out = _answer(request, revision)
    out.schema_revision = revision
    _admin_details(session, out, principal.tenant)
    return out
