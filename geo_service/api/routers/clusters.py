"""GET the clusters of the latest (or a given) run as JSON and as GeoJSON (RFC 7946, WGS84)."""

from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from geo_service.api.auth import Principal
from geo_service.api.deps import AggregateReader, SessionDep
from geo_service.api.geojson import GeoJSONResponse, feature_collection
from geo_service.api.problems import RUN_READ_ERRORS, TENANT_ERRORS
from geo_service.api.routes import api_router
from geo_service.api.schemas.clusters import ClusterFeatureCollection, ClusterList
from geo_service.results.clusters import ClusterSelection, list_clusters
from geo_service.results.runs import resolve_run

router = api_router(tags=["clusters"], responses=TENANT_ERRORS)
ERRORS = RUN_READ_ERRORS


class ClusterFilter:
    """Query parameters shared by the JSON and GeoJSON forms."""

    def __init__(
        self,
        run: int | None = Query(None, ge=1, le=2**62, description="Run id; default latest."),
        method: Literal["scan", "dbscan", "hdbscan"] | None = Query(
            None, description="Only clusters of this method."
        ),
        alarm: bool = Query(False, description="Only scan clusters with an alarm."),
    ) -> None:
        self.run = run
        self.selection = ClusterSelection(method=method, alarm_only=alarm)


Filter = Annotated[ClusterFilter, Depends()]


def _clusters(
    f: ClusterFilter,
    principal: Principal,
    session: SessionDep,
    geometry: bool,
) -> tuple[int, list[dict[str, Any]]]:
    run_id = resolve_run(session, principal.tenant, f.run)
    suppress, k = principal.seen.suppressed, principal.seen.k
    return run_id, list_clusters(
        session, principal.tenant, run_id, f.selection, suppress, k, geometry=geometry
    )


@router.get("/clusters", response_model=ClusterList, responses=ERRORS)
def clusters(f: Filter, principal: AggregateReader, session: SessionDep) -> dict[str, Any]:
    """Clusters of a run.

    Scan clusters (most likely first, with the recurrence interval in words) and the point
    clusters of the last two periods."""
    run_id, items = _clusters(f, principal, session, geometry=False)
    return {"run_id": run_id, "municipality_code": principal.tenant, "items": items}


@router.get(
    "/clusters.geojson",
    response_model=ClusterFeatureCollection,
    response_class=GeoJSONResponse,
    responses=ERRORS,
)
def clusters_geojson(f: Filter, principal: AggregateReader, session: SessionDep) -> dict[str, Any]:
    """Clusters of a run as GeoJSON.

    The same clusters as a FeatureCollection of WGS84 MultiPolygons (id = cluster id)."""
    run_id, items = _clusters(f, principal, session, geometry=True)
    return feature_collection(items, "id", run_id=run_id, municipality_code=principal.tenant)
