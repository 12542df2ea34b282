"""/api/v1/places: coordinators and admins edit places; others read; unknown place → 404."""

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from geo_service.config import Settings
from tests.api.priorities_data import MC, PriorityDb, auth, send_as
from tests.api.serving_data import tile_of

RURAL_POINT = {"type": "Point", "coordinates": [13.30, 56.17]}


def test_coordinator_creates_updates_and_deletes_a_place(
    client: TestClient, prio_db: PriorityDb
) -> None:
    h = auth(prio_db, "coordinator")
    bath = {"name": "Badplatsen", "kind": "other", "aliases": ["badet"], "radius_m": 80}
    created = send_as(
        client, prio_db, "coordinator", "POST", "places", bath | {"geometry": RURAL_POINT}
    )
    assert created.status_code == 201, created.text
    place = created.json()
    try:
        assert place["geometry"]["type"] == "MultiPolygon"
        lon, lat = place["geometry"]["coordinates"][0][0][0]
        assert abs(lon - 13.30) < 0.01 and abs(lat - 56.17) < 0.01
        change = {"aliases": ["badet", "sjön"], "kind": "sports"}
        patched = send_as(client, prio_db, "coordinator", "PATCH", f"places/{place['id']}", change)
        assert patched.json()["aliases"] == ["badet", "sjön"]
        assert patched.json()["kind"] == "sports"
        same_name = {"name": "Badplatsen", "geometry": RURAL_POINT}
        again = send_as(client, prio_db, "coordinator", "POST", "places", same_name)
        assert again.status_code == 409 and again.json()["code"] == "place_exists"
    finally:
        deleted = client.delete(f"/api/v1/places/{place['id']}?municipality={MC}", headers=h)
    assert deleted.status_code == 204
    gone = client.get(f"/api/v1/places/{place['id']}?municipality={MC}", headers=h)
    assert gone.status_code == 404


def test_unknown_place_is_a_404_problem(client: TestClient, prio_db: PriorityDb) -> None:
    response = client.get(
        f"/api/v1/places/99999?municipality={MC}", headers=auth(prio_db, "viewer")
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"
    assert "99999" in response.json()["detail"]


def test_viewers_read_places_but_cannot_write(client: TestClient, prio_db: PriorityDb) -> None:
    h = auth(prio_db, "viewer")
    listed = client.get(f"/api/v1/places?municipality={MC}", headers=h)
    assert {"Centrum", "Stationsområdet", "Oderljunga"} <= {p["name"] for p in listed.json()}
    refused = send_as(
        client, prio_db, "viewer", "POST", "places", {"name": "X", "geometry": RURAL_POINT}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_role"


def test_bad_geometry_is_a_400_problem(client: TestClient, prio_db: PriorityDb) -> None:
    line = {"type": "LineString", "coordinates": [[13, 56], [13.1, 56]]}
    response = send_as(
        client, prio_db, "admin", "POST", "places", {"name": "Linjen", "geometry": line}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_geometry"


def _square(lon: float, lat: float, half: float) -> dict:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, [lon - half, lat + half], ring[0]]]}


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ({"type": "Point", "coordinates": []}, "empty_geometry"),
        ({"type": "Polygon", "coordinates": []}, "empty_geometry"),
        ({"type": "Point", "coordinates": [56.17, 13.30]}, "place_outside_municipality"),
        ({"type": "Point", "coordinates": [18.07, 59.33]}, "place_outside_municipality"),
        (_square(13.39, 56.13, 0.2), "place_too_large"),
    ],
)
def test_an_implausible_place_geometry_is_refused(
    client: TestClient, prio_db: PriorityDb, geometry: dict, code: str
) -> None:
    h = auth(prio_db, "admin")
    response = send_as(
        client, prio_db, "admin", "POST", "places", {"name": "Fel", "geometry": geometry}
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert all(
        p["name"] != "Fel"
        for p in client.get(f"/api/v1/places?municipality={MC}", headers=h).json()
    )


def test_a_place_moved_far_outside_the_municipality_is_refused(
    client: TestClient, prio_db: PriorityDb
) -> None:
    border = {"name": "Gränsen", "geometry": RURAL_POINT, "radius_m": 300}
    response = send_as(client, prio_db, "admin", "POST", "places", border)
    assert response.status_code == 201, response.text
    place = f"places/{response.json()['id']}"
    swapped = {"geometry": {"type": "Point", "coordinates": [56.17, 13.30]}}
    moved = send_as(client, prio_db, "admin", "PATCH", place, swapped)
    assert moved.status_code == 422 and moved.json()["code"] == "place_outside_municipality"
    send_as(client, prio_db, "admin", "DELETE", place, None)


def test_the_places_tiles_follow_an_edit_of_a_place(prio_db: PriorityDb) -> None:
    """A renamed place shows its new name on the map once the tiles' lifetime has passed (here
    none), as the priorities and the lägesbild show it at once."""
    settings = Settings(database_url=prio_db.url, events_tile_seconds=0)
    body = {"name": "Torget", "geometry": {"type": "Point", "coordinates": [13.3835, 56.1335]}}
    with TestClient(create_app(settings)) as client:
        created = send_as(client, prio_db, "coordinator", "POST", "places", body)
        assert created.status_code == 201, created.text
        place = f"places/{created.json()['id']}"
        z, x, y = tile_of(13.3835, 56.1335, 14)
        url = f"/tiles/places/{z}/{x}/{y}.mvt?municipality={MC}"

        def names() -> set[str]:
            tile = client.get(url, headers=auth(prio_db, "coordinator"))
            assert tile.status_code == 200, tile.text
            features = mapbox_vector_tile.decode(tile.content)["places"]["features"]
            return {f["properties"]["name"] for f in features}

        try:
            assert "Torget" in names()
            renamed = send_as(
                client, prio_db, "coordinator", "PATCH", place, {"name": "Stortorget"}
            )
            assert renamed.status_code == 200, renamed.text
            assert "Stortorget" in names() and "Torget" not in names()
        finally:
            send_as(client, prio_db, "coordinator", "DELETE", place, None)
