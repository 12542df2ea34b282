"""Near repeats and the backtest for a municipality with hardly any data: clear answers, not
errors without a code. The tenant has 8 vandalism reports on one day and a run of 3 periods."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from tests.api.serving_data import Tenant, _seed, bearer

MC = "9905"


@pytest.fixture(scope="module")
def small(engine: Engine) -> Tenant:
    with Session(engine) as session:
        tenant = _seed(session, MC, False, 13.3730)
        session.execute(
            text("UPDATE analysis_run SET n_periods = 3 WHERE municipality_code = :mc"),
            {"mc": MC},
        )
        session.commit()
    return tenant


def _get(small: Tenant, path: str, role: str) -> Response:
    with TestClient(create_app()) as client:
        return client.get(path, params={"municipality": MC}, headers=bearer(small.tokens[role]))


def test_a_group_with_too_few_events_gets_a_sentence_and_no_table(small: Tenant) -> None:
    r = _get(small, "/api/v1/near-repeats", "viewer")
    assert r.status_code == 200, r.text
    groups = {g["group"]: g for g in r.json()["groups"]}
    assert r.json()["end"] == "2025-03-21"  # the day of the latest event
    vandalism = groups["vandalism"]
    assert vandalism["events"] == 8 and vandalism["bands"] == []
    assert vandalism["sentence_sv"] == (
        "Skadegörelse och klotter: för få händelser (färre än 10) för att pröva nära upprepningar."
    )
    assert groups["burglary"]["events"] == 0


def test_a_run_too_short_to_backtest_is_a_conflict_with_its_code(small: Tenant) -> None:
    r = _get(small, "/api/v1/evaluation", "analyst")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "too_few_periods"
    assert "needs at least 4" in r.json()["detail"]
