"""The privacy rule without a database: who is suppressed, which counts they see, what they may
not narrow, and priorities and follow-ups as a viewer reads them."""

import pytest

from geo_service.errors import Forbidden
from geo_service.priorities.disclosure import disclose_followup, disclose_item, disclose_reason
from geo_service.privacy import FULL, Disclosure, complementary, is_suppressed, refuse_narrowing

VIEWER = Disclosure(suppressed=True, k=5)


def test_viewers_reporters_and_anonymous_are_suppressed_and_staff_are_not() -> None:
    assert [is_suppressed(r) for r in ("viewer", "reporter", "public")] == [True] * 3
    assert [is_suppressed(r) for r in ("admin", "analyst", "coordinator")] == [False] * 3


def test_counts_from_1_to_k_minus_1_are_hidden_and_none_at_all_is_shown() -> None:
    assert [VIEWER.count(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert FULL.count(1) == 1
    assert VIEWER.fewer_than("sv") == "färre än 5" and VIEWER.fewer_than("en") == "fewer than 5"


def test_one_hidden_part_takes_the_next_smallest_with_it() -> None:
    assert complementary({"a": 3, "b": 9, "c": 20}, VIEWER) == {"a", "b"}
    assert complementary({"a": 3, "b": 2, "c": 20}, VIEWER) == {"a", "b"}
    assert complementary({"a": 7, "b": 9}, VIEWER) == set()
    assert complementary({"a": 3}, VIEWER) == {"a"}
    assert complementary({"a": 3, "b": 9}, FULL) == set()


def test_narrowing_is_refused_to_suppressed_callers_only() -> None:
    refuse_narrowing(VIEWER, since=None, until=None)
    refuse_narrowing(FULL, since="2026-11-01")
    with pytest.raises(Forbidden) as raised:
        refuse_narrowing(VIEWER, since="2026-11-01", until=None)
    assert raised.value.code == "parameter_not_allowed" and "since" in raised.value.message


@pytest.mark.parametrize(
    ("reason", "lang", "expected"),
    [
        (
            "Klotter: 2 rapporter de senaste 14 dagarna, 3,5 × normalnivån (p = 0,021); ny hotspot",
            "sv",
            "Klotter: färre än 5 rapporter de senaste 14 dagarna; ny hotspot",
        ),
        (
            "1 report in the last 14 days, none in the 6 periods before (p = 0.012)",
            "en",
            "Fewer than 5 reports in the last 14 days",
        ),
        (
            "Stöld: 9 rapporter de senaste 14 dagarna; ovanlig ansamling: 3 rapporter mot "
            "0,4 väntade",
            "sv",
            "Stöld: 9 rapporter de senaste 14 dagarna; ovanlig ansamling: färre än 5 rapporter mot "
            "0,4 väntade",
        ),
    ],
)
def test_reasons_name_no_small_count(reason: str, lang: str, expected: str) -> None:
    assert disclose_reason(reason, True, VIEWER, lang) == expected


def _item(current: int, baseline: int, cats: list[int]) -> dict:
    return {
        "change": {
            "current": current,
            "baseline": baseline,
            "baseline_periods": 6,
            "rate_ratio": 2.0,
            "ci_low": 1.1,
            "ci_high": 3.0,
            "p_increase": 0.01,
        },
        "top_categories": [{"code": f"c{i}", "count": n} for i, n in enumerate(cats)],
        "components": [{"key": "incidents", "value": 4.0, "weight": 1.0, "contribution": 4.0}],
        "reason_sv": f"{current} rapporter de senaste 14 dagarna, 2,0 × normalnivån (p = 0,010)",
        "reason_en": f"{current} reports in the last 14 days, 2.0× the usual level (p = 0.010)",
    }


def test_a_place_with_a_small_baseline_loses_the_ratio_that_gives_it_back() -> None:
    shown = disclose_item(_item(current=12, baseline=3, cats=[8, 4]), VIEWER)
    assert shown["change"]["current"] == 12 and shown["change"]["baseline"] is None
    assert shown["change"]["rate_ratio"] is None and shown["change"]["p_increase"] is None
    assert shown["components"][0]["value"] is None
    assert [c["count"] for c in shown["top_categories"]] == [None, None]
    assert shown["reason_sv"] == "12 rapporter de senaste 14 dagarna"
    assert disclose_item(_item(12, 3, [8, 4]), FULL) == _item(12, 3, [8, 4])


def test_a_follow_up_with_a_small_count_shows_no_counts_or_ratios() -> None:
    result = {
        "place_before": 9,
        "place_after": 2,
        "comparison_before": 40,
        "comparison_after": 38,
        "ratio": 0.2,
        "ci_low": 0.1,
        "ci_high": 0.9,
        "p_two_sided": 0.01,
        "place_rate_ratio": 0.22,
        "comparison_rate_ratio": 0.95,
        "change_percent": -77.0,
        "summary_sv": "Minskning med 77 %",
        "summary_en": "A reduction of 77 %",
    }
    shown = disclose_followup(result, VIEWER)
    assert shown["place_after"] is None and shown["comparison_before"] is None
    assert shown["ratio"] is None and shown["place_rate_ratio"] is None
    assert "färre än 5" in shown["summary_sv"] and "77" not in shown["summary_sv"]
    assert disclose_followup(result, Disclosure(True, 2)) == result
