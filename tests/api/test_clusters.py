"""A run's clusters on the Perstorp demo, served the same way everywhere: JSON, GeoJSON, the
`clusters` tile layer, the QGIS view `v_clusters` and the lägesbild."""

from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import create_token
from geo_service.demo import perstorp
from geo_service.reports.meeting import meeting_report_html
from geo_service.runs import run_analysis
from tests.api.serving_data import bearer
from tests.api.test_tiles_demo import tile_of

ODERLJUNGA = perstorp.PLACE_BY_NAME["Oderljunga"]


@pytest.fixture(scope="module")
def run(engine: Engine, demo_loaded: str) -> Iterator[tuple[int, dict[str, str]]]:
    """A run to the demo's meeting, and an analyst and a viewer token."""
    with Session(engine) as session:
        run_id = run_analysis(session, demo_loaded, to_date=perstorp.MEETING_DATE)
        tokens = {
            role: create_token(session, demo_loaded, role, "test") for role in ("analyst", "viewer")
        }
        session.commit()
    yield run_id, tokens


def _get(path: str, token: str, **params: object) -> dict:
    with TestClient(create_app()) as client:
        response = client.get(
            path, params={"municipality": "1275", **params}, headers=bearer(token)
        )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_oderljunga_emergence_is_the_most_likely_scan_cluster_with_an_alarm(run) -> None:
    run_id, tokens = run
    body = _get("/api/v1/clusters", tokens["analyst"], run=run_id, method="scan")
    first = body["items"][0]
    assert body["run_id"] == run_id and first["cluster"] == 1
    assert first["alarm"] and first["places"] == ["Oderljunga"]
    assert first["size"] > 5 * first["expected"] and first["recurrence_days"] >= 365
    assert first["recurrence_sv"].startswith("slumpen ger sådant ungefär vart")
    assert first["recurrence_en"].startswith("would happen by chance about once in")
    ps = [c["p"] for c in body["items"]]
    assert ps == sorted(ps)  # most likely first


def test_point_clusters_are_listed_with_their_size_time_span_and_categories(run) -> None:
    run_id, tokens = run
    body = _get("/api/v1/clusters", tokens["analyst"], run=run_id, method="dbscan")
    assert body["items"], "the demo's last four weeks have bunched events"
    for cluster in body["items"]:
        assert cluster["size"] >= 5 and cluster["start"] <= cluster["end"]
        assert 1 <= len(cluster["top_categories"]) <= 3
    assert any(c["scan_alarm"] for c in body["items"])  # Oderljunga's burst is both


def test_geojson_clusters_are_wgs84_multipolygons_around_their_places(run) -> None:
    run_id, tokens = run
    body = _get("/api/v1/clusters.geojson", tokens["analyst"], run=run_id, alarm=True)
    assert body["type"] == "FeatureCollection" and body["features"]
    oder = next(f for f in body["features"] if "Oderljunga" in f["properties"]["places"])
    assert oder["geometry"]["type"] == "MultiPolygon"
    lons, lats = zip(
        *(p for poly in oder["geometry"]["coordinates"] for ring in poly for p in ring), strict=True
    )
    assert min(lons) < ODERLJUNGA.lon < max(lons) and min(lats) < ODERLJUNGA.lat < max(lats)


def test_viewers_see_no_cluster_size_below_k(run, engine: Engine) -> None:
    run_id, tokens = run
    body = _get("/api/v1/clusters", tokens["viewer"], run=run_id)
    for cluster in body["items"]:
        assert cluster["size"] is None or cluster["size"] >= 3
        if cluster["size"] is None:
            assert cluster["suppressed"] and cluster["ratio"] is None


def test_the_clusters_tile_layer_holds_the_same_clusters(run) -> None:
    run_id, tokens = run
    params, headers = {"municipality": "1275", "run": run_id}, bearer(tokens["analyst"])
    z, x, y = tile_of(ODERLJUNGA.lon, ODERLJUNGA.lat, 13)
    with TestClient(create_app()) as client:
        tilejson = client.get("/tiles/clusters.json", params=params, headers=headers).json()
        tile = client.get(f"/tiles/clusters/{z}/{x}/{y}.mvt", params=params, headers=headers)
    assert [layer["id"] for layer in tilejson["vector_layers"]] == ["clusters"]
    assert tile.status_code == 200, tile.text
    features = mapbox_vector_tile.decode(tile.content)["clusters"]["features"]
    listed = {c["id"]: c for c in _get("/api/v1/clusters", tokens["analyst"], run=run_id)["items"]}
    scan = [f for f in features if f["properties"]["method"] == "scan"]
    assert scan and all(listed[f["id"]]["alarm"] == f["properties"]["alarm"] for f in scan)
    assert all(listed[f["id"]]["size"] == f["properties"]["size"] for f in features)


def test_qgis_sees_the_latest_runs_clusters_typed_and_styled(run, engine: Engine) -> None:
    run_id, _ = run
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT method, alarm, legend_key, GeometryType(geom), ST_SRID(geom), fid "
                "FROM v_clusters WHERE municipality_code = '1275' AND run_id = :run"
            ),
            {"run": run_id},
        ).all()
        typmod = conn.execute(
            text("SELECT type, srid FROM geometry_columns WHERE f_table_name = 'v_clusters'")
        ).one()
        style = conn.execute(
            text(
                "SELECT styleqml::text FROM layer_styles WHERE f_table_name = 'v_clusters' "
                "AND useasdefault"
            )
        ).scalar_one()
        granted = conn.execute(
            text("SELECT has_table_privilege('geo_service_gis_read', 'v_clusters', 'SELECT')")
        ).scalar()
    assert tuple(typmod) == ("MULTIPOLYGON", 3006) and granted
    assert {r.legend_key for r in rows if r.method == "scan" and r.alarm} == {"scan_alarm"}
    assert {r.legend_key for r in rows if r.method != "scan"} <= {"points"}
    assert len({r.fid for r in rows}) == len(rows)
    for key in {r.legend_key for r in rows}:
        assert f'value="{key}"' in style


def test_the_lagesbild_lists_the_alarm_clusters_and_the_runs_own_false_alarm_rate(
    run, engine: Engine
) -> None:
    run_id, _ = run
    with Session(engine) as session:
        html = meeting_report_html(session, "1275", perstorp.MEETING_DATE)
    assert "Ovanliga ansamlingar" in html and "Oderljunga" in html
    assert "slumpen ger sådant ungefär vart" in html
    assert "mäter sina egna falsklarm genom att blanda om tidpunkterna 19 gånger" in html
