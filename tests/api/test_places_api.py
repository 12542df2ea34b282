"""/api/v1/places: coordinators and admins edit places; others read; unknown place → 404."""

from fastapi.testclient import TestClient

from tests.api.priorities_data import MC, PriorityDb, auth

RURAL_POINT = {"type": "Point", "coordinates": [13.30, 56.17]}


def test_coordinator_creates_updates_and_deletes_a_place(
    client: TestClient, prio_db: PriorityDb
) -> None:
    h = auth(prio_db, "coordinator")
    created = client.post(
        f"/api/v1/places?municipality={MC}",
        headers=h,
        json={
            "name": "Badplatsen",
            "kind": "other",
            "aliases": ["badet"],
            "geometry": RURAL_POINT,
            "radius_m": 80,
        },
    )
    assert created.status_code == 201, created.text
    place = created.json()
    try:
        assert place["geometry"]["type"] == "MultiPolygon"
        lon, lat = place["geometry"]["coordinates"][0][0][0]
        assert abs(lon - 13.30) < 0.01 and abs(lat - 56.17) < 0.01
        patched = client.patch(
            f"/api/v1/places/{place['id']}?municipality={MC}",
            headers=h,
            json={"aliases": ["badet", "sjön"], "kind": "sports"},
        )
        assert patched.json()["aliases"] == ["badet", "sjön"]
        assert patched.json()["kind"] == "sports"
        again = client.post(
            f"/api/v1/places?municipality={MC}",
            headers=h,
            json={"name": "Badplatsen", "geometry": RURAL_POINT},
        )
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
    refused = client.post(
        f"/api/v1/places?municipality={MC}", headers=h, json={"name": "X", "geometry": RURAL_POINT}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_role"


def test_bad_geometry_is_a_400_problem(client: TestClient, prio_db: PriorityDb) -> None:
    line = {"type": "LineString", "coordinates": [[13, 56], [13.1, 56]]}
    response = client.post(
        f"/api/v1/places?municipality={MC}",
        headers=auth(prio_db, "admin"),
        json={"name": "Linjen", "geometry": line},
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_geometry"
