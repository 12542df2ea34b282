"""GET the clusters of the latest (or a given) run as JSON and as GeoJSON (RFC 7946, WGS84)."""

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from geo_service.api.auth import AGGREGATE_READERS, Principal, tenant_access
from geo_service.api.deps import get_session
from geo_service.api.problems import problem_responses
from geo_service.api.routers.hotspots import GeoJSONResponse
from geo_service.api.schemas.clusters import ClusterFeatureCollection, ClusterList
from geo_service.runs.cluster_queries import list_clusters
from geo_service.tiles.versions import resolve_run

router = APIRouter(tags=["clusters"])
ERRORS = problem_responses(
    401, 403, 404, 409, 422,
    notes={404: "No completed run yet, or the run is not found",
           409: "The asked run is not completed"},
)  # fmt: skip


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
        self.run, self.method, self.alarm = run, method, alarm


def _clusters(
    request: Request, session: Session, principal: Principal, f: ClusterFilter, geometry: bool
) -> tuple[int, list[dict[str, Any]]]:
    conn = session.connection()
    run_id = resolve_run(conn, principal.tenant, f.run)
    items = list_clusters(
        conn, principal.tenant, run_id, method=f.method, alarm_only=f.alarm,
        suppress=principal.suppressed, k=request.app.state.settings.k_suppression,
        geometry=geometry,
    )  # fmt: skip
    return run_id, items


@router.get("/clusters", response_model=ClusterList, responses=ERRORS, summary="Clusters of a run")
def clusters(
    request: Request,
    f: ClusterFilter = Depends(),
    principal: Principal = Depends(tenant_access(*AGGREGATE_READERS)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Scan clusters (most likely first, with the recurrence interval in words) and the point
    clusters of the last two periods."""
    run_id, items = _clusters(request, session, principal, f, geometry=False)
    return {"run_id": run_id, "municipality_code": principal.tenant, "items": items}


@router.get(
    "/clusters.geojson",
    response_model=ClusterFeatureCollection,
    response_class=GeoJSONResponse,
    responses=ERRORS,
    summary="Clusters of a run as GeoJSON",
)
def clusters_geojson(
    request: Request,
    f: ClusterFilter = Depends(),
    principal: Principal = Depends(tenant_access(*AGGREGATE_READERS)),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The same clusters as a FeatureCollection of WGS84 MultiPolygons (id = cluster id)."""
    run_id, items = _clusters(request, session, principal, f, geometry=True)
    features = [
        {"type": "Feature", "id": i["id"], "geometry": i.pop("geometry"), "properties": i}
        for i in items
    ]
    return {"type": "FeatureCollection", "run_id": run_id,
            "municipality_code": principal.tenant, "features": features}  # fmt: skip
