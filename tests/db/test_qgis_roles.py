"""A GIS login given a municipality's role sees that municipality's rows only, in every view."""

import io
import uuid
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from geo_service.cli import app
from geo_service.db.tenants import ensure_municipality

RUNNER = CliRunner()
MINE, OTHER = "9921", "9922"
VIEWS = ("v_boundary", "v_places", "v_hotspot_cells", "v_clusters", "v_event_counts")


def _square(x: int) -> str:
    return (
        f"POLYGON(({x} 6200000, {x + 5000} 6200000, {x + 5000} 6205000, {x} 6205000, {x} 6200000))"
    )


@pytest.fixture(scope="module")
def two_municipalities(engine: Engine) -> Engine:
    """Two municipalities, each with a boundary and a place."""
    with Session(engine) as session:
        for code, x in ((MINE, 400_000), (OTHER, 420_000)):
            ensure_municipality(session, code, f"Kommun {code}", _square(x))
            session.execute(
                text(
                    "INSERT INTO place (municipality_code, name, geom) "
                    "VALUES (:mc, 'Torget', ST_Multi(ST_Buffer(ST_Point(:x, 6202000, 3006), 50)))"
                ),
                {"mc": code, "x": x + 2000},
            )
        session.commit()
    return engine


def _login(engine: Engine, grant: str) -> Iterator[Engine]:
    """A new LOGIN role granted `grant`, and an engine that connects as it."""
    name = f"gis_user_{uuid.uuid4().hex[:8]}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD 'secret'"))
        conn.execute(text(f"GRANT {grant} TO {name}"))
    user = create_engine(engine.url.set(username=name, password="secret"))
    yield user
    user.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP ROLE {name}"))


def _codes(user: Engine, view: str) -> set[str]:
    with user.connect() as conn:
        return set(conn.execute(text(f"SELECT municipality_code FROM {view}")).scalars())


def test_a_municipal_gis_role_sees_only_its_municipality(two_municipalities: Engine) -> None:
    result = RUNNER.invoke(app, ["qgis", "role", MINE])
    assert result.exit_code == 0, result.output
    assert f"GRANT geo_service_gis_{MINE} TO" in result.output

    for user in _login(two_municipalities, f"geo_service_gis_{MINE}"):
        assert _codes(user, "v_boundary") == {MINE}
        assert _codes(user, "v_places") == {MINE}
        for view in VIEWS:
            assert _codes(user, view) <= {MINE}, view
        with pytest.raises(ProgrammingError, match="permission denied"), user.connect() as conn:
            conn.execute(text("SELECT count(*) FROM event"))
        with pytest.raises(ProgrammingError, match="permission denied"), user.connect() as conn:
            conn.execute(text("SELECT count(*) FROM v_hotspot_cells_all"))


def test_the_general_gis_role_still_sees_every_municipality(two_municipalities: Engine) -> None:
    for user in _login(two_municipalities, "geo_service_gis_read"):
        assert {MINE, OTHER} <= _codes(user, "v_boundary")
        assert {MINE, OTHER} <= _codes(user, "v_places")


def test_a_role_for_an_unknown_municipality_is_refused(two_municipalities: Engine) -> None:
    result = RUNNER.invoke(app, ["qgis", "role", "12x4"])
    assert result.exit_code != 0
    assert "four-digit kommunkod" in str(result.exception)


def test_install_stores_a_project_filtered_to_the_municipality(two_municipalities: Engine) -> None:
    result = RUNNER.invoke(app, ["qgis", "install", "--municipality", MINE, "--host", "gis.local"])
    assert result.exit_code == 0, result.output
    with two_municipalities.connect() as conn:
        content = conn.execute(
            text("SELECT content FROM qgis_projects WHERE name = :n"), {"n": f"geo_service_{MINE}"}
        ).scalar_one()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        qgs = archive.read(f"geo_service_{MINE}.qgs").decode()
    assert "host=gis.local" in qgs and "user=" not in qgs and "password" not in qgs
    assert qgs.count(f"&quot;municipality_code&quot; = '{MINE}'") >= 4
