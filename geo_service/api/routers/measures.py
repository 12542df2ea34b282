"""/api/v1/measures: åtgärder at places, and their follow-up against comparison places."""

from typing import Any

from fastapi import Query, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geo_service.api.auth import audit
from geo_service.api.deps import PlaceReader, PlaceWriter, SessionDep
from geo_service.api.problems import NOT_FOUND, TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import Day, Int4Id, PathId
from geo_service.api.schemas.priorities import Followup, MeasureIn, MeasureOut, MeasurePatch
from geo_service.db.models import Measure
from geo_service.errors import GeoServiceError, NotFoundError
from geo_service.priorities.disclosure import disclose_followup
from geo_service.priorities.followup import measure_followup
from geo_service.priorities.places import get_place
from geo_service.privacy import refuse_narrowing

router = api_router(tags=["measures"], responses=TENANT_ERRORS)
MEASURE_EXAMPLES = {
    400: ("invalid_measure_period", "A measure's end_date cannot be before its start_date."),
    404: ("not_found", "place 42 was not found"),
}
WRITE_ERRORS = problem_responses((400, 404, 413, 429), examples=MEASURE_EXAMPLES)


def _measure(session: Session, mc: str, measure_id: int) -> Measure:
    found = session.get(Measure, (mc, measure_id))
    if found is None:
        raise NotFoundError("measure", measure_id)
    return found


def _check(session: Session, mc: str, m: Measure) -> None:
    get_place(session, mc, m.place_id)
    if m.end_date is not None and m.end_date < m.start_date:
        raise GeoServiceError(
            "invalid_measure_period", "A measure's end_date cannot be before its start_date."
        )


def _flush(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise GeoServiceError("invalid_measure", str(exc.orig).splitlines()[0]) from None


@get_list(router, "/measures", MeasureOut, ex.MEASURE_OUT, "List measures")
def list_measures(
    session: SessionDep, principal: PlaceReader, place_id: Int4Id | None = None
) -> list[Measure]:
    """The municipality's measures (åtgärder), optionally at one place, by start date."""
    query = select(Measure).where(Measure.municipality_code == principal.tenant)
    if place_id is not None:
        query = query.where(Measure.place_id == place_id)
    return list(session.execute(query.order_by(Measure.start_date, Measure.id)).scalars())


@router.get("/measures/{measure_id}", response_model=MeasureOut, responses=NOT_FOUND)
def get_measure(measure_id: PathId, session: SessionDep, principal: PlaceReader) -> Measure:
    """One measure.

    One measure of the municipality."""
    return _measure(session, principal.tenant, measure_id)


@router.post("/measures", response_model=MeasureOut, status_code=201, responses=WRITE_ERRORS)
def create_measure(body: MeasureIn, session: SessionDep, principal: PlaceWriter) -> Measure:
    """Create a measure.

    A new measure at a place; the change is audited."""
    mc = principal.tenant
    measure = Measure(municipality_code=mc, **body.model_dump())
    _check(session, mc, measure)
    session.add(measure)
    _flush(session)
    session.refresh(measure)
    audit(session, principal, "measure.create", f"measure/{measure.id}", {"title": body.title})
    return measure


@router.patch("/measures/{measure_id}", response_model=MeasureOut, responses=WRITE_ERRORS)
def update_measure(
    measure_id: PathId, body: MeasurePatch, session: SessionDep, principal: PlaceWriter
) -> Measure:
    """Change a measure.

    Change the given fields of a measure; the change is audited."""
    mc = principal.tenant
    measure = _measure(session, mc, measure_id)
    changes = body.model_dump(exclude_unset=True)
    with session.no_autoflush:
        for key, value in changes.items():
            setattr(measure, key, value)
        _check(session, mc, measure)
    _flush(session)
    audit(
        session, principal, "measure.update", f"measure/{measure_id}", {"fields": sorted(changes)}
    )
    return measure


@router.delete("/measures/{measure_id}", status_code=204, responses=problem_responses(404, 429))
def delete_measure(measure_id: PathId, session: SessionDep, principal: PlaceWriter) -> Response:
    """Delete a measure.

    Delete a measure; the change is audited."""
    session.delete(_measure(session, principal.tenant, measure_id))
    session.flush()
    audit(session, principal, "measure.delete", f"measure/{measure_id}", {})
    return Response(status_code=204)


@router.get(
    "/measures/{measure_id}/followup",
    response_model=Followup,
    responses=problem_responses(
        (404, 409),
        notes={
            404: "The measure is not found",
            409: "No data after the measure yet, or no comparison places",
        },
        examples={
            404: ("not_found", "measure 5 was not found"),
            409: (
                "measure_too_recent",
                "Measure 5 ends on 2026-11-20; there are no data "
                "after it yet (data up to 2026-11-17), so it "
                "cannot be followed up.",
            ),
        },
    ),
)
def get_followup(
    measure_id: PathId,
    session: SessionDep,
    principal: PlaceReader,
    as_of: Day | None = Query(None, description="End of the after window (default: data end)."),
    comparison: list[Int4Id] | None = Query(None, description="Comparison place ids."),
) -> dict[str, Any]:
    """Follow-up of a measure.

    Events before and after the measure at its place against comparison places (RoRR, CI).
    Viewers read the default windows and comparison places only (403 `parameter_not_allowed`),
    and no counts when one is below k."""
    refuse_narrowing(principal.seen, as_of=as_of, comparison=comparison)
    result = measure_followup(session, principal.tenant, measure_id, as_of, comparison)
    return disclose_followup(result, principal.seen)
