"""Migrations: empty → head → empty, and the models equal the head revision."""

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from geo_service.db import migrate
from geo_service.db.migrate import include_object
from geo_service.db.models import Base
from tests.conftest import create_database, drop_database


@pytest.fixture
def empty_database(server_url: str) -> Iterator[str]:
    url = create_database(server_url, "geo_service_mig")
    yield url
    drop_database(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_to_head_then_downgrade_to_empty(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    assert migrate.current_revision(empty_database) == migrate.head_revision()
    assert set(Base.metadata.tables) <= _tables(empty_database)

    command.downgrade(migrate.alembic_config(empty_database), "base")
    assert migrate.current_revision(empty_database) is None
    assert _tables(empty_database) == set()


def test_0004_moves_the_source_crs_out_of_attributes_and_back(empty_database: str) -> None:
    config = migrate.alembic_config(empty_database)
    command.upgrade(config, "0003")
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (municipality_code, name) VALUES ('1275', 'Perstorp');"
                "INSERT INTO source (municipality_code, code, name, kind) "
                "VALUES ('1275', 'polisen', 'Polisen', 'police');"
                "INSERT INTO taxonomy (municipality_code, code, label_sv, label_en, kinds) "
                "VALUES ('1275', 'klotter', 'Klotter', 'Graffiti', '{incident}');"
                "INSERT INTO event (municipality_code, kind, category, source, source_id, "
                "content_hash, occurred_at, geocode_method, attributes) VALUES "
                "('1275', 'incident', 'klotter', 'polisen', 'a', 'h', now(), 'coordinates', "
                '\'{"crs": 3008, "geometry": "point_on_surface"}\')'
            )
        )
    select = text("SELECT source_crs, attributes FROM event")
    try:
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert tuple(conn.execute(select).one()) == (3008, {"geometry": "point_on_surface"})
        command.downgrade(config, "0003")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT attributes FROM event")).scalar_one()
        assert back == {"crs": 3008, "geometry": "point_on_surface"}
    finally:
        engine.dispose()


def test_models_and_head_do_not_differ(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_h3_parent_in_sql_matches_h3(database_url: str) -> None:
    import h3

    cell = h3.latlng_to_cell(56.133, 13.383, 10)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        parents = [
            conn.execute(text("SELECT h3_parent(:c, :r)"), {"c": int(cell, 16), "r": r}).scalar()
            for r in (9, 8, 5, 0)
        ]
    engine.dispose()
    assert [format(p, "x") for p in parents] == [h3.cell_to_parent(cell, r) for r in (9, 8, 5, 0)]


def test_check_constraints_reject_bad_rows(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn, pytest.raises(Exception, match="code_format"):
        conn.execute(text("INSERT INTO municipality (municipality_code, name) VALUES ('12', 'x')"))
    engine.dispose()
