"""GET hotspots of the latest (or a given) run as plain JSON and as GeoJSON (RFC 7946, WGS84)."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.api.deps import AggregateReader, SessionDep, SettingsDep
from geo_service.api.problems import problem_responses
from geo_service.api.schemas.serving import HotspotFeatureCollection, HotspotList
from geo_service.errors import GeoServiceError, NotFound, NotFoundError
from geo_service.tiles.versions import resolve_run

router = APIRouter(tags=["hotspots"])
READ_ERRORS = problem_responses(401, 403, 422)
"""Errors of every tenant read: no token, another tenant or role, bad parameters."""
RUN_ERRORS = problem_responses(
    400, 401, 403, 404, 409, 422,
    notes={404: "No completed run yet, or the run, period or place is not found",
           409: "The asked run is not completed"},
    examples={409: ("run_not_completed", "Analysis run 12 is running, not completed.")},
)  # fmt: skip


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


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
        period: date | None = Query(
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
        self.run, self.category, self.period, self.place = run, category, period, place
        self.bbox = parse_bbox(bbox)
        self.limit, self.offset = limit, offset


Filter = Annotated[HotspotFilter, Depends()]


def query_hotspots(
    session: Session, mc: str, f: HotspotFilter, suppress: bool, k: int, geometry: bool
) -> tuple[int, int, list[dict[str, Any]]]:
    """(run id, total, rows) of one page; counts below k become null when `suppress`."""
    conn = session.connection()
    run_id = resolve_run(conn, mc, f.run)
    params: dict[str, Any] = {"mc": mc, "run": run_id, "k": k, "suppress": suppress,
                              "limit": f.limit, "offset": f.offset}  # fmt: skip
    where = ["c.municipality_code = :mc", "c.run_id = :run"]
    join = ""
    z, p, last = "c.final_z", "c.final_p", "c.last_value"
    if f.period is not None:
        join = (
            "JOIN analysis_bin b ON b.municipality_code = c.municipality_code "
            "AND b.run_id = c.run_id AND b.cell = c.cell "
            "AND (b.period_start AT TIME ZONE 'Europe/Stockholm')::date = :period"
        )
        z, p, last = "b.z", "b.p", "b.value"
        params["period"] = f.period
    if f.category:
        where.append("c.category = ANY(:categories)")
        params["categories"] = f.category
    if f.bbox is not None:
        where.append(
            "ST_Intersects(h.geom, ST_Transform(ST_MakeEnvelope(:w, :s, :e, :n, 4326), 3006))"
        )
        params.update(zip(("w", "s", "e", "n"), f.bbox, strict=True))
    if f.place is not None:
        found = conn.execute(
            text("SELECT 1 FROM place WHERE municipality_code = :mc AND id = :id"),
            {"mc": mc, "id": f.place},
        ).scalar()
        if not found:
            raise NotFoundError("place", f.place)
        where.append(
            "EXISTS (SELECT 1 FROM place pl WHERE pl.municipality_code = :mc AND pl.id = :place "
            "AND ST_Intersects(pl.geom, h.geom))"
        )
        params["place"] = f.place
    small = "(:suppress AND {0} > 0 AND {0} < :k)"
    geom = ", ST_AsGeoJSON(h.geom_4326, 6)::json AS geometry" if geometry else ""
    floats = ", ".join(
        f"NULLIF(c.{c}, 'NaN') AS {c}"
        for c in ("hot_share", "cold_share", "trend_tau", "trend_p", "count_trend_tau",
                  "count_trend_p")
    )  # fmt: skip
    sql = f"""
        SELECT lower(to_hex(c.cell)) AS cell, h.resolution, c.category,
               NULLIF({z}, 'NaN') AS z, NULLIF({p}, 'NaN') AS p, {floats}, c.run_length,
               CASE WHEN {small.format("c.total")} THEN NULL ELSE c.total END AS total,
               CASE WHEN {small.format(last)} THEN NULL ELSE {last} END AS last_value,
               ({small.format("c.total")} OR {small.format(last)}) AS suppressed,
               count(*) OVER () AS n_total {geom}
        FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell {join}
        WHERE {" AND ".join(where)}
        ORDER BY {z} DESC NULLS LAST, c.cell
        LIMIT :limit OFFSET :offset
    """
    rows = [dict(r) for r in conn.execute(text(sql), params).mappings()]
    if f.period is not None and not rows and f.offset == 0:
        has = conn.execute(
            text(
                "SELECT 1 FROM analysis_bin WHERE municipality_code = :mc AND run_id = :run "
                "AND (period_start AT TIME ZONE 'Europe/Stockholm')::date = :period LIMIT 1"
            ),
            {"mc": mc, "run": run_id, "period": f.period},
        ).scalar()
        if not has:
            raise NotFound("unknown_period", f"Run {run_id} has no period starting {f.period}.")
    if rows:
        total = int(rows[0]["n_total"])
    elif f.offset:  # past the last page: count separately
        count = f"SELECT count(*) FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell {join} "
        total = int(conn.execute(text(count + "WHERE " + " AND ".join(where)), params).scalar())
    else:
        total = 0
    for r in rows:
        r.pop("n_total")
    return run_id, total, rows


@router.get(
    "/hotspots",
    response_model=HotspotList,
    responses=RUN_ERRORS,
    summary="Hotspot cells of a run",
)
def hotspots(
    f: Filter, principal: AggregateReader, session: SessionDep, settings: SettingsDep
) -> HotspotList:
    """Cells of the latest completed run (or `run`) with category, z, p, counts and trend."""
    k = settings.k_suppression
    mc = principal.tenant
    run_id, total, rows = query_hotspots(session, mc, f, principal.suppressed, k, geometry=False)
    return HotspotList(run_id=run_id, municipality_code=principal.municipality_code, total=total,
                       limit=f.limit, offset=f.offset, period_start=None, items=rows)  # fmt: skip


@router.get(
    "/hotspots.geojson",
    response_model=HotspotFeatureCollection,
    response_class=GeoJSONResponse,
    responses=RUN_ERRORS,
    summary="Hotspot cells as GeoJSON",
)
def hotspots_geojson(
    f: Filter, principal: AggregateReader, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The same cells as a GeoJSON FeatureCollection (WGS84 polygons, id = hex cell)."""
    k = settings.k_suppression
    mc = principal.tenant
    run_id, total, rows = query_hotspots(session, mc, f, principal.suppressed, k, geometry=True)
    features = [
        {"type": "Feature", "id": r["cell"], "geometry": r.pop("geometry"), "properties": r}
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features, "run_id": run_id,
            "municipality_code": principal.municipality_code, "total": total, "limit": f.limit,
            "offset": f.offset}  # fmt: skip
