"""GET /api/v1/hotspots (JSON and GeoJSON) and the runs endpoints over known test rows."""

from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from tests.api.serving_data import PUBLIC_MC, Tenant, bearer


def test_hotspots_json_lists_the_latest_run_cells_by_z(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    with TestClient(create_app()) as client:
        r = client.get(
            "/api/v1/hotspots", params={"municipality": t.code}, headers=bearer(t.tokens["analyst"])
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["run_id"] == t.run_id and body["total"] == 2
    assert [c["cell"] for c in body["items"]] == [t.cell_b, t.cell_a]  # z descending
    assert body["items"][0]["category"] == "intensifying_hot"
    assert body["items"][1]["total"] == 2.0  # analysts see small counts


def test_hotspots_geojson_is_rfc7946_in_wgs84(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    with TestClient(create_app()) as client:
        params = {"municipality": t.code, "category": "intensifying_hot"}
        r = client.get(
            "/api/v1/hotspots.geojson", params=params, headers=bearer(t.tokens["viewer"])
        )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 1
    feature = fc["features"][0]
    assert feature["id"] == t.cell_b and feature["geometry"]["type"] == "Polygon"
    lon, lat = feature["geometry"]["coordinates"][0][0]
    assert 13.3 < lon < 13.5 and 56.1 < lat < 56.2


def test_hotspot_filters_bbox_period_and_pagination(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    h = bearer(t.tokens["analyst"])
    with TestClient(create_app()) as client:
        far = client.get(
            "/api/v1/hotspots",
            params={"municipality": t.code, "bbox": "14.0,57.0,14.1,57.1"},
            headers=h,
        )
        page = client.get(
            "/api/v1/hotspots", params={"municipality": t.code, "limit": 1, "offset": 1}, headers=h
        )
        period = client.get(
            "/api/v1/hotspots", params={"municipality": t.code, "period": "2025-03-17"}, headers=h
        )
        missing = client.get(
            "/api/v1/hotspots", params={"municipality": t.code, "period": "2020-01-01"}, headers=h
        )
        bad = client.get(
            "/api/v1/hotspots", params={"municipality": t.code, "bbox": "x"}, headers=h
        )
    assert far.json()["items"] == [] and far.json()["total"] == 0
    assert page.json()["total"] == 2 and [c["cell"] for c in page.json()["items"]] == [t.cell_a]
    assert len(period.json()["items"]) == 2
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_period"
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_bbox"


def test_runs_list_and_detail_count_categories(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    h = bearer(t.tokens["viewer"])
    with TestClient(create_app()) as client:
        runs = client.get("/api/v1/runs", params={"municipality": t.code}, headers=h).json()
        detail = client.get(
            f"/api/v1/runs/{t.run_id}", params={"municipality": t.code}, headers=h
        ).json()
    assert t.run_id in [r["id"] for r in runs["items"]]
    assert detail["categories"] == {"intensifying_hot": 1, "sporadic_hot": 1}
