"""Bad input to the observation and measure endpoints is a 4xx that names the field: NUL bytes,
integers beyond int4/int8, dates out of any sensible range; no impossible measure date is kept."""

import pytest
from fastapi.testclient import TestClient

from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, auth

INT8_PAST = 2**63
INT4_PAST = 2**31
GOOD_OBSERVATION = {
    "category": "klotter",
    "occurred_at": "2025-05-12T21:30:00",
    "lat": 56.1330,
    "lon": 13.3830,
}
BAD_OBSERVATIONS = [
    ({"description": "tags\x00på bron"}, "description"),
    ({"category": "klotter\x00"}, "category"),
    ({"client_id": "app\x00-1"}, "client_id"),
    ({"place": "\x00"}, "place"),
    ({"address": "Storgatan 1\x00"}, "address"),
    ({"severity": INT8_PAST}, "severity"),
    ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:59"}, "occurred_at"),
    ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ({"lat": 1e308, "lon": 13.38}, "lat"),
]


def _names_field(response_json: dict, field: str) -> bool:
    locations = [".".join(map(str, e.get("loc", ()))) for e in response_json.get("errors", [])]
    return any(field in loc for loc in locations) or field in response_json["detail"]


@pytest.mark.parametrize(("change", "field"), BAD_OBSERVATIONS)
def test_a_bad_observation_is_a_4xx_naming_the_field(
    client: TestClient, prio_db: PriorityDb, change: dict, field: str
) -> None:
    response = client.post(
        f"/api/v1/observations?municipality={MC}",
        headers=auth(prio_db, "coordinator"),
        json=GOOD_OBSERVATION | change,
    )
    assert 400 <= response.status_code < 500, response.text
    assert _names_field(response.json(), field), response.text


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/observations?municipality={MC}&offset={INT8_PAST}",
        f"/api/v1/observations?municipality={MC}&offset={INT4_PAST * 4}",
        f"/api/v1/measures?municipality={MC}&place_id={INT8_PAST}",
        f"/api/v1/measures?municipality={MC}&place_id={INT4_PAST}",
        f"/api/v1/measures/{INT8_PAST}?municipality={MC}",
        f"/api/v1/measures/{INT4_PAST}?municipality={MC}",
        f"/api/v1/measures/{INT4_PAST}/followup?municipality={MC}",
        f"/api/v1/measures/1/followup?municipality={MC}&as_of=0001-01-01",
        f"/api/v1/measures/1/followup?municipality={MC}&as_of=9999-12-31",
        f"/api/v1/measures/1/followup?municipality={MC}&comparison={INT8_PAST}",
    ],
)
def test_out_of_range_parameters_are_a_4xx(
    client: TestClient, prio_db: PriorityDb, url: str
) -> None:
    response = client.get(url, headers=auth(prio_db, "coordinator"))
    assert 400 <= response.status_code < 500, response.text


MEASURE = {"kind": "patrol", "title": "Kvällsvandring", "start_date": "2026-01-10"}
BAD_MEASURES = [
    ({"title": "Kvälls\x00vandring"}, "title"),
    ({"kind": "\x00"}, "kind"),
    ({"description": "a\x00b"}, "description"),
    ({"responsible_org": "\x00"}, "responsible_org"),
    ({"place_id": INT8_PAST}, "place_id"),
    ({"place_id": INT4_PAST}, "place_id"),
    ({"start_date": "0001-01-01"}, "start_date"),
    ({"start_date": "9999-12-31"}, "start_date"),
    ({"end_date": "9999-12-31"}, "end_date"),
]


def _place(client: TestClient, prio_db: PriorityDb) -> int:
    places = client.get(f"/api/v1/places?municipality={MC}", headers=auth(prio_db, "viewer"))
    return places.json()[0]["id"]


@pytest.mark.parametrize(("change", "field"), BAD_MEASURES)
def test_a_bad_measure_is_refused_naming_the_field(
    client: TestClient, prio_db: PriorityDb, change: dict, field: str
) -> None:
    body = MEASURE | {"place_id": _place(client, prio_db)} | change
    response = client.post(
        f"/api/v1/measures?municipality={MC}", headers=auth(prio_db, "coordinator"), json=body
    )
    assert 400 <= response.status_code < 500, response.text
    assert _names_field(response.json(), field), response.text


def test_an_impossible_measure_date_is_refused_and_the_lagesbild_still_renders(
    client: TestClient, prio_db: PriorityDb
) -> None:
    h = auth(prio_db, "coordinator")
    created = client.post(
        f"/api/v1/measures?municipality={MC}",
        headers=h,
        json=MEASURE | {"place_id": _place(client, prio_db)},
    )
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    try:
        for change in ({"start_date": "0001-01-01"}, {"end_date": "9999-12-31"}):
            patched = client.patch(
                f"/api/v1/measures/{mid}?municipality={MC}", headers=h, json=change
            )
            assert patched.status_code == 422, patched.text
            assert _names_field(patched.json(), next(iter(change))), patched.text
        kept = client.get(f"/api/v1/measures/{mid}?municipality={MC}", headers=h).json()
        assert kept["start_date"] == MEASURE["start_date"] and kept["end_date"] is None
        followup = client.get(f"/api/v1/measures/{mid}/followup?municipality={MC}", headers=h)
        assert followup.status_code < 500, followup.text
        lagesbild = client.get(
            f"/api/v1/meetings/{LAST_MEETING}/lagesbild.html?municipality={MC}", headers=h
        )
        assert lagesbild.status_code == 200
    finally:
        client.delete(f"/api/v1/measures/{mid}?municipality={MC}", headers=h)


def test_a_nul_byte_in_any_parameter_is_a_422_naming_it(
    client: TestClient, prio_db: PriorityDb
) -> None:
    response = client.get(
        f"/api/v1/quarantine?municipality={MC}&reason_code=a%00b",
        headers=auth(prio_db, "coordinator"),
    )
    assert response.status_code == 422, response.text
    assert "reason_code" in response.json()["detail"]
