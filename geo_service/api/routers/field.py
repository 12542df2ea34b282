"""The field app for rapportörer: its static files at /rapportera/ and what it reads from the
API: who the token is, the categories (most used first), place points and place suggestions.

The app is plain HTML, CSS and JS served from this package (MapLibre from the dashboard's
vendored copy); nothing is fetched from the internet at run time.
"""

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi.staticfiles import StaticFiles

from geo_service.api.deps import Caller, Observer, SessionDep
from geo_service.api.problems import TENANT_ERRORS
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.field import (
    CATEGORY,
    ME,
    SUGGESTION,
    FieldCategoryOut,
    Me,
    SuggestionOut,
)
from geo_service.db.tenants import require_municipality
from geo_service.db.usage import categories_by_use
from geo_service.geocode.suggest import place_points, suggest

FIELD_APP_DIR = Path(__file__).resolve().parents[2] / "fieldapp"
FIELD_APP_PATH = "/rapportera"

router = api_router(tags=["field"], responses=TENANT_ERRORS)
PLACE_POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": 2,
            "geometry": {"type": "Point", "coordinates": [13.3945, 56.1372]},
            "properties": {"id": 2, "name": "Stationsområdet", "kind": "station"},
        }
    ],
}


def app_link(base_url: str, token: str) -> str:
    """The field app's address with the token in its fragment (never sent to a server)."""
    return f"{base_url.rstrip('/')}{FIELD_APP_PATH}/#token={token}"


@router.get("/me", response_model=Me, responses={200: ex.json_example(ME)})
def me(
    principal: Caller,
    session: SessionDep,
    municipality: str | None = Query(
        None, pattern=r"^[0-9]{4}$", description="Optional: 403 unless it is the token's."
    ),
) -> Me:
    """Who this token is.

    The token's municipality, organisation and role, as the field app shows them."""
    if municipality is not None:
        principal.require_tenant(municipality)
    mc = principal.municipality_code or ""
    municipality = require_municipality(session, mc)
    return Me(
        municipality_code=mc,
        municipality_name=municipality.name,
        organisation=principal.organisation,
        role=principal.role,
        token_id=principal.token_id,
    )


@get_list(router, "/field/categories", FieldCategoryOut, CATEGORY, "Categories to report")
def field_categories(principal: Observer, session: SessionDep) -> list[FieldCategoryOut]:
    """The municipality's categories for observations, most reported in the last year first,
    with Swedish and English labels and an icon each."""
    rows = categories_by_use(session.connection(), principal.tenant)
    return [FieldCategoryOut(**vars(r)) for r in rows]


@router.get("/field/places", responses={200: ex.json_example(PLACE_POINTS)})
def field_places(principal: Observer, session: SessionDep) -> dict[str, Any]:
    """Places to tap on the map.

    The municipality's places as GeoJSON points (WGS84): names only, no events."""
    return place_points(session.connection(), principal.tenant)


@get_list(router, "/geocode/suggest", SuggestionOut, SUGGESTION, "Suggest places and addresses")
def geocode_suggest(
    principal: Observer,
    session: SessionDep,
    q: str = Query(..., min_length=1, max_length=100, description="What was typed so far."),
    limit: int = Query(8, ge=1, le=20),
) -> list[SuggestionOut]:
    """Place names (and their aliases) and addresses like `q`, best first (pg_trgm)."""
    found = suggest(session.connection(), principal.tenant, q.replace("\x00", ""), limit)
    return [SuggestionOut(**vars(s)) for s in found]


def install_field_app(app: FastAPI, api_prefix: str) -> None:
    """Serve the app under /rapportera/ and its routes under the API."""
    app.include_router(router, prefix=api_prefix)
    app.mount(FIELD_APP_PATH, StaticFiles(directory=FIELD_APP_DIR, html=True), name="fieldapp")
