"""One ranking for each of the demo's meetings: the priorities API, the places vector tiles, the
lägesbild's table and the dashboard's list name the same places with the same rank, level and
score, and the demo's meeting history is there (`GET /api/v1/meetings`).

The demo is made as `make demo` makes it (its six snapshot meetings), in a database of its own.
"""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import create_token
from geo_service.config import Settings
from geo_service.demo import perstorp
from geo_service.demo.history import make_history, meeting_dates
from tests.api.test_tiles_demo import tile_of
from tests.db.own_demo import engine_of, own_demo_database
from tests.e2e.conftest import browser_factory, serving  # noqa: F401 (a fixture)
from tests.e2e.test_dashboard import open_dashboard, ranked

Ranking = dict[str, tuple[int, str, float]]
"""Place name → (rank, level, score)."""
LAGESBILD_ROW = re.compile(
    r"<tr[^>]*>\s*<td class=\"num\">\s*(\d+)\s*</td>\s*<td[^>]*>(.*?)</td>"
    r"(?:(?!</tr>).)*?<span class=\"level level-(red|yellow|green)\"",
    re.S,
)
"""A row of the lägesbild's ranking: rank, place, (other cells), level."""


@pytest.fixture(scope="module")
def demo_db(server_url: str) -> Iterator[tuple[str, str]]:
    """The demo with its meeting history, and a coordinator's token."""
    for url in own_demo_database(server_url, "geo_service_meetings"):
        with Session(engine_of(url)) as session:
            make_history(session)
            token = create_token(session, perstorp.CODE, "coordinator", "Perstorps kommun")
            session.commit()
        yield url, token


@pytest.fixture(scope="module")
def client(demo_db: tuple[str, str]) -> Iterator[TestClient]:
    url, token = demo_db
    with TestClient(create_app(Settings(database_url=url))) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        c.params = {"municipality": perstorp.CODE}
        yield c


def api_ranking(client: TestClient, meeting: date) -> tuple[int, Ranking]:
    r = client.get("/api/v1/priorities", params={"meeting": meeting.isoformat()})
    assert r.status_code == 200, r.text
    body = r.json()
    return body["run_id"], {
        p["name"]: (p["rank"], p["level"], p["score"]) for p in body["priorities"]
    }


def tile_ranking(client: TestClient, run_id: int) -> Ranking:
    """The places layer's features over every demo place, from the tiles of the run."""
    found: Ranking = {}
    for place in perstorp.PLACES:
        z, x, y = tile_of(place.lon, place.lat, 13)
        r = client.get(f"/tiles/places/{z}/{x}/{y}.mvt", params={"run": run_id})
        assert r.status_code == 200, r.text
        for f in mapbox_vector_tile.decode(r.content)["places"]["features"]:
            p = f["properties"]
            found[p["name"]] = (p["rank"], p["level"], p["score"])
    return found


def lagesbild_ranking(client: TestClient, meeting: date) -> dict[str, tuple[int, str]]:
    r = client.get(f"/api/v1/meetings/{meeting.isoformat()}/lagesbild.html")
    assert r.status_code == 200, r.text
    rows = LAGESBILD_ROW.findall(r.text)
    assert rows, "no ranking table in the lägesbild"
    return {re.sub(r"<[^>]+>", "", name).strip(): (int(rank), level) for rank, name, level in rows}


def test_the_demo_lists_its_meetings_with_snapshots(client: TestClient) -> None:
    r = client.get("/api/v1/meetings")
    assert r.status_code == 200, r.text
    listed = [m["meeting_date"] for m in r.json()]
    assert listed == [d.isoformat() for d in reversed(meeting_dates())]
    assert meeting_dates()[-1] == perstorp.MEETING_DATE
    dates = meeting_dates()
    assert all(b - a == timedelta(days=14) for a, b in zip(dates, dates[1:], strict=False))
    changes = client.get(f"/api/v1/meetings/{perstorp.MEETING_DATE}/comparison").json()
    assert changes["previous_meeting_date"] == meeting_dates()[-2].isoformat()
    assert changes["changes"], "changes since the last meeting show something"


@pytest.mark.parametrize("meeting", meeting_dates(), ids=str)
def test_api_tiles_and_lagesbild_rank_the_places_alike(client: TestClient, meeting: date) -> None:
    run_id, api = api_ranking(client, meeting)
    snapshot = client.get(f"/api/v1/meetings/{meeting.isoformat()}/snapshot").json()
    assert snapshot["run_id"] == run_id
    assert {p["name"]: p["rank"] for p in snapshot["priorities"]} == {
        name: rank for name, (rank, _, _) in api.items()
    }
    tiles = tile_ranking(client, run_id)
    demo_places = {p.name for p in perstorp.PLACES}
    assert set(tiles) >= demo_places
    for name in tiles:
        rank, level, score = api[name]
        assert tiles[name][:2] == (rank, level), name
        assert tiles[name][2] == pytest.approx(score, abs=1e-6), name
    report = lagesbild_ranking(client, meeting)
    assert report == {name: (rank, level) for name, (rank, level, _) in api.items()}


@pytest.mark.e2e
def test_the_dashboard_lists_the_last_meeting_as_the_api_and_ends_its_period_alike(
    demo_db: tuple[str, str],
    client: TestClient,
    browser_factory,  # noqa: F811
) -> None:
    url, token = demo_db
    meeting = perstorp.MEETING_DATE
    _, api = api_ranking(client, meeting)
    html = client.get(f"/api/v1/meetings/{meeting.isoformat()}/lagesbild.html").text
    last_day = (perstorp.LAST_PERIOD_END - timedelta(days=1)).isoformat()
    assert f"– {last_day}" in html  # the period's last day, inclusive
    browser = browser_factory()
    with serving(Settings(database_url=url)) as base:
        open_dashboard(browser, base, token, f"?municipality=1275&meeting={meeting}")
        listed = {p["name"]: (int(p["rank"]), p["level"]) for p in ranked(browser)}
        note = browser.find_element("id", "priorities-note").text
        run_info = browser.find_element("id", "run-info").text
    assert listed == {name: (rank, level) for name, (rank, level, _) in api.items()}
    assert f"– {last_day}" in note + run_info, (note, run_info)
