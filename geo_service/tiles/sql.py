"""Tile SQL: ST_TileEnvelope + ST_AsMVTGeom + ST_AsMVT, filtered in EPSG:3006 so GiST is used.

Feature ids are integers: an H3 cell shifted right past its unused digits (unique per
resolution and below 2^53, so JavaScript keeps it exact), or the place id.
"""

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from geo_service.grid.cells import cell_polygons
from geo_service.privacy import SUPPRESSED_RESOLUTION, hidden_periods_sum
from geo_service.tiles.layers import BUFFER, EXTENT, events_resolution

# The envelope with the MVT buffer as margin, transformed to 3006 for the index filter, and the
# tenant's k (geo_service.privacy: the configured k as floor, the stored and the tenant's own).
_ENV = f"""
env AS (
  SELECT ST_TileEnvelope(:z, :x, :y) AS e3857,
         ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}), 3006) AS e3006,
         geo_service_k(:mc, :k) AS k
)"""

_MVT_GEOM = f"ST_AsMVTGeom(ST_Transform(h.geom_4326, 3857), env.e3857, {EXTENT}, {BUFFER}, true)"

HOTSPOTS = text(f"""
WITH {_ENV}
SELECT ST_AsMVT(t, 'hotspots', {EXTENT}, 'geom', 'id') FROM (
  SELECT c.cell >> ((15 - h.resolution) * 3) AS id,
         lower(to_hex(c.cell)) AS cell,
         c.category,
         round(c.final_z::numeric, 3)::float8 AS z,
         round(c.final_p::numeric, 5)::float8 AS p,
         round(c.trend_tau::numeric, 3)::float8 AS trend_tau,
         c.confirmed, c.uncertain,
         CASE WHEN :suppress AND (c.total > 0 AND c.total < env.k
                   OR {hidden_periods_sum("env.k")} BETWEEN 1 AND env.k - 1) THEN NULL
              ELSE c.total END AS total,
         CASE WHEN :suppress AND c.last_value > 0 AND c.last_value < env.k THEN NULL
              ELSE c.last_value END AS last,
         CASE WHEN :suppress AND (c.total > 0 AND c.total < env.k
                   OR {hidden_periods_sum("env.k")} BETWEEN 1 AND env.k - 1) THEN NULL
              ELSE round((c.total / run.n_periods)::numeric, 2)::float8 END AS usual,
         {_MVT_GEOM} AS geom
  FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell, env,
       (SELECT n_periods FROM analysis_run WHERE municipality_code = :mc AND id = :run) run
  WHERE c.municipality_code = :mc AND c.run_id = :run AND h.geom && env.e3006
) t WHERE t.geom IS NOT NULL
""")

# Scan clusters and point clusters of the run; counts below k hidden from suppressed roles.
CLUSTERS = text(f"""
WITH {_ENV}
SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom', 'id') FROM (
  SELECT k.id, k.method, k.alarm, (k.stats->>'cluster')::int AS cluster,
         CASE WHEN :suppress AND k.size < env.k THEN NULL ELSE k.size END AS size,
         round((k.stats->>'expected')::numeric, 2)::float8 AS expected,
         CASE WHEN :suppress AND k.size < env.k THEN NULL
              ELSE round((k.stats->>'ratio')::numeric, 2)::float8 END AS ratio,
         round((k.stats->>'recurrence_days')::numeric)::float8 AS recurrence_days,
         ST_AsMVTGeom(ST_Transform(k.geom, 3857), env.e3857, {EXTENT}, {BUFFER}, true) AS geom
  FROM analysis_cluster k, env
  WHERE k.municipality_code = :mc AND k.run_id = :run AND k.geom && env.e3006
) t WHERE t.geom IS NOT NULL
""")

# Rank, score and level come from the meeting's priorities (the same as the API and the
# lägesbild), passed in as arrays by place id.
PLACES = text(f"""
WITH {_ENV},
ranked AS (
  SELECT * FROM unnest(CAST(:place_ids AS int[]), CAST(:ranks AS int[]),
                       CAST(:scores AS float8[]), CAST(:levels AS text[]))
    AS r(id, rank, score, level)
)
SELECT ST_AsMVT(t, 'places', {EXTENT}, 'geom', 'id') FROM (
  SELECT p.id, p.name, p.kind, r.rank, r.score, r.level,
         ST_AsMVTGeom(ST_Transform(p.geom, 3857), env.e3857, {EXTENT}, {BUFFER}, true) AS geom
  FROM place p JOIN ranked r ON r.id = p.id, env
  WHERE p.municipality_code = :mc AND p.geom && env.e3006
) t WHERE t.geom IS NOT NULL
""")


