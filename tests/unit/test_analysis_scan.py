"""The prospective space-time permutation scan: hand-worked LLR, a plain per-cylinder reference,
calibration when nothing changes and power for a small emerging spot."""

import datetime as dt
import json
from math import log

import h3
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo_service.analysis import scan as scan_module
from geo_service.analysis.circles import cell_centroids_xy
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.periods import period_start
from geo_service.analysis.scan import (
    CLUSTER_COLUMNS,
    space_time_scan,
    space_time_scan_from_counts,
)
from tests.unit.simulation import (
    END,
    LAT0,
    LON0,
    M_PER_DEG_LAT,
    M_PER_DEG_LON,
    planted_spot,
    stationary_events,
)

ANCHOR = dt.date(2024, 1, 1)
DAYS = 14


def _counts(cells: list[str], cube: np.ndarray) -> pd.DataFrame:
    rows, steps = np.nonzero(cube)
    return pd.DataFrame(
        {"cell": np.array(cells)[rows], "period": steps, "events": cube[rows, steps]}
    )


def _starts(n: int) -> pd.DatetimeIndex:
    return period_start(np.arange(n), ANCHOR, DAYS)


# --- a cube small enough to work by hand ------------------------------------------------------

A = h3.latlng_to_cell(56.133, 13.383, 9)
B = sorted(h3.grid_ring(A, 1))[0]  # a neighbour, about 330 m away
FAR = sorted(h3.grid_ring(A, 10))[0]  # about 3 km away
HAND_CELLS = [A, B, FAR]
HAND_CUBE = np.array(
    [
        [1, 1, 0, 4],  # A: 6 events, 4 in the last period
        [1, 0, 1, 2],  # B: 4 events
        [2, 3, 2, 1],  # FAR: 8 events
    ]
)  # period totals 4, 4, 3, 7; C = 18


def _hand_scan(max_share: float):
    return space_time_scan_from_counts(
        _counts(HAND_CELLS, HAND_CUBE),
        HAND_CELLS,
        _starts(4),
        max_radius_m=500,
        max_share=max_share,
        max_steps=2,
        replicates=99,
        report_p=1.0,
    )


def test_llr_of_the_most_likely_cluster_equals_the_hand_worked_value():
    # Circles within 500 m: {A}, {A, B}, {B}, {B, A}, {FAR}; windows: the last 1 or 2 periods.
    # {A, B} over the last period: c = 4 + 2 = 6, n_circle = 10, n_last = 7,
    #   μ = 10 · 7 / 18 = 35/9 ≈ 3.889,
    #   LLR = 6 ln(6 / (35/9)) + 12 ln(12 / (18 − 35/9)) = 6 ln(54/35) + 12 ln(108/127) ≈ 0.6571.
    # The others: {A} last period c = 4, μ = 6·7/18 = 7/3, LLR = 4 ln(12/7) + 14 ln(42/47) ≈ 0.5813;
    # {A, B} last two: c = 7, μ = 10·10/18, LLR ≈ 0.2606; {B} last two ≈ 0.1420; {FAR}: c ≤ μ → 0.
    result = _hand_scan(max_share=0.6)
    top = result.clusters.iloc[0]
    assert top.llr == pytest.approx(6 * log(54 / 35) + 12 * log(108 / 127), abs=1e-9)
    assert sorted(top.cells) == sorted([A, B])
    assert (top.steps, top.observed) == (1, 6)
    assert top.expected == pytest.approx(35 / 9, abs=1e-12)
    assert top.ratio == pytest.approx(6 / (35 / 9), abs=1e-12)
    assert top.start == _starts(4)[3]
    assert top.end == period_start(4, ANCHOR, DAYS)
    metres = h3.great_circle_distance(h3.cell_to_latlng(A), h3.cell_to_latlng(B), unit="m")
    assert top.radius_m == pytest.approx(metres, rel=0.005)  # h3 measures on a sphere
    # FAR shares no cell with {A, B} but has no excess: no secondary cluster
    assert len(result.clusters) == 1


