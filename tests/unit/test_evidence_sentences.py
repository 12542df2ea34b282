"""The evidence in words, on hand-made tables: which bands a sentence names, its ratio, the
backtest's winner, the suppression of small counts, the groups and the cache."""

from datetime import date
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from geo_service.db.taxonomy import DEFAULT_CATEGORIES
from geo_service.errors import GeoServiceError
from geo_service.evidence import cache
from geo_service.evidence.evaluation import Evaluation, winner_sentence
from geo_service.evidence.groups import GROUP_BY_CODE, GROUPS, GroupCode, get_group
from geo_service.evidence.near_repeats import NearRepeats, near_repeat_sentence, raised_extent
from geo_service.evidence.texts import day_band
from geo_service.evidence.views import band_rows


def band_table(observed: list[int], expected: list[float], significant: list[bool]) -> pd.DataFrame:
    """2 distance bands (0–100, 100–200 m) × 2 time bands (0–7, 7–14 days), distance-major."""
    observed_ = np.array(observed)
    expected_ = np.array(expected, dtype=float)
    return pd.DataFrame(
        {
            "distance_from": [0.0, 0.0, 100.0, 100.0],
            "distance_to": [100.0, 100.0, 200.0, 200.0],
            "time_from": [0.0, 7.0, 0.0, 7.0],
            "time_to": [7.0, 14.0, 7.0, 14.0],
            "observed": observed_,
            "expected": expected_,
            "ratio": observed_ / expected_,
            "p": [0.001, 0.5, 0.002, 0.4],
            "p_adj": [0.004, 0.5, 0.004, 0.5],
            "significant": significant,
        }
    )


def result(table: pd.DataFrame | None, code: str = "burglary") -> NearRepeats:
    return NearRepeats(get_group(code), date(2026, 1, 1), date(2027, 1, 1), 40, table, 999, 0)


def test_the_sentence_spans_the_significant_bands_with_their_pooled_knox_ratio() -> None:
    # Raised within 100 m for 7 days and 100–200 m for 7 days: the rectangle is 200 m × 7 days,
    # and its ratio is (12 + 9) / (5 + 5) = 2.1, the Knox ratio for pairs within 200 m and 7 days.
    table = band_table([12, 4, 9, 6], [5.0, 5.0, 5.0, 6.0], [True, False, True, False])
    assert raised_extent(table, min_pairs=3) == (200.0, 7.0, pytest.approx(2.1))
    assert near_repeat_sentence(result(table), "sv", 3) == (
        "Efter ett inbrott är risken förhöjd inom 200 m i 7 dagar, 2,1 gånger det väntade."
    )
    assert near_repeat_sentence(result(table), "en", 3) == (
        "After a burglary the risk is raised within 200 m for 7 days, 2.1 times the expected."
    )


def test_bands_with_fewer_pairs_than_k_are_never_named() -> None:
    table = band_table([12, 4, 2, 6], [5.0, 5.0, 0.1, 6.0], [True, False, True, False])
    assert raised_extent(table, min_pairs=3) == (100.0, 7.0, pytest.approx(12 / 5))
    table = band_table([2, 4, 1, 6], [0.1, 5.0, 0.1, 6.0], [True, False, True, False])
    assert raised_extent(table, min_pairs=3) is None


def test_without_a_significant_band_or_enough_events_the_sentence_says_so() -> None:
    table = band_table([5, 4, 6, 6], [5.0, 5.0, 5.0, 6.0], [False] * 4)
    assert near_repeat_sentence(result(table, "fires"), "sv", 3) == (
        "Efter en brand är risken inte mätbart förhöjd i något band av avstånd och tid."
    )
    assert near_repeat_sentence(result(None, "vandalism"), "en", 3) == (
        "Vandalism and graffiti: too few events (fewer than 10) to test for near repeats."
    )


