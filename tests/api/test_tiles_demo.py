"""End to end on the Perstorp demo: a real analysis run served as tiles, TileJSON and JSON."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import create_token
from geo_service.demo import perstorp
from geo_service.runs import run_analysis
from tests.api.serving_data import PUBLIC_MC, Tenant, bearer, tile_of

STATION = perstorp.PLACE_BY_NAME["Stationsområdet"]
PERSTORP_LON, PERSTORP_LAT = 13.3830, 56.1330  # Perstorp centre (Centrum)


@pytest.fixture(scope="module")
def demo_run(engine: Engine, demo_loaded: str) -> Iterator[tuple[int, str]]:
    """A real run over the demo up to the meeting date, and an analyst token of Perstorp."""
    with Session(engine) as session:
        run_id = run_analysis(session, demo_loaded, to_date=perstorp.MEETING_DATE)
        token = create_token(session, demo_loaded, "analyst", "Perstorps kommun")
        session.commit()
    yield run_id, token


def test_station_tile_shows_an_intensifying_hot_cell(demo_run: tuple[int, str]) -> None:
    run_id, token = demo_run
    z, x, y = tile_of(STATION.lon, STATION.lat, 14)
    params, headers = {"municipality": "1275", "run": run_id}, bearer(token)
    with TestClient(create_app()) as client:
        tj = client.get("/tiles/hotspots.json", params=params, headers=headers)
        r = client.get(f"/tiles/hotspots/{z}/{x}/{y}.mvt", params=params, headers=headers)
    assert tj.status_code == 200, tj.text
    west, south, east, north = tj.json()["bounds"]
    assert west < PERSTORP_LON < east and south < PERSTORP_LAT < north
    assert west < STATION.lon < east and south < STATION.lat < north
    assert r.status_code == 200, r.text
    features = mapbox_vector_tile.decode(r.content)["hotspots"]["features"]
    categories = {f["properties"]["category"] for f in features}
    assert "intensifying_hot" in categories, categories


def test_hotspots_json_lists_oderljunga_new_hot_cells_as_confirmed(
    engine: Engine, demo_run: tuple[int, str]
) -> None:
    run_id, token = demo_run
    with engine.connect() as conn:  # the run's new hot cells that touch the Oderljunga place
        expected = set(
            conn.execute(
                text(
                    "SELECT lower(to_hex(c.cell)) FROM analysis_cell c "
                    "JOIN h3_cell h ON h.cell = c.cell JOIN place p "
                    "ON p.municipality_code = c.municipality_code AND p.name = 'Oderljunga' "
                    "AND ST_Intersects(p.geom, h.geom) "
                    "WHERE c.municipality_code = '1275' AND c.run_id = :run "
                    "AND c.category IN ('new_hot', 'consecutive_hot')"
                ),
                {"run": run_id},
            ).scalars()
        )
    assert expected  # the planted burst in the last period is found
    with TestClient(create_app()) as client:
        r = client.get(
            "/api/v1/hotspots",
            params={
                "municipality": "1275",
                "run": run_id,
                "limit": 5000,
                "category": ["new_hot", "consecutive_hot"],
            },
            headers=bearer(token),
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["run_id"] == run_id and body["total"] <= 5000
    listed = {c["cell"]: c for c in body["items"]}
    assert expected <= set(listed)
    assert all(listed[c]["z"] > 1.96 for c in expected)
    confirmed = {c for c in expected if listed[c]["confirmed"]}
    uncertain = {c for c in expected if listed[c]["uncertain"]}
    assert confirmed | uncertain == expected and not confirmed & uncertain
    assert len(confirmed) >= 0.75 * len(expected)  # edge cells beyond the alarm circle stay unsure
    assert any(listed[c]["total"] > 0 for c in expected)  # neighbours of the burst may hold none


def test_cached_tiles_answer_like_the_router_and_keep_privacy_and_tenancy(
    engine: Engine, demo_run: tuple[int, str], tenants: dict[str, Tenant]
) -> None:
    """Second requests are served from the tile cache (fast path): same bytes and headers."""
    run_id, token = demo_run
    with Session(engine) as session:
        viewer = create_token(session, "1275", "viewer", "Perstorps kommun")
        session.commit()
    z, x, y = tile_of(STATION.lon, STATION.lat, 14)
    url, params = f"/tiles/hotspots/{z}/{x}/{y}.mvt", {"municipality": "1275", "run": run_id}
    keep = ("etag", "cache-control", "vary", "content-type", "content-length")
    with TestClient(create_app()) as client:
        first, second = (client.get(url, params=params, headers=bearer(token)) for _ in range(2))
        again = client.get(
            url, params=params, headers={**bearer(token), "If-None-Match": first.headers["etag"]}
        )
        seen = [client.get(url, params=params, headers=bearer(viewer)) for _ in range(2)]
        other = client.get(url, params=params, headers=bearer(tenants[PUBLIC_MC].tokens["admin"]))
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert {h: second.headers.get(h) for h in keep} == {h: first.headers.get(h) for h in keep}
    assert again.status_code == 304 and again.content == b""
    features = mapbox_vector_tile.decode(first.content)["hotspots"]["features"]
    totals = [f["properties"].get("total") for f in features]
    assert any(t is not None and 0 < t < 3 for t in totals)  # analysts see small counts
    for r in seen:  # the viewer's variant, from the router and from the cache
        assert r.status_code == 200 and r.headers["etag"] != first.headers["etag"]
        props = [
            f["properties"] for f in mapbox_vector_tile.decode(r.content)["hotspots"]["features"]
        ]
        assert not any(0 < p.get("total", 0) < 3 for p in props)
    assert seen[1].content == seen[0].content
    assert other.status_code == 403 and other.json()["code"] == "forbidden_tenant"


def test_places_tiles_rank_the_places_as_the_priorities_do(demo_run: tuple[int, str]) -> None:
    run_id, token = demo_run
    params, headers = {"municipality": "1275", "run": run_id}, bearer(token)
    z, x, y = tile_of(PERSTORP_LON, PERSTORP_LAT, 10)  # the whole municipality
    with TestClient(create_app()) as client:
        run = client.get(f"/api/v1/runs/{run_id}", params=params, headers=headers).json()
        end = datetime.fromisoformat(run["period_end"]).astimezone(perstorp.STOCKHOLM).date()
        meeting = end + timedelta(days=1)
        priorities = client.get(
            "/api/v1/priorities",
            params={"municipality": "1275", "meeting": meeting.isoformat()},
            headers=headers,
        ).json()
        tile = client.get(f"/tiles/places/{z}/{x}/{y}.mvt", params=params, headers=headers)
    assert priorities["run_id"] == run_id
    drawn = {
        f["properties"]["name"]: f["properties"]
        for f in mapbox_vector_tile.decode(tile.content)["places"]["features"]
    }
    listed = {p["name"]: p for p in priorities["priorities"]}
    assert len(drawn) >= 5 and drawn.keys() <= listed.keys()  # Oderljunga lies in another tile
    for name, place in ((n, listed[n]) for n in drawn):
        assert drawn[name]["rank"] == place["rank"] and drawn[name]["level"] == place["level"]
        assert drawn[name]["score"] == pytest.approx(place["score"])


def test_tiles_are_gzipped_for_clients_that_accept_it(demo_run: tuple[int, str]) -> None:
    """Same tile, fewer bytes on the wire: from the router and again from the tile cache."""
    run_id, token = demo_run
    z, x, y = tile_of(STATION.lon, STATION.lat, 14)
    url, params = f"/tiles/hotspots/{z}/{x}/{y}.mvt", {"municipality": "1275", "run": run_id}
    plain_headers = {**bearer(token), "Accept-Encoding": "identity"}
    gzip_headers = {**bearer(token), "Accept-Encoding": "gzip"}
    with TestClient(create_app()) as client:
        plain = client.get(url, params=params, headers=plain_headers)
        zipped = [client.get(url, params=params, headers=gzip_headers) for _ in range(2)]
        revalidated = client.get(
            url, params=params, headers={**gzip_headers, "If-None-Match": zipped[0].headers["etag"]}
        )
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["vary"]
    for r in zipped:  # httpx decompresses: the tile itself is the same
        assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in r.headers["vary"]
        assert r.content == plain.content
        assert int(r.headers["content-length"]) < len(plain.content)
        assert r.headers["etag"] != plain.headers["etag"]
    assert revalidated.status_code == 304
