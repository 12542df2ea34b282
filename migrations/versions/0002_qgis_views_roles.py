"""QGIS: published aggregated views, default layer styles and NOLOGIN group roles

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:15:00

Views carry typmod geometry (Polygon, 3006) and an integer key `fid`; counts below 3 are
hidden in them. Roles are cluster-wide, so they are created only when missing and never dropped.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

K = 3
VIEWS = ("v_hotspot_cells", "v_event_counts")
GIS_READ, ANALYST = "geo_service_gis_read", "geo_service_analyst"

HOTSPOT_CELLS = f"""
CREATE OR REPLACE VIEW v_hotspot_cells AS
WITH latest AS (
  SELECT DISTINCT ON (municipality_code) municipality_code, id AS run_id
  FROM analysis_run WHERE status = 'completed'
  ORDER BY municipality_code, finished_at DESC NULLS LAST, id DESC
)
SELECT (row_number() OVER (ORDER BY c.municipality_code, c.cell))::integer AS fid,
       c.municipality_code, c.run_id, lower(to_hex(c.cell)) AS cell, h.resolution,
       c.category, c.final_z AS z, c.final_p AS p, c.trend_tau, c.run_length,
       CASE WHEN c.total > 0 AND c.total < {K} THEN NULL ELSE c.total END AS total,
       h.geom::geometry(Polygon, 3006) AS geom
FROM analysis_cell c
JOIN latest l ON l.municipality_code = c.municipality_code AND l.run_id = c.run_id
JOIN h3_cell h ON h.cell = c.cell
"""

EVENT_COUNTS = f"""
CREATE OR REPLACE VIEW v_event_counts AS
SELECT (row_number() OVER (ORDER BY e.municipality_code, e.cell))::integer AS fid,
       e.municipality_code, lower(to_hex(e.cell)) AS cell, 9 AS resolution, e.n AS events,
       h.geom::geometry(Polygon, 3006) AS geom
FROM (
  SELECT municipality_code, h3_r9 AS cell, count(*)::integer AS n FROM event
  WHERE h3_r9 IS NOT NULL AND geocode_method <> 'municipality_centroid'
  GROUP BY 1, 2 HAVING count(*) >= {K}
) e JOIN h3_cell h ON h.cell = e.cell
"""

LAYER_STYLES = """
CREATE TABLE IF NOT EXISTS public.layer_styles (
  id serial PRIMARY KEY,
  f_table_catalog varchar(256),
  f_table_schema varchar(256),
  f_table_name varchar(256),
  f_geometry_column varchar(256),
  stylename text,
  styleqml xml,
  stylesld xml,
  useasdefault boolean,
  description text,
  owner varchar(63) DEFAULT CURRENT_USER,
  ui xml,
  update_time timestamp DEFAULT CURRENT_TIMESTAMP,
  type varchar
)
"""


def _qml(expression: str, label: str) -> str:
    """A minimal QGIS style: a fill coloured by a data-defined expression."""
    return (
        '<qgis version="3.34.0" styleCategories="Symbology">'
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        '<symbols><symbol type="fill" name="0" alpha="0.7" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleFill" enabled="1" pass="0" locked="0">'
        '<Option type="Map"><Option name="color" type="QString" value="215,48,39,180"/>'
        '<Option name="outline_color" type="QString" value="80,80,80,255"/>'
        '<Option name="outline_width" type="QString" value="0.2"/></Option>'
        '<data_defined_properties><Option type="Map"><Option name="properties" type="Map">'
        '<Option name="fillColor" type="Map"><Option name="active" type="bool" value="true"/>'
        f'<Option name="expression" type="QString" value="{expression}"/>'
        '<Option name="type" type="int" value="3"/></Option></Option></Option>'
        "</data_defined_properties></layer></symbol></symbols></renderer-v2>"
        f"<layerGeometryType>2</layerGeometryType><!-- {label} --></qgis>"
    )


STYLES = {
    "v_hotspot_cells": _qml(
        "CASE WHEN &quot;category&quot; LIKE '%_hot' THEN '215,48,39,200' "
        "WHEN &quot;category&quot; LIKE '%_cold' THEN '69,117,180,200' ELSE '0,0,0,0' END",
        "emerging hot spot category",
    ),
    "v_event_counts": _qml(
        "ramp_color('Reds', scale_linear(&quot;events&quot;, 3, 30, 0, 1))", "events per cell"
    ),
}


def _create_role(name: str) -> str:
    return f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
    CREATE ROLE {name} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$"""


def upgrade() -> None:
    op.execute(HOTSPOT_CELLS)
    op.execute(EVENT_COUNTS)
    op.execute(LAYER_STYLES)
    for view, qml in STYLES.items():
        op.execute(
            "DELETE FROM public.layer_styles WHERE f_table_schema = 'public' "
            f"AND f_table_name = '{view}' AND stylename = 'geo_service'"
        )
        op.execute(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, stylename, styleqml, useasdefault, description, type) VALUES "
            f"(current_database(), 'public', '{view}', 'geom', 'geo_service', "
            f"XMLPARSE(DOCUMENT '{qml.replace(chr(39), chr(39) * 2)}'), true, "
            "'geo_service default style', 'Polygon')"
        )
    op.execute(_create_role(GIS_READ))
    op.execute(_create_role(ANALYST))
    op.execute(f"GRANT {GIS_READ} TO {ANALYST}")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {GIS_READ}, {ANALYST}")
    op.execute(f"GRANT SELECT ON {', '.join(VIEWS)}, public.layer_styles TO {GIS_READ}")
    op.execute(f"GRANT SELECT ON event, place, area, taxonomy, h3_cell TO {ANALYST}")


def downgrade() -> None:
    op.execute(f"REVOKE SELECT ON event, place, area, taxonomy, h3_cell FROM {ANALYST}")
    op.execute(f"REVOKE SELECT ON public.layer_styles FROM {GIS_READ}")
    op.execute(
        "DELETE FROM public.layer_styles WHERE stylename = 'geo_service' "
        f"AND f_table_name IN ({', '.join(repr(v) for v in VIEWS)})"
    )
    # QGIS may keep its own styles there; drop the table only when nothing else is left in it
    op.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM public.layer_styles) THEN "
        "DROP TABLE public.layer_styles; END IF; END $$"
    )
    for view in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
