"""Safety walks (trivselvandringar): the walk rows and the findings that name them.

A finding is an event of kind `walk_finding` whose attributes hold `walk_id`; it is linked to
the place it lies in (or within 100 m of a point-only place), as the priorities link events.
Routes are LineStrings in SWEREF 99 TM, given and returned as GeoJSON in WGS84.
"""

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from geo_service.errors import NotFoundError

_COLUMNS = """
w.id, w.name, w.walk_date, w.organisations, w.note, w.created_by, w.created_at,
ST_AsGeoJSON(ST_Transform(w.route, 4326), 6) AS route,
(SELECT count(*) FROM event e WHERE e.municipality_code = w.municipality_code
   AND e.kind = 'walk_finding' AND e.attributes @> jsonb_build_object('walk_id', w.id))
  AS findings
"""
_ROUTE = "ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(CAST(:route AS text)), 4326), 3006)"

_INSERT = text(f"""
INSERT INTO walk (municipality_code, name, walk_date, organisations, note, route, created_by)
VALUES (:mc, :name, :walk_date, :organisations, :note,
        CASE WHEN CAST(:route AS text) IS NULL THEN NULL ELSE {_ROUTE} END, :actor)
RETURNING id
""")
_ONE = text(f"SELECT {_COLUMNS} FROM walk w WHERE w.municipality_code = :mc AND w.id = :id")
_LIST = text(f"""
SELECT {_COLUMNS} FROM walk w WHERE w.municipality_code = :mc
ORDER BY w.walk_date DESC, w.id DESC LIMIT :limit
""")
_UPDATE = text(f"""
UPDATE walk w SET name = coalesce(:name, w.name),
                  walk_date = coalesce(:walk_date, w.walk_date),
                  organisations = coalesce(:organisations, w.organisations),
                  note = coalesce(:note, w.note),
                  route = CASE WHEN :set_route THEN
                            CASE WHEN CAST(:route AS text) IS NULL THEN NULL ELSE {_ROUTE} END
                          ELSE w.route END
WHERE w.municipality_code = :mc AND w.id = :id
""")
TAG_FINDINGS = text("""
UPDATE event SET attributes = attributes || jsonb_build_object('walk_id', :walk_id)
WHERE municipality_code = :mc AND batch_id = :batch_id AND kind = 'walk_finding'
""")
_FINDINGS = text("""
SELECT e.id, e.category, t.label_sv, t.label_en, e.severity, e.description, e.occurred_at,
       ST_Y(ST_Transform(e.geom, 4326)) AS lat, ST_X(ST_Transform(e.geom, 4326)) AS lon,
       p.id AS place_id, p.name AS place_name
FROM event e
LEFT JOIN taxonomy t ON t.municipality_code = e.municipality_code AND t.code = e.category
LEFT JOIN LATERAL (
  SELECT p.id, p.name FROM place p
  WHERE p.municipality_code = e.municipality_code
    AND (p.id = e.place_id
         OR ST_Intersects(coalesce(p.geom, ST_Multi(ST_Buffer(p.point, 100))), e.geom))
  ORDER BY p.id = e.place_id DESC, p.id LIMIT 1
) p ON true
WHERE e.municipality_code = :mc AND e.kind = 'walk_finding'
  AND e.attributes @> jsonb_build_object('walk_id', :walk_id)
ORDER BY e.occurred_at, e.id
""")


def _shape(row: Any) -> dict[str, Any]:
    walk = dict(row)
    walk["route"] = json.loads(walk["route"]) if walk["route"] else None
    return walk


def _route_text(route: dict[str, Any] | None) -> str | None:
    return json.dumps(route) if route else None


def create_walk(
    conn: Connection,
    mc: str,
    actor: str,
    name: str,
    walk_date: date,
    organisations: list[str],
    note: str | None = None,
    route: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store a new walk; returns it as `get_walk` does."""
    walk_id = conn.execute(
        _INSERT,
        {
            "mc": mc,
            "name": name,
            "walk_date": walk_date,
            "organisations": organisations,
            "note": note,
            "route": _route_text(route),
            "actor": actor,
        },
    ).scalar_one()
    return get_walk(conn, mc, walk_id)


def get_walk(conn: Connection, mc: str, walk_id: int) -> dict[str, Any]:
    """One walk with its number of findings, or NotFound."""
    row = conn.execute(_ONE, {"mc": mc, "id": walk_id}).mappings().one_or_none()
    if row is None:
        raise NotFoundError("walk", walk_id)
    return _shape(row)


def list_walks(conn: Connection, mc: str, limit: int = 100) -> list[dict[str, Any]]:
    """The municipality's walks, newest first."""
    return [_shape(r) for r in conn.execute(_LIST, {"mc": mc, "limit": limit}).mappings()]


def update_walk(conn: Connection, mc: str, walk_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change the given fields of a walk (a route given as null removes it)."""
    get_walk(conn, mc, walk_id)
    conn.execute(
        _UPDATE,
        {
            "mc": mc,
            "id": walk_id,
            "name": changes.get("name"),
            "walk_date": changes.get("walk_date"),
            "organisations": changes.get("organisations"),
            "note": changes.get("note"),
            "set_route": "route" in changes,
            "route": _route_text(changes.get("route")),
        },
    )
    return get_walk(conn, mc, walk_id)


def tag_findings(conn: Connection, mc: str, walk_id: int, batch_id: int) -> None:
    """Name the walk in the attributes of the findings stored by one batch."""
    conn.execute(TAG_FINDINGS, {"mc": mc, "walk_id": walk_id, "batch_id": batch_id})


def walk_findings(conn: Connection, mc: str, walk_id: int) -> list[dict[str, Any]]:
    """A walk's findings in the order they were made, each with the place it lies in."""
    return [dict(r) for r in conn.execute(_FINDINGS, {"mc": mc, "walk_id": walk_id}).mappings()]
