"""Rapportör observations: POST one or many, reporters read only their own."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from geo_service.api.app import create_app
from tests.conftest import make_tokens
from tests.db.test_ingest_files import make_tenant

MC = "1293"


@pytest.fixture(scope="module")
def tokens(engine: Engine) -> dict[str, str]:
    make_tenant(engine, MC)
    wanted = {
        "reporter_a": ("reporter", "Bostadsbolaget"),
        "reporter_b": ("reporter", "Fritidsgården"),
        "colleague_a": ("reporter", "Bostadsbolaget"),
        "analyst": ("analyst", "Kommunen"),
        "viewer": ("viewer", "Kommunen"),
    }
    return make_tokens(engine, MC, wanted)


def post(client: TestClient, token: str, body: object):  # noqa: ANN201
    return client.post(
        f"/api/v1/observations?municipality={MC}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
    )


def get(client: TestClient, token: str) -> list[dict]:
    response = client.get(
        f"/api/v1/observations?municipality={MC}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_reporter_posts_many_and_reads_only_their_own(tokens: dict[str, str]) -> None:
    batch = [
        {
            "category": "Klotter",
            "occurred_at": "2025-05-12T21:30:00",
            "severity": 2,
            "place": "stationen",
            "description": "Tags på tunneln, ring 0701234567",
        },
        {
            "category": "belysning",
            "occurred_at": "2025-05-12T22:00:00+02:00",
            "lat": 56.1296,
            "lon": 13.3905,
        },
        {"category": "Skräp", "occurred_at": "2025-05-12T22:00:00", "place": "Månen"},
    ]
    with TestClient(create_app()) as client:
        response = post(client, tokens["reporter_a"], batch)
        assert response.status_code == 201, response.text
        body = response.json()
        assert [r["status"] for r in body["results"]] == ["stored", "stored", "quarantined"]
        assert body["results"][2]["reason_code"] == "place_not_found"
        single = post(
            client,
            tokens["reporter_b"],
            {"category": "nedskräpning", "occurred_at": "2025-05-13T08:00:00", "place": "parken"},
        )
        assert single.status_code == 201, single.text
        own_a, own_b = get(client, tokens["reporter_a"]), get(client, tokens["reporter_b"])
        everything = get(client, tokens["analyst"])
        viewer = client.get(
            f"/api/v1/observations?municipality={MC}",
            headers={"Authorization": f"Bearer {tokens['viewer']}"},
        )
    assert len(own_a) == 2 and len(own_b) == 1 and len(everything) == 3
    assert {o["created_by"] for o in own_a} != {o["created_by"] for o in own_b}
    texts = [o["description"] for o in own_a if o["description"]]
    assert texts == ["Tags på tunneln, ring [redacted]"]
    # 21:30 without offset is Swedish summer time: 19:30 UTC
    assert any(o["occurred_at"].startswith("2025-05-12T19:30") for o in own_a)
    assert viewer.status_code == 403


def test_resending_the_same_observation_adds_nothing(tokens: dict[str, str]) -> None:
    item = {
        "category": "klotter",
        "occurred_at": "2025-05-14T10:00:00",
        "place": "centrum",
        "client_id": "app-42",
    }
    with TestClient(create_app()) as client:
        first = post(client, tokens["reporter_a"], item).json()
        second = post(client, tokens["reporter_a"], item).json()
    assert (first["report"]["stored"], second["report"]["stored"]) == (1, 0)
    assert second["report"]["unchanged"] == 1


def test_observation_without_location_or_all_rejected(tokens: dict[str, str]) -> None:
    with TestClient(create_app()) as client:
        nowhere = post(
            client,
            tokens["reporter_a"],
            {"category": "klotter", "occurred_at": "2025-05-14T10:00:00"},
        )
        rejected = post(
            client,
            tokens["reporter_a"],
            {
                "category": "solförmörkelse",
                "occurred_at": "2025-05-14T10:00:00",
                "place": "centrum",
            },
        )
    assert nowhere.status_code == 422 and nowhere.json()["code"] == "invalid_request"
    assert rejected.status_code == 422
    assert rejected.json()["code"] == "observation_rejected"
    assert rejected.json()["errors"][0]["reason_code"] == "unknown_category"


GRAFFITI = {"category": "klotter", "place": "centrum", "description": "Tags på bron"}


def test_one_reporters_client_id_cannot_overwrite_another_reporters_observation(
    tokens: dict[str, str],
) -> None:
    mine = GRAFFITI | {"occurred_at": "2025-05-15T10:00:00", "client_id": "app-1"}
    theirs = mine | {"category": "skadegörelse", "description": "Krossad ruta"}
    with TestClient(create_app()) as client:
        first = post(client, tokens["reporter_a"], mine).json()
        same_org = post(client, tokens["colleague_a"], theirs).json()
        other_org = post(client, tokens["reporter_b"], theirs).json()
        own = get(client, tokens["reporter_a"])
        colleague = get(client, tokens["colleague_a"])
    assert [r["report"]["stored"] for r in (first, same_org, other_org)] == [1, 1, 1]
    mine_now = [o for o in own if o["occurred_at"].startswith("2025-05-15")]
    assert [(o["category"], o["description"]) for o in mine_now] == [("klotter", "Tags på bron")]
    assert [o["description"] for o in colleague] == ["Krossad ruta"]
    assert mine_now[0]["created_by"] != colleague[0]["created_by"]


def test_a_reporter_resending_a_client_id_updates_their_own_observation(
    tokens: dict[str, str],
) -> None:
    item = GRAFFITI | {"occurred_at": "2025-05-16T10:00:00", "client_id": "app-2"}
    with TestClient(create_app()) as client:
        post(client, tokens["colleague_a"], item)
        second = post(client, tokens["colleague_a"], item | {"description": "Rättad"}).json()
        own = get(client, tokens["colleague_a"])
    assert second["report"]["updated"] == 1
    texts = [o["description"] for o in own if o["occurred_at"].startswith("2025-05-16")]
    assert texts == ["Rättad"]