def test_a_circle_over_max_share_of_all_events_is_not_a_cluster():
    # max_share 0.5 → at most 9 events: {A, B} (10) is out, {A} over the last period wins:
    # c = 4, μ = 6 · 7 / 18 = 7/3, LLR = 4 ln(4 / (7/3)) + 14 ln(14 / (18 − 7/3)) = 4 ln(12/7) +
    # 14 ln(42/47) ≈ 0.5813. Its secondary: {B} over the last two periods (c = 3, μ = 4·10/18)
    # overlaps nothing reported and has LLR = 3 ln(3/(20/9)) + 15 ln(15/(18 − 20/9)) ≈ 0.1420.
    result = _hand_scan(max_share=0.5)
    top, second = result.clusters.iloc[0], result.clusters.iloc[1]
    assert top.cells == [A] and top.steps == 1 and top.observed == 4
    assert top.llr == pytest.approx(4 * log(12 / 7) + 14 * log(42 / 47), abs=1e-9)
    assert second.cells == [B] and second.steps == 2 and second.observed == 3
    assert second.llr == pytest.approx(3 * log(27 / 20) + 15 * log(135 / 142), abs=1e-9)
    assert second.p >= top.p


def test_clusters_have_the_documented_columns_and_params_are_json():
    result = _hand_scan(max_share=0.6)
    assert list(result.clusters.columns) == CLUSTER_COLUMNS
    assert result.clusters.cluster.tolist() == list(range(1, len(result.clusters) + 1))
    json.dumps(result.params)
    assert result.params["max_steps"] == 2 and result.params["replicates"] == 99
    assert len(result.null_max) == 99
    nothing = space_time_scan_from_counts(  # p is at least 1/10 here: nothing to report
        _counts(HAND_CELLS, HAND_CUBE), HAND_CELLS, _starts(4), replicates=9, report_p=0.05
    )
    assert nothing.clusters.empty and list(nothing.clusters.columns) == CLUSTER_COLUMNS
    assert nothing.clusters.dtypes.to_dict() == result.clusters.dtypes.to_dict()


# --- a plain reference: every cylinder, one at a time -----------------------------------------


def plain_cylinders(cube, cells, max_radius_m, max_share, max_steps):
    """(llr, steps, circle cells, centre, observed, expected) of every cylinder, plainly."""
    xy = cell_centroids_xy(np.array([int(c, 16) for c in cells]))
    total = cube.sum()
    n_cells, n_periods = cube.shape
    out = []
    for centre in range(n_cells):
        dist = np.sqrt(((xy - xy[centre]) ** 2).sum(axis=1))
        order = [j for j in np.lexsort((np.arange(n_cells), dist)) if dist[j] <= max_radius_m]
        members = []
        for j in order:
            members.append(j)
            in_circle = sum(cube[z].sum() for z in members)
            if in_circle > max_share * total:
                break
            for steps in range(1, max_steps + 1):
                window = range(n_periods - steps, n_periods)
                c = sum(cube[z, d] for z in members for d in window)
                mu = sum(cube[z].sum() * cube[:, d].sum() for z in members for d in window) / total
                llr = 0.0
                if c > mu and c >= 2:
                    llr = c * log(c / mu)
                    if c < total:
                        llr += (total - c) * log((total - c) / (total - mu))
                out.append((llr, steps, list(members), centre, c, mu))
    return out


def plain_clusters(cylinders, max_clusters=10):
    """Best first (ties: fewer steps, fewer cells, centre order), no shared cells."""
    ranked = sorted(cylinders, key=lambda r: (-round(r[0], 9), r[1], len(r[2]), r[3]))
    chosen, used = [], set()
    for cyl in ranked:
        if cyl[0] <= 0 or len(chosen) == max_clusters:
            break
        if used.isdisjoint(cyl[2]):
            chosen.append(cyl)
            used.update(cyl[2])
    return chosen


def plain_null(cube, cells, replicates, seed, **options):
    """Replicate maxima from shuffling the events' periods (each keeps its cell)."""
    rng = np.random.default_rng(seed)
    rows, steps = np.nonzero(cube)
    cell_of = np.repeat(rows, cube[rows, steps])
    step_of = np.repeat(steps, cube[rows, steps])
    maxima = []
    for _ in range(replicates):
        shuffled = np.zeros_like(cube)
        np.add.at(shuffled, (cell_of, rng.permutation(step_of)), 1)
        maxima.append(max(r[0] for r in plain_cylinders(shuffled, cells, **options)))
    return np.array(maxima)


