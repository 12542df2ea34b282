"""Short reads (token checks, tenant views, fingerprints, health) run on their own connections
without a liveness check each time: a connection the database dropped costs no request."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from tests.conftest import make_tokens

DROP_OTHERS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def test_reads_go_on_after_the_database_drops_every_connection(
    engine: Engine, demo_loaded: str
) -> None:
    tokens = make_tokens(engine, demo_loaded, {"analyst": ("analyst", "Testorg")})
    headers = {"Authorization": f"Bearer {tokens['analyst']}"}
    url = f"/api/v1/imports?municipality={demo_loaded}"
    with TestClient(create_app()) as client:
        before = client.get(url, headers=headers)
    with engine.begin() as conn:  # as a database restart would (the pools are per process)
        dropped = conn.execute(DROP_OTHERS).scalars().all()
    with TestClient(create_app()) as client:  # new caches: the token is checked anew
        after = client.get(url, headers=headers)
        health = client.get("/api/v1/health")
    assert before.status_code == 200, before.text
    assert any(dropped)
    assert after.status_code == 200, after.text
    assert health.json() == {"status": "ok", "version": "0.1.0", "database": "ok"}
