"""Vector tiles decode to the advertised layer with integer ids; TileJSON matches; runs version."""

import math
from typing import Any

import mapbox_vector_tile
import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.config import get_settings
from geo_service.grid.cells import latlng_to_cells
from tests.api.serving_data import PUBLIC_MC, Tenant, add_run, bearer

LON, LAT = 13.3830, 56.1330  # cell A of tenant 9901


def _tile(z: int) -> tuple[int, int, int]:
    """The XYZ tile holding the test point."""
    n = 2**z
    lat = math.radians(LAT)
    x = int((LON + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)
    return z, x, y


def test_tilejson_validates_and_its_layer_id_equals_the_mvt_layer(
    tenants: dict[str, Tenant],
) -> None:
    t = tenants[PUBLIC_MC]
    h = bearer(t.tokens["analyst"])
    with TestClient(create_app()) as client:
        for layer in ("hotspots", "places", "events_agg"):
            tj = client.get(f"/tiles/{layer}.json", params={"municipality": t.code}, headers=h)
            assert tj.status_code == 200, tj.text
            doc = tj.json()
            assert doc["tilejson"] == "3.0.0"
            url = doc["tiles"][0]
            assert url.startswith("http") and "{z}/{x}/{y}.mvt" in url
            west, south, east, north = doc["bounds"]
            assert west <= LON <= east and south <= LAT <= north
            z, x, y = _tile(14)
            path = "/tiles/" + url.split("/tiles/", 1)[1].format(z=z, x=x, y=y)
            r = client.get(path, headers=h)
            if layer == "places":
                assert r.status_code == 204  # the test tenant has no places
                continue
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            decoded = mapbox_vector_tile.decode(r.content)
            assert list(decoded) == [v["id"] for v in doc["vector_layers"]] == [layer]
            features = decoded[layer]["features"]
            assert features and all(isinstance(f["id"], int) for f in features)
            fields = set(doc["vector_layers"][0]["fields"])
            assert set(features[0]["properties"]) <= fields
            assert fields & set(features[0]["properties"]) >= {"cell"}


def test_hotspot_tile_has_category_and_z(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    z, x, y = _tile(13)
    with TestClient(create_app()) as client:
        r = client.get(
            f"/tiles/hotspots/{z}/{x}/{y}.mvt",
            params={"municipality": t.code, "run": t.run_id},
            headers=bearer(t.tokens["analyst"]),
        )
    props = {
        f["properties"]["cell"]: f["properties"]
        for f in mapbox_vector_tile.decode(r.content)["hotspots"]["features"]
    }
    assert props[t.cell_b]["category"] == "intensifying_hot" and props[t.cell_b]["z"] == 3.0
    assert props[t.cell_a]["total"] == 2.0  # analysts see the small count
    assert "immutable" in r.headers["cache-control"]


def test_a_new_run_changes_tile_urls_and_etags(tenants: dict[str, Tenant], engine: Engine) -> None:
    t = tenants[PUBLIC_MC]
    h = bearer(t.tokens["analyst"])
    z, x, y = _tile(13)
    with TestClient(create_app()) as client:
        before_url = client.get(
            "/tiles/hotspots.json", params={"municipality": t.code}, headers=h
        ).json()["tiles"][0]
        before = client.get(
            f"/tiles/hotspots/{z}/{x}/{y}.mvt", params={"municipality": t.code}, headers=h
        )
        again = client.get(
            f"/tiles/hotspots/{z}/{x}/{y}.mvt",
            params={"municipality": t.code},
            headers={**h, "If-None-Match": before.headers["etag"]},
        )
        with Session(engine) as session:
            cell = int(latlng_to_cells(np.array([LAT]), np.array([LON]), 9)[0])
            new_run = add_run(session, t.code, [cell], [9.0])
            session.commit()
        after_url = client.get(
            "/tiles/hotspots.json", params={"municipality": t.code}, headers=h
        ).json()["tiles"][0]
        after = client.get(
            f"/tiles/hotspots/{z}/{x}/{y}.mvt", params={"municipality": t.code}, headers=h
        )
        with Session(engine) as session:  # leave the shared tenant as it was
            session.execute(text("DELETE FROM analysis_run WHERE id = :id"), {"id": new_run})
            session.commit()
    assert again.status_code == 304
    assert f"run={new_run}" in after_url and before_url != after_url
    assert after.headers["etag"] != before.headers["etag"]
    features = mapbox_vector_tile.decode(after.content)["hotspots"]["features"]
    assert [f["properties"]["total"] for f in features] == [9.0]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/tiles/hotspots/14/99999/1.mvt", 400, "invalid_tile"),
        ("/tiles/hotspots/-1/0/0.mvt", 400, "invalid_tile"),
        ("/tiles/hotspots/a/b/c.mvt", 400, "invalid_tile"),
        ("/tiles/nope/1/0/0.mvt", 404, "unknown_layer"),
        ("/tiles/nope.json", 404, "unknown_layer"),
    ],
)
def test_bad_tile_requests_are_problems(
    tenants: dict[str, Tenant], path: str, status: int, code: str
) -> None:
    t = tenants[PUBLIC_MC]
    with TestClient(create_app()) as client:
        r = client.get(path, params={"municipality": t.code}, headers=bearer(t.tokens["viewer"]))
    assert r.status_code == status and r.json()["code"] == code