@pytest.fixture(scope="module")
def random_cube():
    rng = np.random.default_rng(7)
    cells = sorted(h3.grid_disk(A, 2))  # 19 cells
    rates = rng.gamma(1.0, 0.6, len(cells))[:, None] * np.ones(10)
    rates[:3, -2:] *= 4  # something to find
    return cells, rng.poisson(rates)


def test_vectorised_scan_equals_a_plain_loop_over_every_cylinder(random_cube):
    cells, cube = random_cube
    options = {"max_radius_m": 700, "max_share": 0.5, "max_steps": 3}
    result = space_time_scan_from_counts(
        _counts(cells, cube), cells, _starts(10), replicates=199, seed=3, report_p=1.0, **options
    )
    reference = plain_clusters(plain_cylinders(cube, cells, **options))
    assert len(result.clusters) == len(reference)
    for (_, row), (llr, steps, members, centre, c, mu) in zip(
        result.clusters.iterrows(), reference, strict=True
    ):
        assert row.llr == pytest.approx(llr, abs=1e-9)
        assert (row.steps, row.observed, row.center) == (steps, c, cells[centre])
        assert row.cells == [cells[j] for j in members]
        assert row.expected == pytest.approx(mu, abs=1e-9)

    null = plain_null(cube, cells, 199, seed=11, **options)
    assert stats.ks_2samp(result.null_max, null).pvalue > 0.01
    p_plain = (1 + (null >= reference[0][0]).sum()) / 200
    tolerance = 4 * np.sqrt(p_plain * (1 - p_plain) / 200) + 0.01  # Monte Carlo error
    assert abs(result.clusters.p.iloc[0] - p_plain) < tolerance


def test_replicate_maxima_are_exact_despite_skipping_weak_cylinders(random_cube, monkeypatch):
    cells, cube = random_cube
    args = (_counts(cells, cube), cells, _starts(10))
    with monkeypatch.context() as patch:
        patch.setattr(scan_module, "PILOT_REPLICATES", 10_000)  # every replicate in full
        full = space_time_scan_from_counts(*args, replicates=300, seed=5, max_steps=3)
    assert full.params["replicates_in_full"] == 300
    monkeypatch.setattr(scan_module, "BATCH_ELEMENTS", 1)  # one replicate per batch
    monkeypatch.setattr(scan_module, "BLOCK_ELEMENTS", 1)  # centres in blocks of 4
    monkeypatch.setattr(scan_module, "MIN_BLOCK_CENTRES", 4)
    fast = space_time_scan_from_counts(*args, replicates=300, seed=5, max_steps=3)
    assert fast.params["replicates_in_full"] < 30
    np.testing.assert_array_equal(fast.null_max, full.null_max)


def test_the_same_seed_gives_the_same_result_and_null_max_can_be_reused(random_cube):
    cells, cube = random_cube
    args = (_counts(cells, cube), cells, _starts(10))
    first = space_time_scan_from_counts(*args, replicates=99, seed=1)
    again = space_time_scan_from_counts(*args, replicates=99, seed=1)
    other = space_time_scan_from_counts(*args, replicates=99, seed=2)
    np.testing.assert_array_equal(first.null_max, again.null_max)
    pd.testing.assert_frame_equal(first.clusters, again.clusters)
    assert not np.array_equal(first.null_max, other.null_max)
    assert (first.clusters.p <= 0.5).all()  # the default reporting cut
    reused = space_time_scan_from_counts(*args, null_max=first.null_max)
    pd.testing.assert_frame_equal(reused.clusters, first.clusters)
    assert reused.params["null_reused"] and reused.params["replicates"] == 99


def test_events_and_counts_give_the_same_scan(random_cube):
    cells, cube = random_cube
    rows, steps = np.nonzero(cube)
    reps = cube[rows, steps]
    starts = _starts(10)
    events = pd.DataFrame(
        {
            "occurred_at": starts[np.repeat(steps, reps)] + pd.Timedelta(hours=12),
            "cell": np.repeat(np.array(cells)[rows], reps),
        }
    )
    end = period_start(10, ANCHOR, DAYS)
    from_events = space_time_scan(events, anchor=ANCHOR, end=end, replicates=49, max_steps=3)
    from_counts = space_time_scan_from_counts(
        _counts(cells, cube), None, starts, replicates=49, max_steps=3
    )
    pd.testing.assert_frame_equal(from_events.clusters, from_counts.clusters)
    assert from_events.params["period"] == "14D" and from_events.params["end"] == end.isoformat()


