"""The rolling-origin backtest: PAI and PEI* by hand, no look-ahead, every method sane."""

import h3
import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KernelDensity

from geo_service.analysis.cells import cells_to_int
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.evaluate import (
    EHSA_ORDER,
    METHODS,
    backtest,
    flag_count,
    pai,
    pei_star,
    prospective_scores,
    rank_cells,
    ring_weights,
)
from geo_service.analysis.kde import choose_bandwidth, kernel_density
from geo_service.analysis.periods import period_start

ANCHOR = "2024-01-01"
CENTRE = h3.latlng_to_cell(55.605, 13.0, 9)  # Malmö


def _events_in(cells_and_periods: list[tuple[str, int, int]], days: int = 7) -> pd.DataFrame:
    """`count` events in `cell` at noon on the first day of period `period`."""
    rows = []
    for cell, period, count in cells_and_periods:
        start = period_start(period, ANCHOR, days) + pd.Timedelta(hours=12)
        rows += [{"occurred_at": start.tz_convert("UTC"), "cell": cell}] * count
    return pd.DataFrame(rows)


def _synthetic(n_periods: int = 30, seed: int = 0, ring: int = 8) -> tuple[pd.DataFrame, list]:
    """Events on a small area: stable hot spots, a few emerging ones, a Poisson background."""
    rng = np.random.default_rng(seed)
    cells = sorted(h3.grid_disk(CENTRE, ring))
    base = rng.gamma(0.5, 0.3, len(cells))
    hot = rng.choice(len(cells), 6, replace=False)
    base[hot] += 2.0
    rate = np.repeat(base[:, None], n_periods, axis=1)
    rate[hot[:2], n_periods // 2 :] *= 3  # two hot spots grow in the second half
    counts = rng.poisson(rate)
    cell_idx, step = np.nonzero(counts)
    reps = counts[cell_idx, step]
    cell_idx, step = np.repeat(cell_idx, reps), np.repeat(step, reps)
    starts = period_start(step, ANCHOR, 14).tz_convert("UTC")
    times = starts + pd.to_timedelta(rng.uniform(0, 13 * 86400, len(step)), unit="s")
    lat, lon = np.array([h3.cell_to_latlng(c) for c in cells]).T
    events = pd.DataFrame(
        {
            "occurred_at": times,
            "lat": lat[cell_idx] + rng.normal(0, 0.0004, len(step)),
            "lon": lon[cell_idx] + rng.normal(0, 0.0007, len(step)),
        }
    )
    return events, cells


def test_pai_and_pei_star_are_the_hand_worked_values():
    # 19 study cells (grid_disk(A, 2)), periods of 7 days; periods 0–2 train, period 3 is scored.
    a, b, c, d = sorted(h3.grid_disk(CENTRE, 1))[:4]
    events = _events_in(
        [(a, 0, 5), (a, 2, 1), (b, 2, 3), (c, 2, 1), (a, 3, 2), (b, 3, 4), (d, 3, 6)]
    )
    result = backtest(
        events,
        methods=("counts_last", "counts_longrun"),
        coverage=(0.1, 0.2),
        origins=1,
        period="7D",
        anchor=ANCHOR,
        end=period_start(4, ANCHOR, 7),
        study_cells=sorted(h3.grid_disk(CENTRE, 2)),
    )
    got = result.table.set_index(["method", "coverage"])
    # Period 3 has N = 2 + 4 + 6 = 12 events in A = 19 cells.
    # 10%: a = ⌊1.9⌋ = 1 cell; the best single cell is D with n* = 6.
    #   long-run counts A 6, B 3, C 1 → flag A: n = 2, PAI = (2/12)/(1/19) = 19/6, PEI* = 2/6.
    #   last period A 1, B 3, C 1 → flag B: n = 4, PAI = (4/12)/(1/19) = 19/3, PEI* = 4/6.
    # 20%: a = ⌊3.8⌋ = 3 cells; the best three are D, B, A with n* = 12.
    #   both flag A, B and C: n = 2 + 4 + 0 = 6, PAI = (6/12)/(3/19) = 19/6, PEI* = 6/12.
    expected = {
        ("counts_longrun", 0.1): (2, 1, 19 / 6, 2 / 6),
        ("counts_last", 0.1): (4, 1, 19 / 3, 4 / 6),
        ("counts_longrun", 0.2): (6, 3, 19 / 6, 6 / 12),
        ("counts_last", 0.2): (6, 3, 19 / 6, 6 / 12),
    }
    for key, (hits, flagged, pai_value, pei_value) in expected.items():
        row = got.loc[key]
        assert (row.hits, row.cells_flagged, row.events) == (hits, flagged, 12)
        assert row.pai == pytest.approx(pai_value)
        assert row.pei_star == pytest.approx(pei_value)
    assert got.loc[("counts_last", 0.1), "flagged"] == [b]
    assert pai(0, 0, 1, 19) != pai(0, 0, 1, 19)  # no events: NaN
    assert pei_star(3, 0) != pei_star(3, 0)


def test_flagged_share_never_exceeds_the_coverage_and_is_at_least_one_cell():
    assert flag_count(0.05, 1000) == 50
    assert flag_count(0.10, 19) == 1
    assert flag_count(0.05, 10) == 1


def test_rolling_origin_never_sees_the_period_it_predicts():
    events, cells = _synthetic(n_periods=20, seed=3)
    end = period_start(20, ANCHOR, 14)
    options = {"origins": 3, "anchor": ANCHOR, "end": end, "study_cells": cells, "seed": 1}
    before = backtest(events, **options)
    # 400 extra events only in the last period, piled into the cells least active before it.
    quiet = pd.Series(cells).sample(20, random_state=0).tolist()
    planted = _events_in([(cell, 19, 20) for cell in quiet], days=14)
    lat, lon = np.array([h3.cell_to_latlng(c) for c in planted["cell"]]).T
    planted = planted.drop(columns="cell").assign(lat=lat, lon=lon)
    after = backtest(pd.concat([events, planted], ignore_index=True), **options)
    keys = ["method", "coverage", "origin"]
    a, b = before.table.set_index(keys), after.table.set_index(keys)
    assert a["flagged"].equals(b["flagged"])  # every ranking, at every origin, is unchanged
    last = a.index.get_level_values("origin") == a.index.get_level_values("origin").max()
    assert (b.loc[last, "events"] == a.loc[last, "events"] + 400).all()  # and they are scored
    assert a.loc[~last].drop(columns="flagged").equals(b.loc[~last].drop(columns="flagged"))


def test_every_method_runs_and_beats_chance_on_persistent_hot_spots():
    events, cells = _synthetic(n_periods=30, seed=5)
    result = backtest(events, origins=4, period="14D", anchor=ANCHOR, seed=2)
    table, summary = result.table, result.summary
    assert set(table["method"]) == set(METHODS)
    assert len(table) == len(METHODS) * 2 * 4
    assert (table["hits"] <= table["best_hits"]).all()
    assert (table["best_hits"] <= table["events"]).all()
    assert table["pei_star"].between(0, 1).all()
    n_cells = result.params["n_cells"]
    assert set(table["cells_flagged"]) == {flag_count(0.05, n_cells), flag_count(0.10, n_cells)}
    assert (table["flagged"].map(len) == table["cells_flagged"]).all()
    assert len(summary) == len(METHODS) * 2
    assert (summary["pai_low"] <= summary["pai"]).all()
    assert (summary["pai"] <= summary["pai_high"]).all()
    # Stable hot spots make every method far better than flagging cells at random (PAI 1).
    assert (summary["pai"] > 2).all()
    assert len(result.bandwidths_m) == 4


def test_ranking_uses_the_first_key_then_the_next_then_the_seeded_order():
    category = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    z = np.array([9.0, 1.0, 2.0, 5.0, 2.0])
    tiebreak = np.array([4, 3, 2, 1, 0])
    assert rank_cells([category, z], tiebreak).tolist() == [4, 2, 1, 3, 0]
    assert rank_cells([np.zeros(5)], tiebreak).tolist() == [4, 3, 2, 1, 0]


def test_ehsa_order_puts_every_hot_category_before_no_pattern_and_cold_last():
    position = {name: i for i, name in enumerate(EHSA_ORDER)}
    hot = [name for name in EHSA_ORDER if name.endswith("_hot")]
    cold = [name for name in EHSA_ORDER if name.endswith("_cold")]
    assert len(hot) == 8 and len(cold) == 8
    assert max(position[n] for n in hot) < position["no_pattern"] < min(position[n] for n in cold)
    assert EHSA_ORDER[:4] == ("persistent_hot", "intensifying_hot", "new_hot", "consecutive_hot")


def test_prospective_scores_are_the_hand_worked_weights():
    ring = sorted(h3.grid_disk(CENTRE, 2))
    cells = np.sort(cells_to_int(ring))
    centre = int(np.searchsorted(cells, cells_to_int([CENTRE])[0]))
    near = int(np.searchsorted(cells, cells_to_int([h3.grid_ring(CENTRE, 1)[0]])[0]))
    far = int(np.searchsorted(cells, cells_to_int([h3.grid_ring(CENTRE, 2)[0]])[0]))
    weights = ring_weights(cells, 2)
    # One event in the centre last week (w = 0) and one in the centre three weeks ago (w = 2);
    # an event nine weeks ago falls outside the eight weeks.
    scores = prospective_scores(np.array([centre, centre, centre]), np.array([0, 2, 9]), weights, 8)
    assert scores[centre] == pytest.approx(1 + 1 / 3)  # d = 0: 1·1 + 1·1/3
    assert scores[near] == pytest.approx((1 + 1 / 3) / 2)  # d = 1: halved
    assert scores[far] == pytest.approx((1 + 1 / 3) / 3)  # d = 2: a third


def test_binned_kernel_density_matches_scikit_learn():
    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 8000, (20, 2))
    xy = centres[rng.integers(0, 20, 4000)] + rng.normal(0, 250, (4000, 2))
    at = rng.uniform(0, 8000, (1500, 2))
    for bandwidth in (100.0, 300.0):
        ours = kernel_density(xy, at, bandwidth)
        theirs = np.exp(KernelDensity(bandwidth=bandwidth).fit(xy).score_samples(at))
        dense = theirs > np.quantile(theirs, 0.8)
        assert np.abs(ours[dense] / theirs[dense] - 1).max() < 0.02
        assert np.abs(ours - theirs).max() < 0.01 * theirs.max()


def test_cross_validation_picks_a_narrow_bandwidth_for_tight_clusters_and_wide_for_spread():
    rng = np.random.default_rng(1)
    centres = rng.uniform(0, 20000, (30, 2))
    tight = centres[rng.integers(0, 30, 3000)] + rng.normal(0, 40, (3000, 2))
    spread = rng.uniform(0, 20000, (3000, 2))
    candidates = [50, 200, 800, 3200]
    assert choose_bandwidth(tight, candidates, seed=0) == 50
    assert choose_bandwidth(spread, candidates, seed=0) >= 800


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"methods": ("counts_last", "crystal_ball")}, "invalid_methods"),
        ({"coverage": (0.0,)}, "invalid_coverage"),
        ({"coverage": (1.5,)}, "invalid_coverage"),
        ({"origins": 0}, "invalid_origins"),
        ({"origins": 40}, "too_few_periods"),
    ],
)
def test_invalid_parameters_raise_domain_errors(kwargs, code):
    events, _ = _synthetic(n_periods=10, seed=0, ring=3)
    with pytest.raises(AnalysisError) as err:
        backtest(events, **kwargs)
    assert err.value.code == code
