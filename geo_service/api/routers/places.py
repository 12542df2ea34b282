"""/api/v1/places: the places an EST group talks about (create, read, update, delete)."""

from typing import Annotated

from fastapi import Query, Response

from geo_service.api.auth import audit
from geo_service.api.deps import PlaceReader, PlaceWriter, SessionDep
from geo_service.api.problems import NOT_FOUND, TENANT_ERRORS, problem_responses
from geo_service.api.routers.priorities import MEETING_ERRORS
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import Day, PathId
from geo_service.api.schemas.periods import PlaceSeries
from geo_service.api.schemas.priorities import PlaceIn, PlaceOut, PlacePatch
from geo_service.priorities import places
from geo_service.priorities.series import place_series

router = api_router(tags=["places"], responses=TENANT_ERRORS)
PLACE_EXAMPLES = {
    400: ("invalid_geometry", "The geometry must be a GeoJSON Point, Polygon or MultiPolygon."),
    409: ("place_exists", "A place named 'Stationsområdet' already exists."),
}
CREATE_ERRORS = problem_responses((400, 409, 413, 429), examples=PLACE_EXAMPLES)
UPDATE_ERRORS = problem_responses((400, 404, 409, 413, 429), examples=PLACE_EXAMPLES)


@get_list(router, "/places", PlaceOut, ex.PLACE_OUT, "List places")
def list_places(session: SessionDep, principal: PlaceReader) -> list[dict]:
    """All places of the municipality, geometry as GeoJSON in WGS84."""
    return places.list_places(session, principal.tenant)


@router.get("/places/{place_id}", response_model=PlaceOut, responses=NOT_FOUND)
def get_place(place_id: PathId, session: SessionDep, principal: PlaceReader) -> dict:
    """One place.

    One place of the municipality, geometry as GeoJSON in WGS84."""
    return places.get_place(session, principal.tenant, place_id)


@router.get(
    "/places/{place_id}/series",
    response_model=PlaceSeries,
    responses={**NOT_FOUND, **MEETING_ERRORS},
)
def get_series(
    place_id: PathId,
    session: SessionDep,
    principal: PlaceReader,
    meeting: Annotated[Day, Query(description="Meeting date, YYYY-MM-DD: its run's periods.")],
    periods: int = Query(26, ge=2, le=130, description="How many periods, newest last."),
) -> dict:
    """A place's counts per period.

    The place's events per period up to the meeting against its usual level (the mean of
    the baseline periods before each), with the meetings in the span marked. The last period
    is the one the priorities' change test reads. Counts below k are hidden from viewers."""
    suppress, k = principal.seen.suppressed, principal.seen.k
    return place_series(session, principal.tenant, place_id, meeting, periods, suppress, k)


@router.post("/places", response_model=PlaceOut, status_code=201, responses=CREATE_ERRORS)
def create_place(body: PlaceIn, session: SessionDep, principal: PlaceWriter) -> dict:
    """Create a place.

    A new place from a GeoJSON Polygon, MultiPolygon or Point (with radius_m)."""
    created = places.create_place(session, principal.tenant, **body.model_dump())
    audit(session, principal, "place.create", f"place/{created['id']}", {"name": body.name})
    return created


@router.patch("/places/{place_id}", response_model=PlaceOut, responses=UPDATE_ERRORS)
def update_place(
    place_id: PathId, body: PlacePatch, session: SessionDep, principal: PlaceWriter
) -> dict:
    """Change a place.

    Change the given fields of a place (name, aliases, geometry …); a new geometry is checked
    as a new place's is (not empty, not too large, near the municipality). Audited."""
    changes = body.model_dump(exclude_unset=True)
    updated = places.update_place(session, principal.tenant, place_id, changes)
    audit(session, principal, "place.update", f"place/{place_id}", {"fields": sorted(changes)})
    return updated


@router.delete("/places/{place_id}", status_code=204, responses=problem_responses(404, 429))
def delete_place(place_id: PathId, session: SessionDep, principal: PlaceWriter) -> Response:
    """Delete a place.

    Delete a place with its measures; its events keep their points."""
    places.delete_place(session, principal.tenant, place_id)
    audit(session, principal, "place.delete", f"place/{place_id}", {})
    return Response(status_code=204)
