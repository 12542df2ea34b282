"""Place priorities: components, levels, reasons, ranking, comparison."""

import random

import pytest

from geo_service.errors import GeoServiceError
from geo_service.priorities.config import PriorityConfig, config_from_settings
from geo_service.priorities.scoring import PlaceInputs, score_places
from geo_service.priorities.snapshots import compare

LABELS = {
    "klotter": ("Klotter", "Graffiti"),
    "skadegorelse": ("Skadegörelse", "Vandalism"),
    "stold": ("Stöld", "Theft"),
}


def station(**overrides: object) -> PlaceInputs:
    base = dict(
        place_id=2,
        name="Stationsområdet",
        kind="station",
        incident_harm=6.0,
        observation_severity=10.0,
        current=12,
        baseline=24,
        category_counts={"klotter": 7, "skadegorelse": 5, "stold": 1},
        emerging="intensifying_hot",
    )
    return PlaceInputs(**(base | overrides))


def test_reason_names_categories_count_ratio_p_and_pattern() -> None:
    [item] = score_places([station()], PriorityConfig(), LABELS, 14)
    assert item["reason_sv"] == (
        "Klotter och skadegörelse: 12 rapporter de senaste 14 dagarna, 3,0 × normalnivån "
        "(p = 0,003); tilltagande hotspot"
    )
    assert item["reason_en"] == (
        "Graffiti and vandalism: 12 reports in the last 14 days, 3.0× the usual level "
        "(p = 0.003); intensifying hot spot"
    )
    assert [c["code"] for c in item["top_categories"]] == ["klotter", "skadegorelse"]
    assert item["change"]["rate_ratio"] == pytest.approx(3.0)
    assert item["change"]["ci_low"] > 1


def test_a_second_category_with_far_fewer_reports_is_left_out_of_the_reason() -> None:
    place = station(category_counts={"stold": 9, "klotter": 2}, current=11, emerging=None)
    [item] = score_places([place], PriorityConfig(), LABELS, 14)
    assert item["reason_sv"].startswith("Stöld: 11 rapporter")
    assert "hotspot" not in item["reason_sv"]


def test_no_earlier_reports_and_no_reports_read_naturally() -> None:
    new = station(place_id=6, name="Oderljunga", baseline=0, current=9, emerging="new_hot")
    quiet = station(
        place_id=7, name="Norr", current=0, baseline=3, category_counts={}, emerging=None
    )
    by_name = {i["name"]: i for i in score_places([new, quiet], PriorityConfig(), LABELS, 14)}
    assert (
        "inga de 6 perioderna innan (p < 0,001); ny hotspot" in by_name["Oderljunga"]["reason_sv"]
    )
    assert by_name["Oderljunga"]["change"]["rate_ratio"] is None
    assert by_name["Norr"]["reason_sv"] == "Inga rapporter de senaste 14 dagarna"
    assert by_name["Norr"]["reason_en"] == "No reports in the last 14 days"


def test_score_is_the_sum_of_contributions_and_each_is_value_times_weight() -> None:
    [item] = score_places(
        [station(open_measures=1, survey_index=3.0)], PriorityConfig(), LABELS, 14
    )
    parts = {c["key"]: c for c in item["components"]}
    assert set(parts) == {
        "incidents",
        "observations",
        "change",
        "emerging",
        "scan_clusters",
        "open_measures",
        "survey",
    }
    assert item["score"] == pytest.approx(sum(c["contribution"] for c in parts.values()))
    assert parts["incidents"]["contribution"] == pytest.approx(6.0 * 0.25)
    assert parts["open_measures"]["contribution"] == pytest.approx(-0.5)
    assert parts["survey"]["value"] == pytest.approx(1.0)
    assert parts["emerging"]["value"] == 3.0


def test_levels_follow_the_thresholds_and_weights_come_from_tenant_settings() -> None:
    config = config_from_settings(
        {"priorities": {"weights": {"emerging": 0}, "thresholds": {"yellow": 1, "red": 100}}}
    )
    [item] = score_places([station()], config, LABELS, 14)
    assert item["level"] == "yellow" and item["listed"]
    assert {c["key"]: c["contribution"] for c in item["components"]}["emerging"] == 0
    [default] = score_places([station()], PriorityConfig(), LABELS, 14)
    assert default["level"] == "red"
    with pytest.raises(GeoServiceError) as err:
        config_from_settings({"priorities": {"thresholds": {"yellow": 5, "red": 1}}})
    assert err.value.code == "invalid_priority_settings"


def test_same_inputs_same_ranking_and_ties_break_on_place_id() -> None:
    places = [station(place_id=i, name=f"P{i}") for i in (5, 3, 9)]
    places.append(station(place_id=1, name="Top", current=30))
    first = score_places(places, PriorityConfig(), LABELS, 14)
    shuffled = places[:]
    random.Random(7).shuffle(shuffled)
    second = score_places(shuffled, PriorityConfig(), LABELS, 14)
    assert [i["place_id"] for i in first] == [1, 3, 5, 9]
    assert first == second
    assert [i["rank"] for i in first] == [1, 2, 3, 4]


def _item(pid: int, rank: int, listed: bool) -> dict:
    return {
        "place_id": pid,
        "name": f"P{pid}",
        "rank": rank,
        "score": 10 - rank,
        "level": "red" if listed else "green",
        "listed": listed,
    }


def test_comparison_finds_new_up_down_and_gone() -> None:
    previous = [_item(1, 1, True), _item(2, 2, True), _item(3, 3, True), _item(4, 4, False)]
    current = [_item(2, 1, True), _item(1, 2, True), _item(4, 3, True), _item(3, 4, False)]
    status = {c["name"]: c["status"] for c in compare(previous, current)}
    assert status == {"P2": "up", "P1": "down", "P4": "new", "P3": "gone"}
    first_time = compare([], current)
    assert {c["status"] for c in first_time if c["name"] != "P3"} == {"new"}
