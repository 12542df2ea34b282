"""QGIS without manual work: places and boundary views, a stored project, municipal GIS roles

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:00:00

- `v_places`: every place with the rank, level and score of its municipality's latest meeting
  snapshot (the stored priorities), `legend_key` = the level or 'unranked'; integer key `fid`
  (the place id).
- `v_boundary`: the municipality boundary, key `fid` = the kommunkod as an integer.
- `geo_service_gis_municipalities()`: the municipalities whose rows the current database user
  may see (NULL: all). A member of one or more `geo_service_gis_<kommunkod>` roles sees those
  municipalities only; superusers, roles that can create roles and every other user see all.
  Every published view filters with it: the views of 0002 and 0005 are renamed to
  `<view>_all` (no longer granted) and the published name becomes a security-barrier view
  over them.
- `qgis_projects`: QGIS's own table for projects kept in PostgreSQL; `geo-service qgis install`
  writes the project into it.
- Default styles in `layer_styles` for all four styled views, generated from the palette.
- `geo_service_k` runs as its owner (SECURITY DEFINER, fixed search_path): it reads
  `municipality`, which GIS roles are not granted, so the views failed for them.
"""

from collections.abc import Sequence

from alembic import op

from geo_service.palette.qgis import all_default_style_statements

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GIS_READ = "geo_service_gis_read"
FILTERED = ("v_hotspot_cells", "v_clusters", "v_event_counts")
NEW_VIEWS = ("v_places", "v_boundary")

# NULL: every municipality; else the kommunkoder of the user's geo_service_gis_<kod> roles.
# It reads only pg_roles, which every user may read, and runs once per query (an InitPlan).
MUNICIPALITIES = r"""
CREATE OR REPLACE FUNCTION geo_service_gis_municipalities() RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN NULL
    ELSE (
      SELECT array_agg(substr(r.rolname, 17)) FROM pg_roles r
      WHERE r.rolname ~ '^geo_service_gis_[0-9]{4}$'
      AND pg_has_role(current_user, r.oid, 'MEMBER')
    )
  END
$$
"""


def _visible(column: str) -> str:
    """The condition that keeps a row of a municipality the current user may see."""
    users = "CAST((SELECT geo_service_gis_municipalities()) AS text[])"
    return f"coalesce({column}::text = ANY ({users}), true)"


PLACES = f"""
CREATE VIEW v_places WITH (security_barrier) AS
WITH latest AS (
  SELECT DISTINCT ON (municipality_code) municipality_code, meeting_date, run_id, priorities
  FROM meeting_snapshot ORDER BY municipality_code, meeting_date DESC
)
SELECT p.id AS fid, p.municipality_code, p.name, p.kind,
       l.meeting_date, l.run_id, (i.item->>'rank')::integer AS rank, i.item->>'level' AS level,
       (i.item->>'score')::float8 AS score,
       coalesce(i.item->>'level', 'unranked') AS legend_key,
       coalesce(p.geom, ST_Multi(ST_Buffer(p.point, 75)))::geometry(MultiPolygon, 3006) AS geom
FROM place p
LEFT JOIN latest l ON l.municipality_code = p.municipality_code
LEFT JOIN LATERAL (
  SELECT e AS item FROM jsonb_array_elements(l.priorities) e
  WHERE (e->>'place_id')::integer = p.id LIMIT 1
) i ON true
WHERE {_visible("p.municipality_code")}
"""

BOUNDARY = f"""
CREATE VIEW v_boundary WITH (security_barrier) AS
SELECT m.municipality_code::integer AS fid, m.municipality_code, m.name,
       'boundary'::text AS legend_key, m.boundary::geometry(MultiPolygon, 3006) AS geom
FROM municipality m
WHERE m.boundary IS NOT NULL AND {_visible("m.municipality_code")}
"""

QGIS_PROJECTS = """
CREATE TABLE IF NOT EXISTS public.qgis_projects (
  name text PRIMARY KEY,
  metadata jsonb,
  content bytea
)
"""


# geo_service_k (0008) reads `municipality`, which GIS roles may not read; it runs as its owner
K_FUNCTION = "geo_service_k(text, integer)"


def upgrade() -> None:
    op.execute(f"ALTER FUNCTION {K_FUNCTION} SECURITY DEFINER SET search_path = public, pg_temp")
    op.execute(MUNICIPALITIES)
    for view in FILTERED:
        op.execute(f"ALTER VIEW {view} RENAME TO {view}_all")
        op.execute(f"REVOKE SELECT ON {view}_all FROM {GIS_READ}")
        op.execute(
            f"CREATE VIEW {view} WITH (security_barrier) AS SELECT * FROM {view}_all "
            f"WHERE {_visible('municipality_code')}"
        )
    op.execute(PLACES)
    op.execute(BOUNDARY)
    op.execute(QGIS_PROJECTS)
    op.execute(f"GRANT SELECT ON {', '.join(FILTERED + NEW_VIEWS)} TO {GIS_READ}")
    op.execute(f"GRANT SELECT ON public.qgis_projects TO {GIS_READ}")
    for statement in all_default_style_statements():
        op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DELETE FROM public.layer_styles WHERE stylename = 'geo_service' "
        f"AND f_table_name IN ({', '.join(repr(v) for v in NEW_VIEWS)})"
    )
    op.execute("DELETE FROM public.qgis_projects WHERE name LIKE 'geo_service%'")
    # QGIS may keep the user's own projects there; drop the table only when none is left
    op.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM public.qgis_projects) THEN "
        "DROP TABLE public.qgis_projects; END IF; END $$"
    )
    for view in NEW_VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    for view in FILTERED:
        op.execute(f"DROP VIEW {view}")
        op.execute(f"ALTER VIEW {view}_all RENAME TO {view}")
        op.execute(f"GRANT SELECT ON {view} TO {GIS_READ}")
    op.execute("DROP FUNCTION IF EXISTS geo_service_gis_municipalities()")
    op.execute(f"ALTER FUNCTION {K_FUNCTION} SECURITY INVOKER RESET search_path")
