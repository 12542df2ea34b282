"""PDFs and large GeoJSON: rendered in a bounded pool, cached per run, meeting, role and language,
and refused with 503 server_busy (with Retry-After) when the pool is full, while cheap routes
keep answering."""

from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from geo_service.api.app import create_app
from geo_service.api.renderpool import render_pool
from geo_service.config import Settings
from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, auth, get_as

PDF = f"/api/v1/meetings/{LAST_MEETING}/lagesbild.pdf?municipality={MC}"
GEOJSON = f"/api/v1/hotspots.geojson?municipality={MC}&limit=50"


@pytest.fixture(name="busy_client")
def busy_client_fixture(prio_db: PriorityDb) -> Iterator[TestClient]:
    """An app whose renders wait for no slot: a full pool answers at once."""
    settings = Settings(database_url=prio_db.url, render_slots=1, render_wait_seconds=0)
    with TestClient(create_app(settings)) as client:
        yield client


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def test_pdf_is_cached_per_meeting_role_and_language(
    client: TestClient, prio_db: PriorityDb
) -> None:
    first = get_as(client, prio_db, "coordinator", PDF + "&lang=en")
    again = get_as(client, prio_db, "coordinator", PDF + "&lang=en")
    assert first.status_code == again.status_code == 200
    assert again.content == first.content  # served from the cache, not drawn again
    swedish = get_as(client, prio_db, "coordinator", PDF + "&lang=sv")
    as_viewer = get_as(client, prio_db, "viewer", PDF + "&lang=en")
    assert "Ranked places" in _pdf_text(first.content)
    assert "Ranked places" not in _pdf_text(swedish.content)
    assert as_viewer.status_code == 200
    keys = {k[:5] for k in render_pool(client.app).cache._data}  # noqa: SLF001
    assert {
        ("lagesbild.pdf", MC, LAST_MEETING, "coordinator", "en"),
        ("lagesbild.pdf", MC, LAST_MEETING, "coordinator", "sv"),
        ("lagesbild.pdf", MC, LAST_MEETING, "viewer", "en"),
    } <= keys


def test_cached_pdf_is_redrawn_when_a_measure_changes(
    client: TestClient, prio_db: PriorityDb
) -> None:
    before = get_as(client, prio_db, "coordinator", PDF + "&lang=en")
    places = get_as(client, prio_db, "coordinator", f"/api/v1/places?municipality={MC}").json()
    created = client.post(
        f"/api/v1/measures?municipality={MC}",
        headers=auth(prio_db, "coordinator"),
        json={
            "place_id": places[0]["id"],
            "kind": "patrol",
            "title": "Cachetestvandring",
            "start_date": "2026-09-01",
            "status": "ongoing",
        },
    )
    assert created.status_code == 201
    try:
        after = get_as(client, prio_db, "coordinator", PDF + "&lang=en")
        assert "Cachetestvandring" not in _pdf_text(before.content)
        assert "Cachetestvandring" in _pdf_text(after.content)
    finally:
        client.delete(
            f"/api/v1/measures/{created.json()['id']}?municipality={MC}",
            headers=auth(prio_db, "coordinator"),
        )


def test_full_pool_answers_server_busy_and_cheap_routes_still_answer(
    busy_client: TestClient, prio_db: PriorityDb
) -> None:
    pool = render_pool(busy_client.app)
    pool.slots.acquire()  # every slot taken, as by a long render
    try:
        for path in (PDF, GEOJSON):
            busy = get_as(busy_client, prio_db, "coordinator", path)
            assert busy.status_code == 503
            assert busy.headers["content-type"].startswith("application/problem+json")
            assert busy.json()["code"] == "server_busy"
            assert int(busy.headers["retry-after"]) >= 1
        assert busy_client.get("/api/v1/health").status_code == 200
        prio = f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
        assert get_as(busy_client, prio_db, "viewer", prio).status_code == 200
    finally:
        pool.slots.release()
    served = get_as(busy_client, prio_db, "coordinator", GEOJSON)
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/geo+json"
    assert served.json()["type"] == "FeatureCollection"


def test_geojson_is_cached_per_role_and_filter(client: TestClient, prio_db: PriorityDb) -> None:
    analyst = get_as(client, prio_db, "analyst", GEOJSON)
    viewer = get_as(client, prio_db, "viewer", GEOJSON)
    other_page = get_as(client, prio_db, "viewer", GEOJSON + "&offset=50")
    assert analyst.status_code == viewer.status_code == other_page.status_code == 200
    keys = [k for k in render_pool(client.app).cache._data if k[0] == "hotspots.geojson"]  # noqa: SLF001
    assert {k[2] for k in keys} >= {"analyst", "viewer"}
    assert len({k[3] for k in keys if k[2] == "viewer"}) == 2  # one per page
    assert viewer.json()["features"] != other_page.json()["features"]
