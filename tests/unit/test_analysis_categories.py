"""Emerging hot spot categories: one hand-made series per category, and the
order conflicts. 'H' = hot bin, 'C' = cold bin, '.' = not significant; trend = +1, −1 or 0."""

import numpy as np
import pytest

from geo_service.analysis.categories import CATEGORIES, classify, final_state_run_length


def _flags(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    hot = np.array([[ch == "H" for ch in pattern]])
    cold = np.array([[ch == "C" for ch in pattern]])
    return hot, cold


def _category(pattern: str, trend: int = 0) -> str:
    hot, cold = _flags(pattern)
    return str(classify(hot, cold, np.array([trend]))[0])


def _mirror(pattern: str) -> str:
    return pattern.translate(str.maketrans("HC", "CH"))


HOT_CASES = [
    ("new_hot", ".........H", 0),  # only the final bin is significant
    ("consecutive_hot", "......HHHH", 0),  # one final run of hot, nothing before
    ("intensifying_hot", "HHHHHHHHHH", 1),  # hot ≥ 90 %, z trending up
    ("persistent_hot", "HHHHHHHHHH", 0),  # hot ≥ 90 %, no trend
    ("diminishing_hot", "HHHHHHHHHH", -1),  # hot ≥ 90 %, z trending down
    ("oscillating_hot", "C...H..HHH", 0),  # hot now, was cold before
    ("sporadic_hot", "H..H....HH", 0),  # on and off, never cold
    ("historical_hot", "HHHHHHHHH.", 0),  # hot ≥ 90 % but not now
]


@pytest.mark.parametrize(("expected", "pattern", "trend"), HOT_CASES)
def test_each_hot_category(expected, pattern, trend):
    assert _category(pattern, trend) == expected


@pytest.mark.parametrize(("expected", "pattern", "trend"), HOT_CASES)
def test_each_cold_category_mirrors_hot(expected, pattern, trend):
    # cold spots intensify when z falls: the trend direction is mirrored too
    assert _category(_mirror(pattern), -trend) == expected.replace("_hot", "_cold")


def test_no_pattern():
    assert _category("HH..C.....", 0) == "no_pattern"
    assert _category("..........", 1) == "no_pattern"


def test_all_seventeen_categories_are_reachable():
    produced = {_category(p, t) for _, p, t in HOT_CASES}
    produced |= {_category(_mirror(p), -t) for _, p, t in HOT_CASES}
    produced.add(_category(".........."))
    assert produced == set(CATEGORIES) and len(CATEGORIES) == 17


# Order conflicts: a series that fits several rules takes the first in the table.


def test_new_wins_over_sporadic():
    # '.........H' also satisfies sporadic (hot now, h < 0.9, never cold)
    assert _category(".........H") == "new_hot"


def test_consecutive_wins_over_sporadic():
    assert _category("........HH") == "consecutive_hot"


def test_hot_before_the_final_run_is_sporadic_not_consecutive():
    assert _category("H.......HH") == "sporadic_hot"


def test_a_trend_does_not_matter_below_ninety_percent():
    assert _category("......HHHH", 1) == "consecutive_hot"
    assert _category("H..H....HH", -1) == "sporadic_hot"


def test_ninety_percent_turns_a_consecutive_run_into_persistent_or_intensifying():
    # one quiet bin then 9 hot: a single final run, but h = 0.9 → rules 3–5 apply first
    assert _category(".HHHHHHHHH", 0) == "persistent_hot"
    assert _category(".HHHHHHHHH", 1) == "intensifying_hot"
    assert _category(".HHHHHHHHH", -1) == "diminishing_hot"


def test_ninety_percent_with_an_earlier_cold_bin_is_not_oscillating():
    pattern = "C" + "H" * 19  # h = 0.95, some earlier cold
    assert _category(pattern, 0) == "persistent_hot"
    assert _category(pattern, 1) == "intensifying_hot"


def test_ninety_percent_threshold_is_exact():
    assert _category("." * 3 + "H" * 27, 0) == "persistent_hot"  # 27/30 = 0.9
    assert _category("." * 4 + "H" * 26, 0) == "consecutive_hot"  # 26/30 < 0.9


def test_historical_hot_needs_a_quiet_final_bin():
    # h = 0.9 but the final bin is cold: cold rules apply (hot before → oscillating cold)
    assert _category("HHHHHHHHHC", 0) == "oscillating_cold"
    assert _category("HHHHHHHHH.", 0) == "historical_hot"
    assert _category("HHHHHHHH..", 0) == "no_pattern"  # h = 0.8


def test_vectorised_over_many_locations():
    patterns = [p for _, p, _ in HOT_CASES]
    trends = np.array([t for _, _, t in HOT_CASES])
    hot = np.vstack([_flags(p)[0] for p in patterns])
    cold = np.vstack([_flags(p)[1] for p in patterns])
    assert classify(hot, cold, trends).tolist() == [e for e, _, _ in HOT_CASES]


def test_run_length_of_the_final_state():
    rows = ["..HH.HHH", "HHCCCCCC", "HHHHHHH.", "........"]
    hot = np.vstack([_flags(p)[0] for p in rows])
    cold = np.vstack([_flags(p)[1] for p in rows])
    assert final_state_run_length(hot, cold).tolist() == [3, 6, 0, 0]