def test_empty_tile_is_204(tenants: dict[str, Tenant]) -> None:
    t = tenants[PUBLIC_MC]
    with TestClient(create_app()) as client:
        r = client.get(
            "/tiles/hotspots/14/0/0.mvt",
            params={"municipality": t.code},
            headers=bearer(t.tokens["viewer"]),
        )
    assert r.status_code == 204 and r.content == b""


def test_a_configured_origin_gets_cors_headers_on_cached_tiles_too(
    tenants: dict[str, Tenant],
) -> None:
    """A map on another origin works on the first request and on every cached one after it."""
    t = tenants[PUBLIC_MC]
    z, x, y = _tile(13)
    origin = "https://karta.example.se"
    settings = get_settings().model_copy(update={"cors_origins": [origin]})
    headers = bearer(t.tokens["analyst"]) | {"Origin": origin}
    params = {"municipality": t.code, "run": t.run_id}
    with TestClient(create_app(settings)) as client:
        first, cached = (
            client.get(f"/tiles/hotspots/{z}/{x}/{y}.mvt", params=params, headers=headers)
            for _ in range(2)
        )
        api = client.get("/api/v1/hotspots", params=params, headers=headers)
    for response in (first, cached, api):
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == origin
    other = {"Origin": "https://elsewhere.example"}
    with TestClient(create_app(settings)) as client:
        refused = client.get("/api/v1/health", headers=other)
    assert "access-control-allow-origin" not in refused.headers


def test_a_raised_k_gives_suppressed_callers_new_tiles_and_a_new_etag(
    tenants: dict[str, Tenant], engine: Engine
) -> None:
    """Tiles cut at the old k are neither reused by the server nor revalidated by a browser."""
    t = tenants[PUBLIC_MC]
    z, x, y = _tile(13)
    url, params = f"/tiles/hotspots/{z}/{x}/{y}.mvt", {"municipality": t.code, "run": t.run_id}
    settings = get_settings().model_copy(update={"auth_cache_seconds": 0})
    raise_k = "UPDATE municipality SET settings = settings || CAST(:s AS jsonb) WHERE "
    drop_k = "UPDATE municipality SET settings = settings - 'k_suppression' WHERE "
    tenant = "municipality_code = :mc"
    with TestClient(create_app(settings)) as client:
        before = client.get(url, params=params, headers=bearer(t.tokens["viewer"]))
        with engine.begin() as conn:
            conn.execute(text(raise_k + tenant), {"s": '{"k_suppression": 50}', "mc": t.code})
        try:
            after = client.get(url, params=params, headers=bearer(t.tokens["viewer"]))
        finally:
            with engine.begin() as conn:
                conn.execute(text(drop_k + tenant), {"mc": t.code})
    assert before.headers["etag"] != after.headers["etag"]
    assert "-k50" in after.headers["etag"]

    def totals(response: Any) -> list[float | None]:
        features = mapbox_vector_tile.decode(response.content)["hotspots"]["features"]
        return [f["properties"].get("total") for f in features]

    assert any(v is not None and 3 <= v < 50 for v in totals(before))
    assert all(v is None or v == 0 or v >= 50 for v in totals(after))
