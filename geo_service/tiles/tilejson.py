"""TileJSON 3.0.0 documents with absolute, versioned tile URLs and honest bounds."""

from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, text

from geo_service.tiles.layers import LAYERS

ATTRIBUTION = "geo_service; H3 cells © Uber (Apache-2.0)"
_BOUNDS = text("""
SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (
  SELECT ST_Transform(coalesce(
    (SELECT ST_Envelope(boundary) FROM municipality WHERE municipality_code = :mc),
    (SELECT ST_SetSRID(ST_Extent(geom), 3006) FROM event WHERE municipality_code = :mc)
  ), 4326) AS b
) s
""")
SWEDEN = (10.9, 55.3, 24.2, 69.1)


def bounds(conn: Connection, mc: str) -> list[float]:
    """WGS84 bounds of the municipality boundary (else of its events, else Sweden)."""
    row = conn.execute(_BOUNDS, {"mc": mc}).one_or_none()
    if row is None or row[0] is None:
        return list(SWEDEN)
    return [round(v, 5) for v in row]


def tilejson(
    conn: Connection, layer: str, mc: str, version: str, base_url: str, run_id: int | None
) -> dict[str, Any]:
    """The TileJSON of one layer: its MVT layer id equals the layer name."""
    spec = LAYERS[layer]
    query = {"municipality": mc} | ({"run": run_id} if run_id is not None else {})
    url = f"{base_url.rstrip('/')}/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt?{urlencode(query)}"
    west, south, east, north = bounds(conn, mc)
    return {
        "tilejson": "3.0.0",
        "name": layer,
        "description": spec.description,
        "version": version,
        "attribution": ATTRIBUTION,
        "scheme": "xyz",
        "tiles": [url],
        "vector_layers": [
            {
                "id": spec.name,
                "description": spec.description,
                "fields": spec.fields,
                "minzoom": spec.minzoom,
                "maxzoom": spec.maxzoom,
            }
        ],
        "bounds": [west, south, east, north],
        "center": [
            round((west + east) / 2, 5),
            round((south + north) / 2, 5),
            max(spec.minzoom, 11),
        ],
        "minzoom": spec.minzoom,
        "maxzoom": spec.maxzoom,
    }
