"""`geo-service places load`: GeoJSON and GeoPackage places land in EPSG:3006 with aliases."""

from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.errors import GeoServiceError
from geo_service.priorities.places_io import load_places
from tests.api.priorities_data import MC, PriorityDb, prio_db_fixture  # noqa: F401

TO_3006 = Transformer.from_crs(4326, 3006, always_xy=True)
TO_3008 = Transformer.from_crs(4326, 3008, always_xy=True)
LIBRARY = (13.3870, 56.1340)


def _stored(session: Session, name: str) -> tuple:
    return session.execute(
        text(
            "SELECT kind, aliases, ST_X(point), ST_Y(point), ST_Area(geom), ST_SRID(geom) "
            "FROM place WHERE municipality_code = :mc AND name = :name"
        ),
        {"mc": MC, "name": name},
    ).one()


def test_geojson_points_and_geopackage_polygons_are_reprojected(
    prio_db: PriorityDb, tmp_path: Path
) -> None:
    geojson = tmp_path / "places.geojson"
    gpd.GeoDataFrame(
        {"namn": ["Biblioteket"], "typ": ["square"], "alias": ["bibblan; biblioteket"]},
        geometry=[Point(*LIBRARY)],
        crs=4326,
    ).to_file(geojson, driver="GeoJSON")
    gpkg = tmp_path / "places.gpkg"
    x, y = TO_3008.transform(*LIBRARY)
    gpd.GeoDataFrame(
        {"name": ["Idrottsplatsen"], "kind": ["sports"], "aliases": ["IP"]},
        geometry=[Point(x + 500, y).buffer(120)],
        crs=3008,
    ).to_file(gpkg, driver="GPKG")
    with Session(prio_db.engine) as session:
        first = load_places(session, MC, geojson)
        second = load_places(session, MC, gpkg)
        again = load_places(session, MC, geojson)
        library = _stored(session, "Biblioteket")
        sports = _stored(session, "Idrottsplatsen")
        session.rollback()
    assert (first.stored, second.stored, again.stored) == (1, 1, 1)
    ex, ey = TO_3006.transform(*LIBRARY)
    assert library[0] == "square" and library[1] == ["bibblan", "biblioteket"]
    assert abs(library[2] - ex) < 1 and abs(library[3] - ey) < 1
    assert library[4] == pytest.approx(3.1416 * 100**2, rel=0.02)
    assert library[5] == 3006
    assert sports[0] == "sports" and sports[1] == ["IP"]
    assert sports[4] == pytest.approx(3.1416 * 120**2, rel=0.03)
    assert 400 < sports[2] - ex < 600


def test_a_file_without_a_name_column_is_refused(prio_db: PriorityDb, tmp_path: Path) -> None:
    path = tmp_path / "noname.geojson"
    gpd.GeoDataFrame({"x": [1]}, geometry=[Point(*LIBRARY)], crs=4326).to_file(path)
    with Session(prio_db.engine) as session, pytest.raises(GeoServiceError) as err:
        load_places(session, MC, path)
    assert err.value.code == "missing_column"
