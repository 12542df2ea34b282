"""Near repeats and the backtest on the Perstorp demo: the API, the lägesbild and the privacy of
small counts. Pair counts are checked against a brute-force count of the events in the database."""

from datetime import date, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy.spatial.distance import pdist
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.evidence.texts import METHOD_LABELS
from geo_service.reports.meeting import meeting_report_html
from geo_service.reports.yearly import yearly_report_html
from tests.api.priorities_data import (  # noqa: F401
    LAST_MEETING,
    MC,
    PriorityDb,
    auth,
    prio_client_fixture,
    prio_db_fixture,
)

K = 3  # the default k_suppression


def near_repeats(client: TestClient, db: PriorityDb, role: str, **params: str) -> dict:
    response = client.get(
        "/api/v1/near-repeats", params={"municipality": MC, **params}, headers=auth(db, role)
    )
    assert response.status_code == 200, response.text
    return response.json()


def brute_force_pairs(db: PriorityDb, categories: list[str], first: date, last: date):
    """(distance in metres, |days apart|) of every pair of the categories' events, the slow way."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ST_X(geom), ST_Y(geom), "
                "(occurred_at AT TIME ZONE 'Europe/Stockholm')::date "
                "FROM event WHERE municipality_code = :mc AND category = ANY(:cats) "
                "AND kind <> 'walk_finding' AND geocode_method <> 'municipality_centroid' "
                "AND (occurred_at AT TIME ZONE 'Europe/Stockholm')::date BETWEEN :first AND :last"
            ),
            {"mc": MC, "cats": categories, "first": first, "last": last},
        ).all()
    xy = np.array([(x, y) for x, y, _ in rows])
    days = np.array([d.toordinal() for _, _, d in rows], dtype=float)
    return pdist(xy), pdist(days[:, None], "cityblock")


def test_vandalism_near_repeats_match_a_brute_force_count_and_read_as_one_sentence(
    client: TestClient, prio_db: PriorityDb
) -> None:
    body = near_repeats(client, prio_db, "analyst", group="vandalism")
    (group,) = body["groups"]
    assert group["categories"] == ["skadegorelse", "klotter"]
    first, last = date.fromisoformat(body["start"]), date.fromisoformat(body["end"])
    assert (last - first).days == 364
    distance, days = brute_force_pairs(prio_db, group["categories"], first, last)
    assert group["events"] * (group["events"] - 1) // 2 == len(distance)
    bands = {(b["distance_to"], b["time_to"]): b for b in group["bands"]}
    assert len(bands) == 16
    near = bands[(100.0, 7.0)]
    assert near["observed"] == np.sum((distance <= 100) & (days <= 7))
    expected = np.sum(distance <= 100) * np.sum(days <= 7) / len(distance)
    assert near["expected"] == pytest.approx(expected)
    ring = bands[(200.0, 14.0)]
    in_ring = (distance > 100) & (distance <= 200) & (days > 7) & (days <= 14)
    assert ring["observed"] == np.sum(in_ring)
    # The station's rising vandalism makes close pairs more common than chance, significantly.
    assert near["significant"] and near["ratio"] > 1.2 and near["p_adj"] < 0.05
    significant = [b for b in group["bands"] if b["significant"]]
    d_max = max(b["distance_to"] for b in significant)
    t_max = max(b["time_to"] for b in significant)
    inside = [b for b in group["bands"] if b["distance_to"] <= d_max and b["time_to"] <= t_max]
    knox_ratio = np.sum((distance <= d_max) & (days <= t_max)) / (
        np.sum(distance <= d_max) * np.sum(days <= t_max) / len(distance)
    )
    assert sum(b["observed"] for b in inside) / sum(b["expected"] for b in inside) == (
        pytest.approx(knox_ratio)
    )
    ratio_sv = f"{knox_ratio:.1f}".replace(".", ",")
    assert group["sentence_sv"] == (
        f"Efter skadegörelse eller klotter är risken förhöjd inom {d_max:.0f} m i {t_max:.0f} "
        f"dagar, {ratio_sv} gånger det väntade."
    )
    assert group["sentence_en"].startswith("After vandalism or graffiti the risk is raised")


def test_burglary_has_no_significant_band_and_says_so(
    client: TestClient, prio_db: PriorityDb
) -> None:
    (group,) = near_repeats(client, prio_db, "coordinator", group="burglary")["groups"]
    assert group["events"] >= 10
    assert not any(b["significant"] for b in group["bands"])
    assert group["sentence_sv"] == (
        "Efter ett inbrott är risken inte mätbart förhöjd i något band av avstånd och tid."
    )


def test_without_a_group_every_group_is_listed_over_the_same_window(
    client: TestClient, prio_db: PriorityDb
) -> None:
    body = near_repeats(client, prio_db, "analyst", to="2026-06-30")
    assert [g["group"] for g in body["groups"]] == [
        "burglary",
        "vehicles",
        "vandalism",
        "fires",
        "theft",
    ]
    assert (body["start"], body["end"]) == ("2025-07-01", "2026-06-30")
    for group in body["groups"]:
        assert group["sentence_sv"] and group["sentence_en"]
        assert len(group["bands"]) in (0, 16)


def test_a_viewer_sees_no_pair_count_below_k(client: TestClient, prio_db: PriorityDb) -> None:
    (full,) = near_repeats(client, prio_db, "analyst", group="fires")["groups"]
    (seen,) = near_repeats(client, prio_db, "viewer", group="fires")["groups"]
    small = [i for i, b in enumerate(full["bands"]) if 0 < b["observed"] < K]
    assert small  # fires are rare: some bands have one or two pairs
    for i, (band, shown) in enumerate(zip(full["bands"], seen["bands"], strict=True)):
        assert shown["expected"] == band["expected"]
        if i in small:
            assert shown["suppressed"]
            assert shown["observed"] is shown["ratio"] is shown["p"] is shown["p_adj"] is None
        else:
            assert shown == band
    assert seen["sentence_sv"] == full["sentence_sv"]  # it never names a band below k


def test_near_repeat_errors_have_stable_codes(client: TestClient, prio_db: PriorityDb) -> None:
    headers = auth(prio_db, "analyst")
    backwards = client.get(
        "/api/v1/near-repeats",
        headers=headers,
        params={"municipality": MC, "from": "2026-05-01", "to": "2026-01-01"},
    )
    assert backwards.status_code == 400 and backwards.json()["code"] == "invalid_window"
    ancient = client.get(
        "/api/v1/near-repeats", headers=headers, params={"municipality": MC, "to": "0001-01-01"}
    )
    assert ancient.status_code == 422 and "to" in ancient.json()["detail"]
    unknown = client.get(
        "/api/v1/near-repeats",
        headers=headers,
        params={"municipality": MC, "group": "pickpocketing"},
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "invalid_request"
    missing = client.get(
        "/api/v1/evaluation", headers=headers, params={"municipality": MC, "run": 9_999}
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def latest_run(db: PriorityDb) -> tuple[int, date]:
    with db.engine.connect() as conn:
        run_id, end = conn.execute(
            text(
                "SELECT id, (period_end AT TIME ZONE 'Europe/Stockholm')::date FROM analysis_run "
                "WHERE municipality_code = :mc AND status = 'completed' "
                "ORDER BY period_end DESC, finished_at DESC, id DESC LIMIT 1"
            ),
            {"mc": MC},
        ).one()
    return run_id, end


def test_evaluation_names_the_method_that_caught_the_most_events(
    client: TestClient, prio_db: PriorityDb
) -> None:
    response = client.get(
        "/api/v1/evaluation", params={"municipality": MC}, headers=auth(prio_db, "viewer")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    run_id, end = latest_run(prio_db)
    assert body["run_id"] == run_id
    assert date.fromisoformat(body["last_day"]) == end - timedelta(days=1)
    assert (end - date.fromisoformat(body["first_day"])).days == 12 * 14
    assert body["origins"] == 12 and body["events"] > K
    methods = body["methods"]
    assert {m["method"] for m in methods} == set(METHOD_LABELS["en"])
    assert {m["coverage"] for m in methods} == {0.05, 0.10}
    at_5 = [m for m in methods if m["coverage"] == 0.05]
    best = max(at_5, key=lambda m: (m["hit_rate"], m["pai"]))
    assert body["winner"] == best["method"]
    for m in methods:
        assert m["pai_low"] <= m["pai"] <= m["pai_high"]
        # PAI is the hit share over the area share, so at most 1 / coverage.
        assert 0 <= m["pai"] <= 1 / m["coverage"] + 1e-9
        assert 0 <= m["pei_star"] <= 1
    pai = f"{best['pai']:.1f}".replace(".", ",")
    assert body["sentence_sv"].startswith(
        f"På era egna data de senaste 12 perioderna fångade {best['label_sv']} flest händelser: "
        f"PAI {pai} ("
    )
    assert body["sentence_en"].startswith("On your own data over the last 12 periods, ")


def test_yearly_lagesbild_has_a_near_repeat_heat_table_and_the_backtest_chart(
    prio_db: PriorityDb,
) -> None:
    with Session(prio_db.engine) as session:
        html = yearly_report_html(session, MC, 2026, "sv")
        english = yearly_report_html(session, MC, 2026, "en")
    assert "<h2>Nära upprepningar</h2>" in html
    assert html.count('<table class="near-repeats">') >= 3  # burglary, vandalism, theft at least
    assert "<th>8–14 dagar</th>" in html and "<td>0–100 m</td>" in html
    assert "<b>" in html  # a significant band is marked
    assert "Efter skadegörelse eller klotter är risken förhöjd inom" in html
    assert "Efter ett inbrott är risken inte mätbart förhöjd" in html
    assert 'alt="PAI per metod (medel och 95 % intervall)"' in html
    assert "På era egna data de senaste 12 perioderna fångade" in html
    assert "After vandalism or graffiti the risk is raised within" in english
    assert "On your own data over the last 12 periods" in english


def test_meeting_lagesbild_method_note_names_the_backtest_winner(prio_db: PriorityDb) -> None:
    with Session(prio_db.engine) as session:
        html = meeting_report_html(session, MC, LAST_MEETING, "sv")
    assert "<p>På era egna data de senaste 12 perioderna fångade " in html
    assert "när 5 % av ytan pekas ut" in html
