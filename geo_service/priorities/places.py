"""Places (named polygons, or points with a radius) of a tenant: create, read, update, delete.

Geometries arrive as GeoJSON in WGS84 (or as WKT in EPSG:3006 from files) and are stored in
EPSG:3006; a point becomes its point plus a circle of `radius_m` (default 100 m) as polygon.
"""

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError, InternalError
from sqlalchemy.orm import Session

from geo_service.db.constants import PLACE_KINDS
from geo_service.errors import Conflict, GeoServiceError, NotFoundError, Unprocessable

DEFAULT_RADIUS_M = 100.0
NEAR_BOUNDARY_M = 2_000.0
"""How far outside its municipality's boundary a place may reach (a station or a road just
over the border); farther is a mistake (swapped coordinates, another municipality's place)."""
MAX_REACH_M = 10_000.0
"""How far a place's polygon may reach from its point: a place is a square, a park, a
district, not a whole municipality."""

_SANITY = """
SELECT ST_IsEmpty(g) AS empty,
       CASE WHEN NOT ST_IsEmpty(g) THEN ST_MaxDistance(ST_PointOnSurface(g), g) END AS reach,
       (SELECT boundary IS NULL OR ST_DWithin(g, boundary, :near)
        FROM municipality WHERE municipality_code = :mc) AS near
FROM (SELECT {geom} AS g) AS given
"""

_SELECT = """
SELECT id, name, kind, aliases, area_id, note,
       ST_AsGeoJSON(ST_Transform(geom, 4326), 6)::json AS geometry
FROM place WHERE municipality_code = :mc
"""

_GEOM_FROM_GEOJSON = "ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(:geometry), 4326), 3006)"


def _check_kind(kind: str) -> None:
    if kind not in PLACE_KINDS:
        raise GeoServiceError(
            "invalid_place_kind",
            f"Place kind {kind!r} is unknown; use one of {', '.join(PLACE_KINDS)}.",
        )


def list_places(session: Session, mc: str) -> list[dict[str, Any]]:
    return [dict(r) for r in session.execute(text(_SELECT + " ORDER BY id"), {"mc": mc}).mappings()]


def get_place(session: Session, mc: str, place_id: int) -> dict[str, Any]:
    """One place, or a 404 naming it."""
    row = session.execute(text(_SELECT + " AND id = :id"), {"mc": mc, "id": place_id}).mappings()
    found = row.one_or_none()
    if found is None:
        raise NotFoundError("place", place_id)
    return dict(found)


def _geometry_sql(geometry: dict[str, Any], radius_m: float | None) -> tuple[str, str, dict]:
    """SQL for (geom, point) from GeoJSON; Point → circle of radius_m."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Point", "Polygon", "MultiPolygon"):
        raise GeoServiceError(
            "invalid_geometry",
            "A place's geometry must be a GeoJSON Point, Polygon or MultiPolygon.",
        )
    params = {"geometry": json.dumps(geometry), "radius": radius_m or DEFAULT_RADIUS_M}
    if kind == "Point":
        return f"ST_Multi(ST_Buffer({_GEOM_FROM_GEOJSON}, :radius, 16))", _GEOM_FROM_GEOJSON, params
    return (
        f"ST_Multi(ST_MakeValid({_GEOM_FROM_GEOJSON}))",
        f"ST_PointOnSurface({_GEOM_FROM_GEOJSON})",
        params,
    )


def _run(session: Session, sql: str, params: dict[str, Any], name: str | None) -> Any:
    try:
        with session.begin_nested():
            return session.execute(text(sql), params)
    except IntegrityError as exc:
        if "uq_place" in str(exc.orig) or "unique" in str(exc.orig).lower():
            raise Conflict("place_exists", f"A place named {name!r} already exists.") from None
        raise GeoServiceError("invalid_place", "The place refers to an unknown area.") from None
    except (DataError, InternalError) as exc:
        raise GeoServiceError(
            "invalid_geometry", f"The geometry could not be read: {str(exc.orig).splitlines()[0]}"
        ) from None


def _check_geometry(session: Session, mc: str, geom: str, params: dict[str, Any]) -> None:
    """Refuse an empty geometry, one that reaches more than `MAX_REACH_M` from its point, or
    one farther than `NEAR_BOUNDARY_M` outside the municipality's boundary."""
    found = _run(
        session, _SANITY.format(geom=geom), params | {"mc": mc, "near": NEAR_BOUNDARY_M}, None
    )
    row = found.mappings().one()
    if row["empty"]:
        raise Unprocessable("empty_geometry", "The place's geometry is empty.")
    if row["reach"] > MAX_REACH_M:
        raise Unprocessable(
            "place_too_large",
            f"The place reaches {row['reach'] / 1000:.1f} km from its point; a place may reach "
            f"at most {MAX_REACH_M / 1000:.0f} km.",
        )
    if row["near"] is False:
        raise Unprocessable(
            "place_outside_municipality",
            f"The place lies more than {NEAR_BOUNDARY_M / 1000:.0f} km outside the "
            "municipality's boundary (are longitude and latitude swapped?).",
        )


