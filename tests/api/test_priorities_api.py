"""GET /api/v1/priorities: components, reasons, levels; a meeting without a run is a clear 409."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, auth, get_as


def test_priorities_list_components_reasons_and_levels(
    client: TestClient, prio_db: PriorityDb
) -> None:
    url = f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}&lang=en"
    response = get_as(client, prio_db, "coordinator", url)
    assert response.status_code == 200, response.text
    body = response.json()
    names = [p["name"] for p in body["priorities"]]
    assert "Stationsområdet" in names[:3]
    station = body["priorities"][names.index("Stationsområdet")]
    assert station["reason"] == station["reason_en"]
    assert station["reason_en"].startswith(("Graffiti", "Vandalism"))
    assert sum(c["contribution"] for c in station["components"]) == pytest.approx(station["score"])
    assert body["params"]["priorities"]["thresholds"] == {"yellow": 3.0, "red": 6.0}
    assert {p["level"] for p in body["priorities"]} <= {"green", "yellow", "red"}


def test_viewer_reads_priorities_with_small_counts_hidden(
    client: TestClient, prio_db: PriorityDb
) -> None:
    response = get_as(
        client, prio_db, "viewer", f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    )
    assert response.status_code == 200
    for place in response.json()["priorities"]:
        current = place["change"]["current"]
        assert current is None or current == 0 or current >= 3  # none at all is no small count
    reporter = get_as(
        client, prio_db, "reporter", f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    )
    assert reporter.status_code == 403


def test_a_meeting_without_a_prepared_run_gets_one_on_demand(
    client: TestClient, prio_db: PriorityDb
) -> None:
    response = client.get(
        f"/api/v1/priorities?municipality={MC}&meeting=2025-03-04", headers=auth(prio_db, "admin")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    end = datetime.fromisoformat(body["period_end"]).astimezone(ZoneInfo("Europe/Stockholm"))
    assert date(2025, 2, 19) <= end.date() <= date(2025, 3, 4)
    assert len(body["priorities"]) == 7 and body["priorities"][0]["rank"] == 1


def test_a_malformed_meeting_date_is_a_422_problem(client: TestClient, prio_db: PriorityDb) -> None:
    response = client.get(
        f"/api/v1/priorities?municipality={MC}&meeting=17/11/2026", headers=auth(prio_db, "admin")
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("meeting", "status", "code"),
    [("2263-01-01", 422, "invalid_request"), ("2000-01-01", 400, "too_few_periods")],
)
def test_a_meeting_no_run_can_cover_is_a_clear_4xx(
    client: TestClient, prio_db: PriorityDb, meeting: str, status: int, code: str
) -> None:
    """A date outside 1900–2100 is refused as input; one before the data has too few periods."""
    url = f"/api/v1/meetings/{meeting}/lagesbild.html?municipality={MC}"
    problem = get_as(client, prio_db, "admin", url)
    assert problem.status_code == status and problem.json()["code"] == code
