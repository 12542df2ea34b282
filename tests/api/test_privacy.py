"""Privacy: k-suppression for viewer and anonymous in JSON and tiles, raw reads audited,
reporters see only their own observations, anonymous only where the public view is on."""

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from geo_service.config import Settings, get_settings
from tests.api.serving_data import (  # noqa: F401
    PRIVATE_MC,
    PUBLIC_MC,
    Tenant,
    bearer,
    tile_path,
)

AUDITED = "SELECT role FROM audit_log WHERE action = 'event.read' AND municipality_code = :mc"


@pytest.mark.parametrize("role", ["viewer", None])
def test_a_cell_with_two_events_never_shows_its_count(
    tenants: dict[str, Tenant], role: str | None
) -> None:
    t = tenants[PUBLIC_MC]
    h = bearer(t.tokens[role] if role else None)
    p = {"municipality": t.code}
    with TestClient(create_app()) as client:
        hot = client.get("/api/v1/hotspots", params=p, headers=h).json()["items"]
        counts = client.get("/api/v1/event-counts", params=p | {"resolution": 9}, headers=h).json()
        hot_tiles = [
            client.get(f"/tiles/hotspots/{tile_path(13.383, 56.133, z)}.mvt", params=p, headers=h)
            for z in (12, 14, 16)
        ]
        agg_tiles = [
            client.get(f"/tiles/events_agg/{tile_path(13.383, 56.133, z)}.mvt", params=p, headers=h)
            for z in (8, 11, 13, 15)
        ]
    by_cell = {c["cell"]: c for c in hot}
    assert by_cell[t.cell_a]["total"] is None and by_cell[t.cell_a]["suppressed"] is True
    assert by_cell[t.cell_b]["total"] == 5.0
    assert t.cell_a not in {c["cell"] for c in counts["items"]}
    assert {c["cell"]: c["count"] for c in counts["items"]}[t.cell_b] == 5
    assert counts["suppressed_cells"] >= 1
    for r in hot_tiles:
        for f in mapbox_vector_tile.decode(r.content)["hotspots"]["features"]:
            if f["properties"]["cell"] == t.cell_a:
                assert "total" not in f["properties"]
    for r in agg_tiles:
        layer = mapbox_vector_tile.decode(r.content).get("events_agg", {"features": []})
        assert all(f["properties"]["count"] >= 3 for f in layer["features"])


def test_analysts_see_small_counts_in_event_tiles(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    with TestClient(create_app()) as client:
        h = bearer(t.tokens["analyst"])
        path = f"/tiles/events_agg/{tile_path(13.383, 56.133, 15)}.mvt"
        r = client.get(path, params={"municipality": t.code}, headers=h)
    counts = sorted(
        f["properties"]["count"]
        for f in mapbox_vector_tile.decode(r.content)["events_agg"]["features"]
    )
    assert 2 in counts or 1 in counts


def test_raw_events_are_audited_and_hidden_from_viewers(
    tenants: dict[str, Tenant], engine: Engine
) -> None:
    t = tenants[PUBLIC_MC]
    p = {"municipality": t.code}
    with engine.connect() as conn:
        before = conn.execute(text(AUDITED.replace("role", "count(*)")), {"mc": t.code}).scalar()
    with TestClient(create_app()) as client:
        analyst = client.get("/api/v1/events", params=p, headers=bearer(t.tokens["analyst"]))
        one = client.get(
            f"/api/v1/events/{t.event_ids[0]}", params=p, headers=bearer(t.tokens["coordinator"])
        )
        viewer = client.get("/api/v1/events", params=p, headers=bearer(t.tokens["viewer"]))
        anonymous = client.get("/api/v1/events", params=p)
    with engine.connect() as conn:
        after = list(conn.execute(text(AUDITED + " ORDER BY id"), {"mc": t.code}).scalars())
    assert analyst.status_code == 200 and analyst.json()["total"] == 8
    assert analyst.json()["items"][0]["x"] is not None
    assert one.status_code == 200 and one.json()["description"] == "fritext"
    assert viewer.status_code == 403 and viewer.json()["code"] == "forbidden_role"
    assert anonymous.status_code == 401
    assert len(after) == before + 2 and after[-2:] == ["analyst", "coordinator"]


def test_reporters_read_only_their_own_observations(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    p = {"municipality": t.code}
    with TestClient(create_app()) as client:
        own = client.get("/api/v1/events", params=p, headers=bearer(t.tokens["reporter"]))
        other = client.get(
            f"/api/v1/events/{t.event_ids[0]}", params=p, headers=bearer(t.tokens["reporter"])
        )
    assert [e["id"] for e in own.json()["items"]] == [t.reporter_event]
    assert other.status_code == 404


def test_anonymous_only_where_the_public_view_is_on(tenants: dict[str, Tenant]) -> None:
    with TestClient(create_app()) as client:
        public = client.get("/api/v1/hotspots", params={"municipality": PUBLIC_MC})
        private = client.get("/api/v1/hotspots", params={"municipality": PRIVATE_MC})
        private_tile = client.get(
            f"/tiles/hotspots/{tile_path(13.403, 56.133, 14)}.mvt",
            params={"municipality": PRIVATE_MC},
        )
        other_token = client.get(
            "/api/v1/hotspots",
            params={"municipality": PRIVATE_MC},
            headers=bearer(tenants[PUBLIC_MC].tokens["admin"]),
        )
    assert public.status_code == 200 and len(public.json()["items"]) == 2
    assert private.status_code == 401 and private_tile.status_code == 401
    assert other_token.status_code == 403 and other_token.json()["code"] == "forbidden_tenant"


def test_large_bodies_get_413_and_fast_writers_429(tenants: dict[str, Tenant]) -> None:
    t = tenants[PRIVATE_MC]
    settings = Settings(
        database_url=get_settings().database_url,
        max_body_kb=1,
        write_burst=2,
        write_rate_per_minute=1,
    )
    h = bearer(t.tokens["viewer"])
    with TestClient(create_app(settings)) as client:
        big = client.post(
            "/api/v1/runs",
            params={"municipality": t.code},
            headers=h,
            content=b"{" + b" " * 4096 + b"}",
        )
        statuses = [
            client.post(
                "/api/v1/runs", params={"municipality": t.code}, headers=h, json={}
            ).status_code
            for _ in range(3)
        ]
    assert big.status_code == 413 and big.json()["code"] == "request_too_large"
    assert statuses[:1] == [403] and statuses[-1] == 429
