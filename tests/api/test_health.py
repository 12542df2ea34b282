"""GET /api/v1/health reports the database, PostGIS, the schema revision and event counts."""

from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from geo_service.db.migrate import head_revision
from geo_service.demo.perstorp import generate_events


def test_health_reports_schema_and_demo_event_count(database_url: str, demo_loaded: str) -> None:
    with TestClient(create_app()) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["postgis_version"].startswith("3.")
    assert body["schema_revision"] == head_revision()
    perstorp = next(m for m in body["municipalities"] if m["municipality_code"] == "1275")
    assert perstorp["events"] == len(generate_events())


def test_unknown_path_is_a_problem_response(database_url: str) -> None:
    with TestClient(create_app()) as client:
        response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"