def _events_sql(resolution: int) -> str:
    """Counts per cell of the tile, computed once (MATERIALIZED: inlined, the planner re-ran the
    count for every cell of the tile, seconds at z10 with 1M events). At resolutions 8-10 the
    counts come from the partial index on the cell column (ix_event_h3_rN, index-only after a
    vacuum); coarser cells are the parents of r8 cells, found by a padded box around them."""
    if resolution >= 8:
        count = f"""
  SELECT e.h3_r{resolution} AS cell, count(*) AS n
  FROM event e
  WHERE e.municipality_code = :mc AND e.geocode_method <> 'municipality_centroid'
    AND e.h3_r{resolution} IN (SELECT cell FROM cells)
  GROUP BY 1"""
    else:
        count = f"""
  SELECT h3_parent(e.h3_r8, {resolution}) AS cell, count(*) AS n
  FROM event e, (SELECT ST_Expand(ST_Extent(geom)::geometry, 1500) AS b FROM cells) box
  WHERE e.municipality_code = :mc AND e.geom && box.b
    AND e.geocode_method <> 'municipality_centroid'
    AND h3_parent(e.h3_r8, {resolution}) IN (SELECT cell FROM cells)
  GROUP BY 1"""
    return f"""
WITH {_ENV},
cells AS (
  SELECT h.cell, h.geom, h.geom_4326 FROM h3_cell h, env
  WHERE h.geom && env.e3006 AND h.resolution = {resolution}
),
counts AS MATERIALIZED ({count}
)
SELECT ST_AsMVT(t, 'events_agg', {EXTENT}, 'geom', 'id') FROM (
  SELECT h.cell >> ((15 - {resolution}) * 3) AS id, lower(to_hex(h.cell)) AS cell,
         {resolution} AS resolution, n.n AS count, {_MVT_GEOM} AS geom
  FROM counts n JOIN cells h ON h.cell = n.cell, env
  WHERE NOT (:suppress AND n.n < env.k)
) t WHERE t.geom IS NOT NULL
"""


EVENTS = {r: text(_events_sql(r)) for r in range(6, 11)}


@dataclass(frozen=True)
class PlaceRanking:
    """Each place's rank, score and level for one meeting, as the places layer shows them."""

    place_ids: tuple[int, ...] = ()
    ranks: tuple[int, ...] = ()
    scores: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()

    @classmethod
    def of(cls, items: list[dict[str, Any]]) -> "PlaceRanking":
        """From ranked priority items (place_id, rank, score, level)."""
        return cls(
            tuple(i["place_id"] for i in items), tuple(i["rank"] for i in items),
            tuple(float(i["score"]) for i in items), tuple(i["level"] for i in items),
        )  # fmt: skip

    def params(self) -> dict[str, list[Any]]:
        return {
            "place_ids": list(self.place_ids), "ranks": list(self.ranks),
            "scores": list(self.scores), "levels": list(self.levels),
        }  # fmt: skip


def render_tile(
    conn: Connection,
    layer: str,
    mc: str,
    z: int,
    x: int,
    y: int,
    *,
    run_id: int | None,
    suppress: bool,
    k: int,
    ranking: PlaceRanking | None = None,
) -> bytes:
    """One MVT tile of `layer` for municipality `mc` (empty bytes when nothing is there).

    The places layer needs the `ranking` of the meeting that reviews the run.
    """
    params = {"z": z, "x": x, "y": y, "mc": mc, "run": run_id, "suppress": suppress, "k": k}
    if layer == "hotspots":
        stmt = HOTSPOTS
    elif layer == "clusters":
        stmt = CLUSTERS
    elif layer == "places":
        stmt = PLACES
        params |= (ranking or PlaceRanking()).params()
    else:
        # suppressed callers see one resolution at every zoom (no parent minus children)
        resolution = SUPPRESSED_RESOLUTION if suppress else events_resolution(z)
        if resolution < 8:
            ensure_parent_cells(conn, mc, resolution)
        stmt = EVENTS[resolution]
    data = conn.execute(stmt, params).scalar()
    return bytes(data) if data else b""


_ENSURED: dict[tuple[str, int], float] = {}
ENSURE_SECONDS = 300.0


def ensure_parent_cells(conn: Connection, mc: str, resolution: int) -> int:
    """Add polygons of coarse parents of the tenant's r8 cells to h3_cell (at most every 5 min)."""
    key = (mc, resolution)
    if time.monotonic() - _ENSURED.get(key, -ENSURE_SECONDS) < ENSURE_SECONDS:
        return 0
    missing = np.fromiter(
        conn.execute(
            text(
                "SELECT DISTINCT h3_parent(h3_r8, :r) FROM (SELECT DISTINCT h3_r8 FROM event "
                "WHERE municipality_code = :mc AND h3_r8 IS NOT NULL) e "
                "EXCEPT SELECT cell FROM h3_cell WHERE resolution = :r"
            ),
            {"mc": mc, "r": resolution},
        ).scalars(),
        dtype=np.int64,
    )
    if missing.size:
        wgs, sweref = cell_polygons(missing)
        conn.execute(
            text(
                "INSERT INTO h3_cell (cell, resolution, geom, geom_4326) SELECT c, :r, "
                "ST_GeomFromText(g, 3006), ST_GeomFromText(w, 4326) "
                "FROM unnest(CAST(:cells AS bigint[]), CAST(:g AS text[]), CAST(:w AS text[])) "
                "AS u(c, g, w) ON CONFLICT (cell) DO NOTHING"
            ),
            {
                "cells": missing.tolist(),
                "g": [s.wkt for s in sweref],
                "w": [p.wkt for p in wgs],
                "r": resolution,
            },
        )
    _ENSURED[key] = time.monotonic()
    return int(missing.size)
