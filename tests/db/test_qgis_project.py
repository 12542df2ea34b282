"""The QGIS project and styles stored in PostGIS, opened and rendered by Debian's QGIS.

The project is built without QGIS; QGIS (its Python bindings belong to the system Python, not
the venv) then reads it from `qgis_projects` as a GIS user would, and renders it.
"""

import io
import json
import os
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from geo_service.palette import CATEGORY_COLOURS, CERTAIN_OPACITY, LEVEL_COLOURS
from geo_service.palette.qgis import PUBLISHED_LAYERS
from geo_service.palette.qgis_install import create_gis_role, install_project, project_name
from geo_service.palette.qgis_project import Connection
from geo_service.priorities.snapshots import create_snapshot, get_snapshot
from tests.api.priorities_data import (
    LAST_MEETING,
    MC,
    PriorityDb,
    prio_db_fixture,  # noqa: F401
)
from tests.conftest import fetch

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")
VIEWS = {layer.view for layer in PUBLISHED_LAYERS}


def _qgis_missing() -> str | None:
    """Why QGIS cannot be used here, or None when its Python bindings import."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"],
        capture_output=True,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    if probe.returncode != 0:
        return "QGIS is not installed (apt-get install qgis python3-qgis)"
    return None


@pytest.fixture(scope="module")
def installed(prio_db: PriorityDb) -> PriorityDb:
    """The demo with its last meeting's snapshot, and the project of kommun 1275 stored."""
    url = make_url(prio_db.url)
    connection = Connection(dbname=url.database or "", host=url.host, port=url.port)
    with Session(prio_db.engine) as session:
        if get_snapshot(session, MC, LAST_MEETING) is None:
            create_snapshot(session, MC, LAST_MEETING, "test")
        install_project(session, connection, MC)
        session.commit()
    return prio_db


def test_every_view_has_its_palette_style_as_the_default(installed: PriorityDb) -> None:
    rows = fetch(
        installed.engine,
        "SELECT f_table_name, styleqml::text AS qml FROM layer_styles "
        "WHERE useasdefault AND stylename = 'geo_service'",
    )
    styles = {r["f_table_name"]: r["qml"] for r in rows}
    assert set(styles) >= VIEWS
    assert '<category value="new_hot"' in styles["v_hotspot_cells"]
    assert '<category value="red" symbol="0" label="röd"' in styles["v_places"]
    assert all('labelsEnabled="1"' in styles[view] for view in VIEWS)


def test_places_view_carries_the_last_meetings_ranking(installed: PriorityDb) -> None:
    with Session(installed.engine) as session:
        items = get_snapshot(session, MC, LAST_MEETING).priorities  # type: ignore[union-attr]
    rows = fetch(installed.engine, "SELECT fid, name, rank, level, legend_key FROM v_places")
    by_place = {r["fid"]: r for r in rows}
    for item in items:
        row = by_place[item["place_id"]]
        assert (row["rank"], row["level"]) == (item["rank"], item["level"])
        assert row["legend_key"] == item["level"]  # the style's classes are the levels
    boundary = fetch(installed.engine, "SELECT fid, name FROM v_boundary")
    assert [(b["fid"], b["name"]) for b in boundary] == [(1275, "Perstorp")]


def test_the_stored_project_names_every_view(installed: PriorityDb) -> None:
    (row,) = fetch(
        installed.engine,
        "SELECT content, metadata FROM qgis_projects WHERE name = :n",
        n=project_name(MC),
    )
    with zipfile.ZipFile(io.BytesIO(row["content"])) as archive:
        (name,) = archive.namelist()
        qgs = archive.read(name).decode()
    assert name == f"{project_name(MC)}.qgs"
    assert all(f'table="public"."{view}"' in qgs for view in VIEWS)
    assert "last_modified_time" in row["metadata"]


def _blend(hex_colour: str, opacity: float) -> tuple[int, int, int]:
    """The colour a fill of `opacity` gives on white."""
    rgb = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(round(c * opacity + 255 * (1 - opacity)) for c in rgb)  # type: ignore[return-value]


def _pixels_near(colours: dict[str, int], targets: list[tuple[int, int, int]]) -> int:
    """How many sampled pixels are within a small distance of one of `targets`."""

    def near(name: str) -> bool:
        rgb = tuple(int(name[i : i + 2], 16) for i in (1, 3, 5))
        return any(sum(abs(a - b) for a, b in zip(rgb, t, strict=True)) <= 12 for t in targets)

    return sum(n for name, n in colours.items() if near(name))


