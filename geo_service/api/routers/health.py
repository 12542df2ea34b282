"""GET /api/v1/health: is the database there, at which schema revision, with how many events."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from geo_service.api.deps import SessionDep
from geo_service.api.schemas import examples as ex
from geo_service.db.migrate import head_revision

router = APIRouter(tags=["health"])


class MunicipalityCount(BaseModel):
    municipality_code: str
    name: str
    events: int


class Health(BaseModel):
    status: str
    database: str
    postgis_version: str
    schema_revision: str | None
    schema_head: str | None
    municipalities: list[MunicipalityCount]


@router.get(
    "/health",
    response_model=Health,
    responses={200: ex.json_example(ex.HEALTH)},
    summary="Service and database health",
)
def health(session: SessionDep) -> Health:
    """Database, PostGIS version, schema revision and event counts per municipality."""
    version = session.execute(text("SELECT postgis_lib_version()")).scalar_one()
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    counts = session.execute(
        text(
            "SELECT m.municipality_code, m.name, count(e.id) FROM municipality m "
            "LEFT JOIN event e USING (municipality_code) GROUP BY 1, 2 ORDER BY 1"
        )
    ).all()
    head = head_revision()
    return Health(
        status="ok" if revision == head else "schema_outdated",
        database="ok",
        postgis_version=version,
        schema_revision=revision,
        schema_head=head,
        municipalities=[
            MunicipalityCount(municipality_code=c, name=n, events=e) for c, n, e in counts
        ],
    )
