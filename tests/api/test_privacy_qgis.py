"""QGIS-facing database objects: typmod views with integer keys, k-suppressed, styles, roles."""

from sqlalchemy import Engine, text

from tests.api.serving_data import PUBLIC_MC, Tenant


def test_published_views_are_typmod_keyed_and_suppress_small_counts(
    tenants: dict[str, Tenant], engine: Engine
) -> None:
    t = tenants[PUBLIC_MC]
    with engine.connect() as conn:
        types = dict(
            conn.execute(
                text(
                    "SELECT f_table_name, type || ',' || srid FROM geometry_columns "
                    "WHERE f_table_name IN ('v_hotspot_cells', 'v_event_counts')"
                )
            ).all()
        )
        keys = set(
            conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns WHERE column_name = 'fid' "
                    "AND table_name IN ('v_hotspot_cells', 'v_event_counts')"
                )
            ).scalars()
        )
        cells = dict(
            conn.execute(
                text("SELECT cell, total FROM v_hotspot_cells WHERE municipality_code = :mc"),
                {"mc": t.code},
            ).all()
        )
        counts = dict(
            conn.execute(
                text("SELECT cell, events FROM v_event_counts WHERE municipality_code = :mc"),
                {"mc": t.code},
            ).all()
        )
        styles = set(
            conn.execute(text("SELECT f_table_name FROM layer_styles WHERE useasdefault")).scalars()
        )
        gis_can_read_event = conn.execute(
            text("SELECT has_table_privilege('geo_service_gis_read', 'event', 'SELECT')")
        ).scalar()
        analyst_can_read_event = conn.execute(
            text("SELECT has_table_privilege('geo_service_analyst', 'event', 'SELECT')")
        ).scalar()
        gis_can_read_view = conn.execute(
            text("SELECT has_table_privilege('geo_service_gis_read', 'v_hotspot_cells', 'SELECT')")
        ).scalar()
    assert types == {"v_hotspot_cells": "POLYGON,3006", "v_event_counts": "POLYGON,3006"}
    assert keys == {"integer"}
    assert cells[t.cell_a] is None and cells[t.cell_b] == 5.0
    assert t.cell_a not in counts and counts[t.cell_b] == 5
    assert styles >= {"v_hotspot_cells", "v_event_counts"}
    assert gis_can_read_view and not gis_can_read_event and analyst_can_read_event
