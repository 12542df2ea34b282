"""The dashboard: index.html at `/`, its static files under /dashboard/, and the boundary it draws.

Everything the page needs is served from this package (MapLibre vendored); nothing is fetched
from the internet at run time.
"""

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from sqlalchemy import text

from geo_service.api.deps import AggregateReader, SessionDep
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router
from geo_service.api.schemas import examples as ex
from geo_service.errors import NotFoundError

DASHBOARD_DIR = Path(__file__).resolve().parents[2] / "dashboard"
STATIC_PREFIX = "/dashboard"

page = APIRouter(include_in_schema=False)
router = api_router(tags=["dashboard"], responses=TENANT_ERRORS)


class Boundary(BaseModel):
    """The municipality as one GeoJSON Feature in WGS84 (geometry null when unknown)."""

    type: str = Field("Feature", examples=["Feature"])
    id: str = Field(examples=["1275"])
    geometry: dict[str, Any] | None
    properties: dict[str, Any]
    bbox: list[float] | None = Field(None, description="[west, south, east, north] in WGS84")


_BOUNDARY = text("""
SELECT name, ST_AsGeoJSON(ST_Transform(boundary, 4326), 6) AS geojson,
       ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT name, boundary, ST_Transform(ST_Envelope(boundary), 4326) AS e
      FROM municipality WHERE municipality_code = :mc) m
""")


@page.get("/")
def index() -> FileResponse:
    """The dashboard page; never cached so a new release shows at once."""
    return FileResponse(DASHBOARD_DIR / "index.html", headers={"Cache-Control": "no-cache"})


@router.get(
    "/boundary",
    response_model=Boundary,
    responses={200: ex.json_example(ex.BOUNDARY), **problem_responses(404)},
)
def boundary(principal: AggregateReader, session: SessionDep) -> Boundary:
    """Municipality boundary.

    The municipality boundary for maps (WGS84), with its name and bounding box."""
    mc = principal.municipality_code
    row = session.execute(_BOUNDARY, {"mc": mc}).one_or_none()
    if row is None:
        raise NotFoundError("municipality", mc)
    geometry = json.loads(row.geojson) if row.geojson else None
    bbox = [round(v, 6) for v in row[2:6]] if row[2] is not None else None
    return Boundary(id=mc, geometry=geometry, properties={"name": row.name}, bbox=bbox)


def install_dashboard(app: FastAPI, api_prefix: str) -> None:
    """Serve the page at `/`, its files under /dashboard/ and the boundary under the API."""
    app.include_router(page)
    app.include_router(router, prefix=api_prefix)
    app.mount(STATIC_PREFIX, StaticFiles(directory=DASHBOARD_DIR), name="dashboard")