def create_place(
    session: Session,
    mc: str,
    name: str,
    geometry: dict[str, Any],
    kind: str = "other",
    aliases: list[str] | None = None,
    area_id: int | None = None,
    note: str | None = None,
    radius_m: float | None = None,
) -> dict[str, Any]:
    """Insert a place; its area is the one containing its point unless given."""
    _check_kind(kind)
    geom, point, params = _geometry_sql(geometry, radius_m)
    _check_geometry(session, mc, geom, params)
    new_id = _run(
        session,
        f"INSERT INTO place (municipality_code, name, kind, aliases, area_id, note, geom, point) "
        f"VALUES (:mc, :name, :kind, :aliases, :area_id, :note, {geom}, {point}) RETURNING id",
        params
        | {
            "mc": mc,
            "name": name,
            "kind": kind,
            "aliases": aliases or [],
            "area_id": area_id,
            "note": note,
        },
        name,
    ).scalar_one()
    assign_areas(session, mc)
    return get_place(session, mc, new_id)


def update_place(
    session: Session, mc: str, place_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change the given fields (geometry as GeoJSON) of a place."""
    get_place(session, mc, place_id)
    sets, params = [], {"mc": mc, "id": place_id}
    for key in ("name", "kind", "aliases", "area_id", "note"):
        if key in changes:
            if key == "kind":
                _check_kind(changes[key])
            sets.append(f"{key} = :{key}")
            params[key] = changes[key]
    if changes.get("geometry") is not None:
        geom, point, extra = _geometry_sql(changes["geometry"], changes.get("radius_m"))
        _check_geometry(session, mc, geom, extra)
        sets += [f"geom = {geom}", f"point = {point}"]
        params |= extra
    if sets:
        _run(
            session,
            f"UPDATE place SET {', '.join(sets)} WHERE municipality_code = :mc AND id = :id",
            params,
            changes.get("name"),
        )
    return get_place(session, mc, place_id)


def delete_place(session: Session, mc: str, place_id: int) -> None:
    """Remove a place (its measures go with it; its events keep their points)."""
    get_place(session, mc, place_id)
    session.execute(
        text("DELETE FROM place WHERE municipality_code = :mc AND id = :id"),
        {"mc": mc, "id": place_id},
    )


def assign_areas(session: Session, mc: str) -> None:
    """Give places without an area the area that contains their point."""
    session.execute(
        text(
            "UPDATE place p SET area_id = a.id FROM area a WHERE p.municipality_code = :mc "
            "AND a.municipality_code = :mc AND p.area_id IS NULL AND ST_Intersects(a.geom, p.point)"
        ),
        {"mc": mc},
    )
