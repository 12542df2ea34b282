"""/api/v1/measures: åtgärder at places, and their follow-up against comparison places."""

from fastapi.testclient import TestClient

from tests.api.priorities_data import MC, PriorityDb, auth, get_as


def _place_id(client: TestClient, prio_db: PriorityDb, name: str) -> int:
    places = client.get(f"/api/v1/places?municipality={MC}", headers=auth(prio_db, "viewer"))
    return next(p["id"] for p in places.json() if p["name"] == name)


def test_parken_lighting_follow_up_reports_a_reduction_with_its_interval(
    client: TestClient, prio_db: PriorityDb
) -> None:
    parken = _place_id(client, prio_db, "Parken")
    measures = client.get(
        f"/api/v1/measures?municipality={MC}&place_id={parken}", headers=auth(prio_db, "viewer")
    ).json()
    lighting = next(m for m in measures if m["title"] == "Ny belysning i Parken")
    response = get_as(
        client, prio_db, "viewer", f"/api/v1/measures/{lighting['id']}/followup?municipality={MC}"
    )
    assert response.status_code == 200, response.text
    f = response.json()
    assert f["place_after"] < f["place_before"]
    assert f["ci_low"] < f["ratio"] < f["ci_high"] < 1
    assert f["reduction"] is True
    assert parken not in f["comparison_place_ids"]
    assert "KI" in f["summary_sv"] and "CI" in f["summary_en"]


def test_coordinator_creates_updates_and_deletes_a_measure(
    client: TestClient, prio_db: PriorityDb
) -> None:
    h = auth(prio_db, "coordinator")
    centrum = _place_id(client, prio_db, "Centrum")
    created = client.post(
        f"/api/v1/measures?municipality={MC}",
        headers=h,
        json={
            "place_id": centrum,
            "kind": "patrol",
            "title": "Kvällsvandring",
            "start_date": "2027-01-10",
            "status": "planned",
            "responsible_org": "Fältgruppen",
        },
    )
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    try:
        patched = client.patch(
            f"/api/v1/measures/{mid}?municipality={MC}",
            headers=h,
            json={"status": "ongoing", "end_date": "2027-03-01"},
        )
        assert patched.json()["status"] == "ongoing"
        assert patched.json()["end_date"] == "2027-03-01"
        backwards = client.patch(
            f"/api/v1/measures/{mid}?municipality={MC}", headers=h, json={"end_date": "2026-01-01"}
        )
        assert backwards.status_code == 400
        assert backwards.json()["code"] == "invalid_measure_period"
    finally:
        assert (
            client.delete(f"/api/v1/measures/{mid}?municipality={MC}", headers=h).status_code == 204
        )
    assert client.get(f"/api/v1/measures/{mid}?municipality={MC}", headers=h).status_code == 404


def test_a_measure_at_an_unknown_place_is_a_404(client: TestClient, prio_db: PriorityDb) -> None:
    response = client.post(
        f"/api/v1/measures?municipality={MC}",
        headers=auth(prio_db, "admin"),
        json={"place_id": 99999, "kind": "x", "title": "t", "start_date": "2026-01-01"},
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"