def test_circles_grow_by_distance_on_the_ground():
    ring = sorted(h3.grid_ring(A, 2))
    cells = [A, *ring]
    xy = cell_centroids_xy(np.array([int(c, 16) for c in cells]))
    projected = np.hypot(*(xy[1:] - xy[0]).T)
    centre = h3.cell_to_latlng(A)
    great_circle = [h3.great_circle_distance(centre, h3.cell_to_latlng(c)) for c in ring]
    # h3 measures on a sphere; on the ellipsoid at 56° N distances are about 0.3 % longer
    np.testing.assert_allclose(projected, np.array(great_circle) * 1000, rtol=0.005)


# --- calibration and power at a small municipality's scale ------------------------------------


def test_alarms_are_rare_when_nothing_changes():
    runs = 100
    alarms = sum(
        bool(
            space_time_scan(
                stationary_events(seed), anchor=ANCHOR, end=END, replicates=99, seed=seed
            ).clusters.alarm.any()
        )
        for seed in range(runs)
    )
    # the alarm cut p ≤ 14/365 with 99 replicates is p ≤ 0.03: 3 % of runs in expectation;
    # 10 or more of 100 would have probability < 0.03 even at a true rate of 5 %
    assert alarms <= 9


def test_a_small_emerging_spot_raises_an_alarm_in_most_runs():
    east, north = 2500.0, -2000.0  # in the background, away from the dense centres
    spot = h3.latlng_to_cell(LAT0 + north / M_PER_DEG_LAT, LON0 + east / M_PER_DEG_LON, 9)
    found = 0
    for seed in range(20):
        events = pd.concat([stationary_events(seed), planted_spot(seed, east, north)])
        result = space_time_scan(events, anchor=ANCHOR, end=END, replicates=99, seed=seed)
        alarm = result.clusters[result.clusters.alarm]
        found += bool(len(alarm)) and spot in alarm.cells.iloc[0]
    assert found >= 16


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "code"),
    [
        ("max_radius_m", -1, "invalid_radius"),
        ("max_radius_m", float("nan"), "invalid_radius"),
        ("max_share", 0, "invalid_max_share"),
        ("max_share", 1.5, "invalid_max_share"),
        ("max_steps", 0, "invalid_max_steps"),
        ("max_steps", 5, "invalid_max_steps"),  # more than the 4 periods
        ("replicates", 0, "invalid_replicates"),
        ("replicates", 2.5, "invalid_replicates"),
        ("seed", "x", "invalid_seed"),
        ("alarm_days", 0, "invalid_alarm_days"),
        ("max_clusters", 0, "invalid_max_clusters"),
        ("report_p", 0, "invalid_report_p"),
        ("null_max", [], "invalid_null_max"),
        ("period_days", 0, "invalid_period_days"),
    ],
)
def test_bad_parameters_raise_errors_with_stable_codes(option, value, code):
    with pytest.raises(AnalysisError) as err:
        space_time_scan_from_counts(
            _counts(HAND_CELLS, HAND_CUBE), HAND_CELLS, _starts(4), **{option: value}
        )
    assert err.value.code == code


def test_bad_counts_raise_errors_with_stable_codes():
    counts = _counts(HAND_CELLS, HAND_CUBE)
    for bad, code in [
        (counts.assign(events=counts.events + 0.5), "invalid_counts"),
        (counts.assign(events=-counts.events), "invalid_counts"),
        (counts.drop(columns="period"), "invalid_counts"),
        (counts.assign(cell="not a cell"), "invalid_cell"),
        (counts.iloc[:0], "no_events"),
    ]:
        with pytest.raises(AnalysisError) as err:
            space_time_scan_from_counts(bad, HAND_CELLS, _starts(4))
        assert err.value.code == code
    with pytest.raises(AnalysisError) as err:
        space_time_scan_from_counts(counts, HAND_CELLS, _starts(2))
    assert err.value.code == "too_few_periods"
    with pytest.raises(AnalysisError) as err:
        space_time_scan_from_counts(counts, HAND_CELLS, _starts(4), resolution=8)
    assert err.value.code == "resolution_mismatch"
