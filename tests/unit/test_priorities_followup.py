"""Measure follow-up: ratio of rate ratios with its interval, and how it is worded."""

import math

import pytest

from geo_service.priorities.followup import followup_sentence, ratio_of_rate_ratios


def test_ratio_of_rate_ratios_and_its_wald_interval() -> None:
    r = ratio_of_rate_ratios(a0=80, a1=10, c0=100, c1=100)
    assert r["ratio"] == pytest.approx(0.125)
    se = math.sqrt(1 / 80 + 1 / 10 + 1 / 100 + 1 / 100)
    assert r["ci_low"] == pytest.approx(0.125 * math.exp(-1.959964 * se), rel=1e-5)
    assert r["ci_high"] == pytest.approx(0.125 * math.exp(1.959964 * se), rel=1e-5)
    assert r["reduction"] and not r["increase"]
    assert r["change_percent"] == pytest.approx(-87.5)


def test_a_change_that_follows_the_comparison_places_is_no_reduction() -> None:
    r = ratio_of_rate_ratios(a0=40, a1=20, c0=200, c1=100)
    assert r["ratio"] == pytest.approx(1.0)
    assert r["ci_low"] < 1 < r["ci_high"]
    assert not r["reduction"]


def test_zero_counts_get_a_continuity_correction_instead_of_infinity() -> None:
    r = ratio_of_rate_ratios(a0=12, a1=0, c0=50, c1=55)
    assert r["continuity_corrected"]
    assert 0 < r["ratio"] < 0.1 and math.isfinite(r["ci_high"])


def test_sentence_reports_the_change_and_the_interval_in_swedish_and_english() -> None:
    r = ratio_of_rate_ratios(a0=80, a1=10, c0=100, c1=100)
    sv = followup_sentence(r, "sv")
    assert sv.startswith("−88 % jämfört med jämförelseplatserna (95 % KI −")
    assert sv.endswith("minskning")
    assert followup_sentence(r, "en").endswith("reduction")
    up = followup_sentence(ratio_of_rate_ratios(10, 40, 100, 100), "sv")
    assert up.startswith("+300 %") and up.endswith("ökning")
