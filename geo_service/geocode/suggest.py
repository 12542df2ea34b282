"""Suggestions while typing where: the municipality's place names (and their aliases) and
addresses, ranked by pg_trgm similarity, with a point in WGS84 for each."""

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, text

from geo_service.geocode.address import split_address

MIN_SIMILARITY = 0.2

_PLACES = text("""
SELECT 'place' AS type, p.name AS label, p.id AS place_id,
       ST_Y(ST_Transform(coalesce(p.point, ST_PointOnSurface(p.geom)), 4326)) AS lat,
       ST_X(ST_Transform(coalesce(p.point, ST_PointOnSurface(p.geom)), 4326)) AS lon,
       greatest(similarity(lower(p.name), :q),
                coalesce((SELECT max(similarity(lower(a), :q)) FROM unnest(p.aliases) a), 0),
                CASE WHEN lower(p.name) LIKE :prefix THEN 1 ELSE 0 END)::float8 AS score
FROM place p
WHERE p.municipality_code = :mc
""")

_ADDRESSES = text("""
SELECT DISTINCT ON (a.street, a.number, a.letter)
       'address' AS type,
       concat_ws(' ', a.street, a.number::text || coalesce(a.letter, ''))
         || coalesce(', ' || a.town, '') AS label,
       NULL::int AS place_id,
       ST_Y(ST_Transform(a.geom, 4326)) AS lat, ST_X(ST_Transform(a.geom, 4326)) AS lon,
       greatest(similarity(a.street_norm, :street),
                CASE WHEN a.street_norm LIKE :prefix THEN 0.9 ELSE 0 END)::float8 AS score
FROM address a
WHERE a.municipality_code = :mc
  AND (a.street_norm % :street OR a.street_norm LIKE :prefix)
  AND (CAST(:number AS int) IS NULL OR a.number = CAST(:number AS int))
ORDER BY a.street, a.number, a.letter
LIMIT 200
""")


@dataclass(frozen=True)
class Suggestion:
    """A place or an address that matches what was typed."""

    type: str
    label: str
    place_id: int | None
    lat: float
    lon: float
    score: float


def suggest(conn: Connection, mc: str, query: str, limit: int = 8) -> list[Suggestion]:
    """The best places and addresses for `query`, best first (places first on ties)."""
    q = query.strip().lower()
    if not q:
        return []
    parts = split_address(pd.Series([q])).iloc[0]
    street = str(parts["street_norm"]) if pd.notna(parts["street_norm"]) else q
    number = int(parts["number"]) if pd.notna(parts["number"]) else None
    rows = [
        *conn.execute(_PLACES, {"mc": mc, "q": q, "prefix": f"{q}%"}).mappings(),
        *conn.execute(
            _ADDRESSES, {"mc": mc, "street": street, "prefix": f"{street}%", "number": number}
        ).mappings(),
    ]
    found = [Suggestion(**r) for r in rows if r["score"] >= MIN_SIMILARITY]
    found.sort(key=lambda s: (-s.score, s.type != "place", s.label))
    return found[:limit]


_PLACE_POINTS = text("""
SELECT p.id, p.name, p.kind,
       ST_Y(ST_Transform(coalesce(p.point, ST_PointOnSurface(p.geom)), 4326)) AS lat,
       ST_X(ST_Transform(coalesce(p.point, ST_PointOnSurface(p.geom)), 4326)) AS lon
FROM place p WHERE p.municipality_code = :mc ORDER BY p.name
""")


def place_points(conn: Connection, mc: str) -> dict[str, object]:
    """The municipality's places as a GeoJSON FeatureCollection of points (WGS84)."""
    features = [
        {
            "type": "Feature",
            "id": r["id"],
            "geometry": {"type": "Point", "coordinates": [round(r["lon"], 6), round(r["lat"], 6)]},
            "properties": {"id": r["id"], "name": r["name"], "kind": r["kind"]},
        }
        for r in conn.execute(_PLACE_POINTS, {"mc": mc}).mappings()
        if r["lat"] is not None
    ]
    return {"type": "FeatureCollection", "features": features}
