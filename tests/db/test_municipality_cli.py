"""Setting up a real municipality: its boundary and areas from the files GIS staff have."""

from pathlib import Path

import geopandas as gpd
from shapely.geometry import box
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from geo_service.cli import app

RUNNER = CliRunner()


def test_create_municipality_from_a_boundary_file_then_load_areas(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    # A boundary in SWEREF 99 13 30 (EPSG:3008), as Skåne municipalities often deliver it.
    boundary = gpd.GeoDataFrame(geometry=[box(400_000, 6_200_000, 410_000, 6_208_000)], crs=3006)
    boundary_file = tmp_path / "kommun.gpkg"
    boundary.to_crs(3008).to_file(boundary_file)

    result = RUNNER.invoke(
        app,
        [
            "municipality",
            "create",
            "--code",
            "9911",
            "--name",
            "Testkommun",
            "--boundary",
            str(boundary_file),
        ],
    )
    assert result.exit_code == 0, result.output

    areas = gpd.GeoDataFrame(
        {"namn": ["Norr", "Söder", ""]},
        geometry=[
            box(400_000, 6_204_000, 410_000, 6_208_000),
            box(400_000, 6_200_000, 410_000, 6_204_000),
            box(0, 0, 1, 1),
        ],
        crs=3006,
    ).to_crs(4326)
    areas_file = tmp_path / "omraden.geojson"
    areas.to_file(areas_file, driver="GeoJSON")
    result = RUNNER.invoke(app, ["areas", "load", str(areas_file), "--municipality", "9911"])
    assert result.exit_code == 0, result.output
    assert "2 of 3 areas stored" in result.output

    with engine.connect() as conn:
        area_km2, categories = conn.execute(
            text(
                "SELECT ST_Area(boundary) / 1e6, (SELECT count(*) FROM taxonomy t "
                "WHERE t.municipality_code = m.municipality_code) FROM municipality m "
                "WHERE municipality_code = '9911'"
            )
        ).one()
        names = set(
            conn.execute(text("SELECT name FROM area WHERE municipality_code = '9911'")).scalars()
        )
    assert abs(area_km2 - 80) < 0.5  # 10 km × 8 km, back in SWEREF 99 TM
    assert categories >= 15  # the default EST categories
    assert names == {"Norr", "Söder"}


def test_a_bad_municipality_code_is_one_clear_line(database_url: str) -> None:
    result = RUNNER.invoke(app, ["municipality", "create", "--code", "12", "--name", "X"])
    assert result.exit_code != 0
    assert "four digits" in str(result.exception) or "four digits" in result.output