def test_suppressed_bands_hide_the_count_and_what_reveals_it() -> None:
    table = band_table([12, 2, 0, 6], [5.0, 5.0, 5.0, 6.0], [True, False, False, False])
    open_rows, hidden = band_rows(table, False, 3), band_rows(table, True, 3)
    assert [r["observed"] for r in open_rows] == [12, 2, 0, 6]
    assert [r["observed"] for r in hidden] == [12, None, 0, 6]
    assert hidden[1]["ratio"] is None and hidden[1]["p"] is None and hidden[1]["suppressed"]
    assert hidden[1]["expected"] == 5.0
    assert hidden[0] == open_rows[0] and hidden[2] == open_rows[2]


def test_winner_sentence_names_the_method_with_the_most_events_caught() -> None:
    summary = pd.DataFrame(
        {
            "method": ["counts_last", "kde", "counts_last", "kde"],
            "coverage": [0.05, 0.05, 0.1, 0.1],
            "pai": [6.0, 8.25, 5.0, 4.5],
            "pai_low": [5.0, 7.5, 4.0, 4.0],
            "pai_high": [7.0, 9.0, 6.0, 5.0],
            "pei_star": [0.5, 0.7, 0.6, 0.6],
            "pei_star_low": [0.4, 0.6, 0.5, 0.5],
            "pei_star_high": [0.6, 0.8, 0.7, 0.7],
            "hit_rate": [0.3, 0.41, 0.5, 0.45],
            "origins": [12, 12, 12, 12],
        }
    )
    evaluation = Evaluation(
        3, summary, pd.DataFrame(), {"origins": 12}, date(2026, 6, 1), date(2026, 11, 15), 300
    )
    assert winner_sentence(evaluation, "sv") == (
        "På era egna data de senaste 12 perioderna fångade kärntäthet (KDE) flest händelser: "
        "PAI 8,2 (7,5–9,0) när 5 % av ytan pekas ut, mot PAI 6,0 för antalet förra perioden."
    )
    assert winner_sentence(evaluation, "en").startswith(
        "On your own data over the last 12 periods, kernel density (KDE) caught the most events: "
        "PAI 8.2 (7.5–9.0) with 5% of the area flagged"
    )


def test_every_group_uses_default_taxonomy_codes_once() -> None:
    codes = {c.code for c in DEFAULT_CATEGORIES}
    used = [c for g in GROUPS for c in g.categories]
    assert set(used) <= codes and len(used) == len(set(used))
    assert GROUP_BY_CODE["vandalism"].categories == ("skadegorelse", "klotter")
    assert get_args(GroupCode) == tuple(GROUP_BY_CODE)  # the API's choices are the groups
    with pytest.raises(GeoServiceError) as error:
        get_group("pickpocketing")
    assert error.value.code == "unknown_group"


def test_time_bands_read_as_whole_days() -> None:
    assert [day_band(a, b) for a, b in [(0, 7), (7, 14), (14, 28), (28, 56)]] == [
        "0–7",
        "8–14",
        "15–28",
        "29–56",
    ]


def test_the_cache_keeps_results_per_key_drops_the_oldest_and_never_stores_errors() -> None:
    cache.clear()
    calls: list[str] = []

    def compute(name: str) -> str:
        calls.append(name)
        return name.upper()

    assert cache.cached(("a", 1), lambda: compute("a")) == "A"
    assert cache.cached(("a", 1), lambda: compute("again")) == "A"
    assert cache.cached(("a", 2), lambda: compute("b")) == "B"  # a new data version
    assert calls == ["a", "b"]
    with pytest.raises(ValueError):
        cache.cached("bad", lambda: int("x"))
    assert cache.cached("bad", lambda: "fine") == "fine"
    for i in range(cache.MAX_ENTRIES):
        cache.cached(("fill", i), lambda: None)
    assert cache.cached(("a", 1), lambda: compute("recomputed")) == "RECOMPUTED"
    cache.clear()
