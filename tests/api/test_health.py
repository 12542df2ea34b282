"""GET /api/v1/health: status for anyone, tenant details only for an admin and only their own."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from geo_service.demo.perstorp import generate_events
from tests.conftest import make_tokens


def test_anonymous_health_says_nothing_about_tenants(database_url: str, demo_loaded: str) -> None:
    with TestClient(create_app()) as client:
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "version": "0.1.0", "database": "ok"}
    assert "1275" not in response.text and "Perstorp" not in response.text


def test_non_admin_token_gets_no_tenant_details(engine: Engine, demo_loaded: str) -> None:
    tokens = make_tokens(engine, demo_loaded, {"analyst": ("analyst", "Testorg")})
    with TestClient(create_app()) as client:
        body = client.get(
            "/api/v1/health", headers={"Authorization": f"Bearer {tokens['analyst']}"}
        ).json()
    assert set(body) == {"status", "version", "database"}


def test_admin_gets_own_event_count_from_table_statistics(engine: Engine, demo_loaded: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("ANALYZE event"))
    tokens = make_tokens(engine, demo_loaded, {"admin": ("admin", "Testorg")})
    with TestClient(create_app()) as client:
        response = client.get(
            "/api/v1/health", headers={"Authorization": f"Bearer {tokens['admin']}"}
        )
    body = response.json()
    assert body["status"] == "ok"
    assert body["postgis_version"].startswith("3.")
    assert body["schema_revision"] == body["schema_head"]
    [own] = body["municipalities"]  # only the admin's own tenant
    assert own["municipality_code"] == "1275"
    assert abs(own["events"] - len(generate_events())) <= 0.02 * len(generate_events())


def test_unknown_path_is_a_problem_response(database_url: str) -> None:
    with TestClient(create_app()) as client:
        response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"
