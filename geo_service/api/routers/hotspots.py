"""GET hotspots of the latest (or a given) run as plain JSON and as GeoJSON (RFC 7946, WGS84)."""

from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from geo_service.api.auth import Principal
from geo_service.api.deps import AggregateReader, SessionDep
from geo_service.api.geojson import GeoJSONResponse, feature_collection
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.reads import short_read
from geo_service.api.renderpool import cached_render, render_pool
from geo_service.api.routes import api_router
from geo_service.api.schemas.fields import Day
from geo_service.api.schemas.periods import PeriodBins, RunPeriodList
from geo_service.api.schemas.serving import HotspotFeatureCollection, HotspotList
from geo_service.errors import GeoServiceError
from geo_service.results.hotspots import HotspotSelection, query_hotspots
from geo_service.results.periods import period_bins, run_periods
from geo_service.results.runs import resolve_run

router = api_router(tags=["hotspots"], responses=TENANT_ERRORS)
RUN_ERRORS = problem_responses(
    (400, 404, 409),
    notes={
        404: "No completed run yet, or the run, period or place is not found",
        409: "The asked run is not completed",
    },
    examples={409: ("run_not_completed", "Analysis run 12 is running, not completed.")},
)


def parse_bbox(bbox: str | None) -> tuple[float, float, float, float] | None:
    """`minlon,minlat,maxlon,maxlat` in WGS84, validated."""
    if bbox is None:
        return None
    try:
        west, south, east, north = (float(v) for v in bbox.split(","))
    except ValueError:
        raise GeoServiceError(
            "invalid_bbox", "bbox must be minlon,minlat,maxlon,maxlat in WGS84 degrees."
        ) from None
    ok = -180 <= west < east <= 180 and -90 <= south < north <= 90
    if not ok:
        raise GeoServiceError(
            "invalid_bbox", "bbox corners are out of range or in the wrong order."
        )
    return west, south, east, north


class HotspotFilter:
    """Query parameters shared by the JSON and GeoJSON forms."""

    def __init__(
        self,
        run: int | None = Query(None, ge=1, le=2**62, description="Run id; default latest."),
        category: list[str] | None = Query(
            None, max_length=20, description="Only these categories, e.g. intensifying_hot."
        ),
        period: Day | None = Query(
            None, description="A period start (Europe/Stockholm date): z, p and count of it."
        ),
        bbox: str | None = Query(
            None,
            description="minlon,minlat,maxlon,maxlat (WGS84).",
            examples=["13.3,56.1,13.45,56.16"],
        ),
        place: int | None = Query(None, ge=1, le=2**31 - 1, description="Cells touching a place."),
        limit: int = Query(500, ge=1, le=5000),
        offset: int = Query(0, ge=0, le=10**7),
    ) -> None:
        self.selection = HotspotSelection(
            run=run,
            category=category,
            period=period,
            bbox=parse_bbox(bbox),
            place=place,
            limit=limit,
            offset=offset,
        )


Filter = Annotated[HotspotFilter, Depends()]


def _page(
    f: HotspotFilter, principal: Principal, session: Session, geometry: bool
) -> tuple[int, int, list[dict[str, Any]]]:
    """(run id, total, rows) of the asked page, counts below k hidden as the caller needs."""
    suppress, k = principal.seen.suppressed, principal.seen.k
    return query_hotspots(session, principal.tenant, f.selection, suppress, k, geometry)


@router.get("/hotspots", response_model=HotspotList, responses=RUN_ERRORS)
def hotspots(f: Filter, principal: AggregateReader, session: SessionDep) -> HotspotList:
    """Hotspot cells of a run.

    Cells of the latest completed run (or `run`) with category, z, p, counts and trend."""
    run_id, total, rows = _page(f, principal, session, geometry=False)
    page = f.selection
    return HotspotList(
        run_id=run_id,
        municipality_code=principal.tenant,
        total=total,
        limit=page.limit,
        offset=page.offset,
        period_start=None,
        items=rows,
    )


@router.get(
    "/hotspots.geojson",
    response_model=HotspotFeatureCollection,
    response_class=GeoJSONResponse,
    responses={
        **RUN_ERRORS,
        **problem_responses(503, notes={503: "Too many large documents being rendered"}),
    },
)
async def hotspots_geojson(
    request: Request,
    f: Filter,
    principal: AggregateReader,
    session: SessionDep,
) -> Response:
    """Hotspot cells as GeoJSON.

    The same cells as a GeoJSON FeatureCollection (WGS84 polygons, id = hex cell), rendered
    in the bounded pool and cached per run, role and filter."""
    run = await short_read(request.app, lambda s: resolve_run(s, principal.tenant, f.selection.run))
    f.selection = replace(f.selection, run=run)
    key = (
        "hotspots.geojson",
        principal.tenant,
        principal.role,
        repr(f.selection),
        principal.seen.k,
    )

    async def produce() -> bytes:
        return await run_in_threadpool(_geojson, f, principal, session)

    data = await cached_render(render_pool(request.app), key, produce)
    return Response(data, media_type=GeoJSONResponse.media_type)


def _geojson(f: HotspotFilter, principal: Principal, session: Session) -> bytes:
    """The page as GeoJSON bytes, as the response model gives them."""
    run_id, total, rows = _page(f, principal, session, geometry=True)
    session.commit()
    page = f.selection
    collection = feature_collection(
        rows,
        "cell",
        run_id=run_id,
        municipality_code=principal.tenant,
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
    return HotspotFeatureCollection.model_validate(collection).model_dump_json().encode()


RunQuery = Annotated[
    int | None, Query(ge=1, le=2**62, description="Run id; default the latest completed run.")
]


@router.get("/hotspots/periods", response_model=RunPeriodList, responses=RUN_ERRORS)
def periods(principal: AggregateReader, session: SessionDep, run: RunQuery = None) -> Any:
    """The periods of a run.

    Every period of the run, oldest first, with how many cells were hot or cold in it."""
    return run_periods(session, principal.tenant, run)


@router.get("/hotspots/periods/{period}", response_model=PeriodBins, responses=RUN_ERRORS)
def period(
    period: Day,
    principal: AggregateReader,
    session: SessionDep,
    run: RunQuery = None,
) -> dict[str, Any]:
    """Gi* bins of one period.

    The cells that were hot or cold spots in one period (its start date), with their Gi*
    bin: how the hot spots developed. Counts below k are hidden from viewers and the public."""
    suppress, k = principal.seen.suppressed, principal.seen.k
    return period_bins(session, principal.tenant, run, period, suppress, k)
