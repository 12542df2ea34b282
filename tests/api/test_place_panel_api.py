"""What the dashboard's place panel, legend, popups and period slider read: a place's counts
per period, a run's periods and one period's Gi* bins, the category sentences, and the counts
the hotspot tiles carry, each with small counts hidden from suppressed roles."""

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from geo_service.demo import perstorp
from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, get_as
from tests.api.test_tiles_demo import tile_of

STATION = perstorp.PLACE_BY_NAME["Stationsområdet"]


def _priorities(client: TestClient, prio_db: PriorityDb) -> dict[str, dict]:
    url = f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    body = get_as(client, prio_db, "coordinator", url).json()
    return {p["name"]: p for p in body["priorities"]}


def _series(client: TestClient, prio_db: PriorityDb, role: str, place_id: int, extra: str = ""):
    url = f"/api/v1/places/{place_id}/series?municipality={MC}&meeting={LAST_MEETING}{extra}"
    return get_as(client, prio_db, role, url)


def test_series_ends_with_the_period_the_priorities_test(
    client: TestClient, prio_db: PriorityDb
) -> None:
    station = _priorities(client, prio_db)["Stationsområdet"]
    response = _series(client, prio_db, "coordinator", station["place_id"])
    assert response.status_code == 200, response.text
    body = response.json()
    periods = body["periods"]
    assert len(periods) == 26 and body["name"] == "Stationsområdet"
    last = periods[-1]
    assert last["last_day"] == "2026-11-15"  # both ends inclusive, the day before the meeting
    assert last["count"] == station["change"]["current"]
    baseline = station["change"]["baseline"] / station["change"]["baseline_periods"]
    assert last["usual"] == pytest.approx(baseline, abs=0.01)
    assert LAST_MEETING.isoformat() in body["meetings"]
    starts = [p["start"] for p in periods]
    assert starts == sorted(starts) and len(set(starts)) == 26


def test_series_hides_small_counts_from_viewers(client: TestClient, prio_db: PriorityDb) -> None:
    places = _priorities(client, prio_db)
    seen_small = False
    for place in places.values():
        full = _series(client, prio_db, "coordinator", place["place_id"]).json()["periods"]
        shown = _series(client, prio_db, "viewer", place["place_id"]).json()["periods"]
        for f, s in zip(full, shown, strict=True):
            if 0 < f["count"] < 3:
                seen_small = True
                assert s["count"] is None
            else:
                assert s["count"] == f["count"]
    assert seen_small, "the demo has periods with one or two events at a place"


def test_a_viewer_cannot_work_a_hidden_count_back_from_the_usual_level(
    client: TestClient, prio_db: PriorityDb
) -> None:
    """The usual level is the mean of the periods before; shown beside those periods' counts it
    would give a hidden one back, so it is hidden whenever its window holds one."""
    closed = 0
    for place in _priorities(client, prio_db).values():
        full = _series(client, prio_db, "coordinator", place["place_id"]).json()
        shown = _series(client, prio_db, "viewer", place["place_id"]).json()["periods"]
        n = full["baseline_periods"]
        counts = [p["count"] for p in full["periods"]]
        for j in range(n, len(counts)):
            window = counts[j - n : j]
            if any(0 < c < 3 for c in window):
                assert shown[j]["usual"] is None, (place["name"], j, window)
                closed += sum(window) >= 3  # the total alone would not have hidden it
    assert closed, "the demo has windows with a hidden count and a total of three or more"


def test_series_errors_are_problems(client: TestClient, prio_db: PriorityDb) -> None:
    missing = _series(client, prio_db, "coordinator", 999999)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = _series(client, prio_db, "coordinator", 1, "&periods=1")
    assert bad.status_code == 422
    reporter = _series(client, prio_db, "reporter", 1)
    assert reporter.status_code == 403 and reporter.json()["code"] == "forbidden_role"


def test_periods_show_how_the_hot_spots_developed(client: TestClient, prio_db: PriorityDb) -> None:
    base = f"/api/v1/hotspots/periods?municipality={MC}"
    body = get_as(client, prio_db, "viewer", base).json()
    periods = body["periods"]
    assert body["period_days"] == 14 and len(periods) > 20
    assert periods[-1]["last_day"] == "2026-11-15"
    assert any(p["hot"] for p in periods) and len({p["hot"] for p in periods}) > 1
    last = periods[-1]["start"]
    one = get_as(client, prio_db, "analyst", f"/api/v1/hotspots/periods/{last}?municipality={MC}")
    assert one.status_code == 200, one.text
    cells = one.json()["cells"]
    hot = [c for c in cells if c["bin"] >= 2]
    assert len(hot) == periods[-1]["hot"]
    assert all(c["z"] > 0 for c in hot) and {c["bin"] for c in cells} <= {-3, -2, -1, 1, 2, 3}
    viewer = get_as(client, prio_db, "viewer", f"/api/v1/hotspots/periods/{last}?municipality={MC}")
    assert all(c["count"] is None or c["count"] >= 3 or c["count"] == 0
               for c in viewer.json()["cells"])  # fmt: skip
    unknown = get_as(client, prio_db, "analyst", f"{base.replace('?', '/2020-01-01?')}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_period"


def test_palette_explains_each_category_in_one_sentence(client: TestClient) -> None:
    palette = client.get("/api/v1/palette").json()
    for c in palette["categories"]:
        for lang in ("sv", "en"):
            sentence = c["explanation"][lang]
            assert sentence.endswith(".") and sentence.count(".") == 1, sentence
    assert [b["bin"] for b in palette["period_bins"]] == [3, 2, 1, -1, -2, -3]


def test_hotspot_tiles_carry_the_last_period_and_the_usual_level(
    client: TestClient, prio_db: PriorityDb
) -> None:
    z, x, y = tile_of(STATION.lon, STATION.lat, 14)
    path = f"/tiles/hotspots/{z}/{x}/{y}.mvt?municipality={MC}"
    full = get_as(client, prio_db, "analyst", path)
    viewer = get_as(client, prio_db, "viewer", path)
    cells = {
        f["properties"]["cell"]: f["properties"]
        for f in mapbox_vector_tile.decode(full.content)["hotspots"]["features"]
    }
    hot = [p for p in cells.values() if p["category"].endswith("_hot")]
    assert hot and all("last" in p and "usual" in p for p in hot)
    assert any(p["last"] > 0 for p in hot)
    for f in mapbox_vector_tile.decode(viewer.content)["hotspots"]["features"]:
        last = f["properties"].get("last")
        assert last is None or last == 0 or last >= 3
        if last is not None:
            assert last == cells[f["properties"]["cell"]]["last"]
