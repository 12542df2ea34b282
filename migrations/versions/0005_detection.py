"""Detection you can trust: calibrated trends, confirmed labels, clusters and self-calibration

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:00:00

- `analysis_run.calibration`: the run's own false-alarm measurement (time permutations) and,
  with `resolution = auto`, the resolution chosen and the numbers behind the choice.
- `analysis_cell`: `confirmed` (a new or consecutive hot spot inside a scan cluster with an
  alarm), `uncertain` (a new or consecutive label without that confirmation), the category
  trend's adjusted p, and the z-series trend kept for comparison. The category trend is tested
  only where a category needs it, so `trend_tau`/`trend_p` may now be NULL.
- `analysis_cluster`: scan clusters and point clusters of a run; `alarm` for scan clusters
  whose recurrence interval reaches the alarm limit; geometry as MultiPolygon (a scan cluster's
  cells need not touch).
- `municipality.analysis_resolution` NULL means `auto`, the default for new municipalities.
- QGIS: `v_hotspot_cells` gains `confirmed`, `uncertain` and `legend_key`; the new view
  `v_clusters`; both styled from the palette in `layer_styles`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from geo_service.palette.qgis import clusters_qml, default_style_statements, hotspot_cells_qml

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

K = 3
GIS_READ = "geo_service_gis_read"


def _latest(order: str) -> str:
    """The CTE of each municipality's latest completed run, by the given order."""
    return f"""
WITH latest AS (
  SELECT DISTINCT ON (municipality_code) municipality_code, id AS run_id
  FROM analysis_run WHERE status = 'completed'
  ORDER BY municipality_code, {order}
)"""


# The latest run is the one with the newest data (a run made later for a past meeting does
# not replace it), as geo_service.runs.latest_run picks it; 0002 took the last one made.
LATEST = _latest("period_end DESC, finished_at DESC NULLS LAST, id DESC")
LATEST_0002 = _latest("finished_at DESC NULLS LAST, id DESC")


def _hotspot_cells(latest: str, extra: str = "") -> str:
    """v_hotspot_cells over the given latest runs, with `extra` columns after the geometry."""
    return f"""
CREATE OR REPLACE VIEW v_hotspot_cells AS {latest}
SELECT (row_number() OVER (ORDER BY c.municipality_code, c.cell))::integer AS fid,
       c.municipality_code, c.run_id, lower(to_hex(c.cell)) AS cell, h.resolution,
       c.category, c.final_z AS z, c.final_p AS p, c.trend_tau, c.run_length,
       CASE WHEN c.total > 0 AND c.total < {K} THEN NULL ELSE c.total END AS total,
       h.geom::geometry(Polygon, 3006) AS geom{extra}
FROM analysis_cell c
JOIN latest l ON l.municipality_code = c.municipality_code AND l.run_id = c.run_id
JOIN h3_cell h ON h.cell = c.cell
"""


HOTSPOT_CELLS = _hotspot_cells(
    LATEST,
    """,
       c.confirmed, c.uncertain,
       c.category || CASE WHEN c.uncertain THEN '_uncertain' ELSE '' END AS legend_key""",
)
HOTSPOT_CELLS_0002 = _hotspot_cells(LATEST_0002)

# Counts below k are hidden: a cluster's observed events, and everything derived from them.
CLUSTERS = f"""
CREATE OR REPLACE VIEW v_clusters AS {LATEST}
SELECT (row_number() OVER (ORDER BY k.municipality_code, k.method, k.id))::integer AS fid,
       k.municipality_code, k.run_id, k.id AS cluster, k.method, k.alarm,
       CASE WHEN k.size < {K} THEN NULL ELSE k.size END AS size,
       (k.stats->>'expected')::float8 AS expected,
       CASE WHEN k.size < {K} THEN NULL ELSE (k.stats->>'ratio')::float8 END AS ratio,
       (k.stats->>'p')::float8 AS p, (k.stats->>'recurrence_days')::float8 AS recurrence_days,
       k.first_at, k.last_at,
       CASE WHEN k.method <> 'scan' THEN 'points'
            WHEN k.alarm THEN 'scan_alarm' ELSE 'scan' END AS legend_key,
       k.geom::geometry(MultiPolygon, 3006) AS geom
FROM analysis_cluster k
JOIN latest l ON l.municipality_code = k.municipality_code AND l.run_id = k.run_id
"""


def _set_style(view: str, qml: str) -> None:
    for statement in default_style_statements(view, qml):
        op.execute(statement)


def upgrade() -> None:
    op.add_column(
        "analysis_run",
        sa.Column("calibration", sa.dialects.postgresql.JSONB(), nullable=False,
                  server_default=sa.text("'{}'::jsonb")),
    )  # fmt: skip
    for name in ("confirmed", "uncertain"):
        op.add_column(
            "analysis_cell",
            sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()),
        )
    for name in ("trend_p_adj", "z_trend_tau", "z_trend_p"):
        op.add_column("analysis_cell", sa.Column(name, sa.Float(), nullable=True))
    op.execute("UPDATE analysis_cell SET z_trend_tau = trend_tau, z_trend_p = trend_p")
    op.alter_column("analysis_cell", "trend_tau", nullable=True)
    op.alter_column("analysis_cell", "trend_p", nullable=True)
    op.add_column(
        "analysis_cluster",
        sa.Column("alarm", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "ALTER TABLE analysis_cluster ALTER COLUMN geom TYPE geometry(MultiPolygon, 3006) "
        "USING ST_Multi(geom)"
    )
    op.alter_column("municipality", "analysis_resolution", nullable=True, server_default=None)
    op.execute(HOTSPOT_CELLS)
    op.execute(CLUSTERS)
    op.execute(f"GRANT SELECT ON v_clusters TO {GIS_READ}")
    _set_style("v_hotspot_cells", hotspot_cells_qml())
    _set_style("v_clusters", clusters_qml())


def downgrade() -> None:
    op.execute(
        "DELETE FROM public.layer_styles WHERE stylename = 'geo_service' "
        "AND f_table_name = 'v_clusters'"
    )
    op.execute("DROP VIEW IF EXISTS v_clusters")
    op.execute("DROP VIEW IF EXISTS v_hotspot_cells")
    op.execute(HOTSPOT_CELLS_0002)
    op.execute(f"GRANT SELECT ON v_hotspot_cells TO {GIS_READ}")
    op.execute("UPDATE municipality SET analysis_resolution = 9 WHERE analysis_resolution IS NULL")
    op.alter_column(
        "municipality", "analysis_resolution", nullable=False, server_default=sa.text("9")
    )
    op.execute(
        "ALTER TABLE analysis_cluster ALTER COLUMN geom TYPE geometry(Polygon, 3006) "
        "USING ST_GeometryN(geom, 1)"
    )
    op.drop_column("analysis_cluster", "alarm")
    op.execute(
        "UPDATE analysis_cell SET trend_tau = coalesce(z_trend_tau, 0), "
        "trend_p = coalesce(z_trend_p, 1)"
    )
    op.alter_column("analysis_cell", "trend_tau", nullable=False)
    op.alter_column("analysis_cell", "trend_p", nullable=False)
    for name in ("z_trend_p", "z_trend_tau", "trend_p_adj", "uncertain", "confirmed"):
        op.drop_column("analysis_cell", name)
    op.drop_column("analysis_run", "calibration")