def _open_in_qgis(db: PriorityDb, out: Path, login: tuple[str, str] | None = None) -> dict:
    """What QGIS makes of the stored project, opened as the test's user or as `login`."""
    url = make_url(db.url)
    user, password = login or (url.username or "", url.password or "")
    uri = (
        f"postgresql://{url.host}:{url.port}?sslmode=prefer&dbname={url.database}"
        f"&schema=public&project={project_name(MC)}"
    )
    env = os.environ | {
        "QT_QPA_PLATFORM": "offscreen",
        "PGUSER": user,
        "PGPASSWORD": password,
        "HOME": str(out.parent),
    }
    done = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), uri, str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_qgis_opens_the_stored_project_styled_and_renders_it(
    installed: PriorityDb, tmp_path: Path
) -> None:
    missing = _qgis_missing()
    if missing:
        pytest.skip(missing)
    result = _open_in_qgis(installed, tmp_path / "qgis.png")

    assert result["read"] and result["crs"] == "EPSG:3006"
    layers = {layer["table"]: layer for layer in result["layers"]}
    assert set(layers) == VIEWS
    for layer in layers.values():
        assert layer["valid"] and layer["key"] == ["fid"] and layer["key_integer"], layer
        assert layer["renderer"] == "categorizedSymbol" and layer["attribute"] == "legend_key"
        assert layer["labels"], layer["name"]
        default = layer["default_style"]  # the view added by hand, styled from layer_styles
        assert default["renderer"] == "categorizedSymbol" and default["labels"], layer["table"]
        assert default["values"] == [c["value"] for c in layer["categories"]]
    cells = {c["value"]: c["colour"] for c in layers["v_hotspot_cells"]["categories"]}
    assert cells["new_hot"] == CATEGORY_COLOURS["new_hot"]
    assert cells["new_hot_uncertain"] == CATEGORY_COLOURS["new_hot"]
    places = {c["value"]: c["colour"] for c in layers["v_places"]["categories"]}
    assert {k: places[k] for k in LEVEL_COLOURS} == LEVEL_COLOURS
    assert layers["v_places"]["features"] > 0 and layers["v_hotspot_cells"]["features"] > 0

    colours = result["render"]["colours"]
    hot = [_blend(CATEGORY_COLOURS[c], CERTAIN_OPACITY) for c in CATEGORY_COLOURS if "hot" in c]
    levels = [_blend(colour, 0.55) for colour in LEVEL_COLOURS.values()]
    assert _pixels_near(colours, hot) > 50, "no hot spot cell drawn in its palette colour"
    assert _pixels_near(colours, levels) > 50, "no place drawn in its level's colour"


@pytest.fixture
def gis_login(installed: PriorityDb) -> Iterator[tuple[str, str]]:
    """A login given the municipality's GIS role: (user, password)."""
    login = f"gis_user_{uuid.uuid4().hex[:8]}"
    with Session(installed.engine) as session:
        role = create_gis_role(session, MC)
        session.execute(text(f"CREATE ROLE {login} LOGIN PASSWORD 'secret'"))
        session.execute(text(f"GRANT {role} TO {login}"))
        session.commit()
    yield login, "secret"
    with installed.engine.begin() as conn:
        conn.execute(text(f"DROP ROLE {login}"))


def _counts(engine: Engine) -> dict[str, int]:
    return {view: fetch(engine, f"SELECT count(*) AS n FROM {view}")[0]["n"] for view in VIEWS}


def test_a_gis_user_reads_every_view_of_the_municipality(
    installed: PriorityDb, gis_login: tuple[str, str]
) -> None:
    user, password = gis_login
    as_user = create_engine(make_url(installed.url).set(username=user, password=password))
    try:
        counts = _counts(as_user)
    finally:
        as_user.dispose()
    assert counts == _counts(installed.engine) and all(counts.values()), counts


def test_a_gis_user_with_the_municipalitys_role_opens_it_too(
    installed: PriorityDb, gis_login: tuple[str, str], tmp_path: Path
) -> None:
    missing = _qgis_missing()
    if missing:
        pytest.skip(missing)
    result = _open_in_qgis(installed, tmp_path / "user.png", gis_login)
    counts = {layer["table"]: layer["features"] for layer in result["layers"]}
    assert result["read"] and all(layer["valid"] for layer in result["layers"])
    assert counts == _counts(installed.engine)
