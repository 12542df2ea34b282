"""Detection at a small municipality's scale: the calibrated trend, confirmation by the scan,
self-calibration and resolution="auto", on simulated data where we know the truth.

Stationary data (nothing changing in time) must show change labels at about the nominal rate;
a small planted emergence must be found. The Esri-style z-series trend is shown to fail the
same calibration check, which is why it is not the default.
"""

import h3
import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from geo_service.analysis import emerging_hotspots
from geo_service.analysis.calibration import (
    AUTO_LIMIT,
    cube_events,
    permuted_cubes,
    uncertain_labels,
)
from tests.unit.simulation import ANCHOR, END, planted_spot, stationary_events, study_cells

CHANGE = ["intensifying_hot", "diminishing_hot", "intensifying_cold", "diminishing_cold"]
FAST_SCAN = {"replicates": 99}
AREA = study_cells()


def _run(events: pd.DataFrame, **options):
    return emerging_hotspots(
        events, anchor=ANCHOR, end=END, study_cells=AREA, scan_options=FAST_SCAN,
        **({"calibration_runs": 0} | options),
    )  # fmt: skip


def _has_calibrated_change(result) -> bool:
    cells = result.cells
    return bool((cells.category.isin(CHANGE) | cells.confirmed).any())


def test_stationary_data_show_calibrated_change_labels_at_about_the_nominal_rate():
    runs = 80
    flagged = sum(_has_calibrated_change(_run(stationary_events(seed))) for seed in range(runs))
    # nominal: 5% trend labels + about 2% confirmed new/consecutive; allow the binomial 99th
    # percentile of 7% over 80 runs
    assert flagged <= binom.ppf(0.99, runs, 0.07)


def test_the_z_series_trend_is_miscalibrated_on_the_same_data():
    runs = 10
    flagged = sum(
        _run(stationary_events(seed), trend="z", confirm=False).cells.category.isin(CHANGE).any()
        for seed in range(runs)
    )
    assert flagged >= 8  # most null runs show intensifying or diminishing cells


def test_a_small_planted_emergence_is_confirmed_in_most_runs():
    runs, confirmed, near = 20, 0, 0
    spot = (1500.0, -1200.0)
    for seed in range(runs):
        events = pd.concat([stationary_events(100 + seed), planted_spot(seed, *spot)])
        result = _run(events)
        cells = result.cells[result.cells.confirmed]
        confirmed += not cells.empty
        if not cells.empty:
            lat, lon = np.transpose([h3.cell_to_latlng(c) for c in cells.cell])
            spot_lat = 56.133 + spot[1] / 111_320
            spot_lon = 13.383 + spot[0] / (111_320 * np.cos(np.radians(56.133)))
            near += bool(np.any(np.hypot(lat - spot_lat, (lon - spot_lon) * 0.558) < 0.006))
    assert confirmed >= 0.5 * runs  # measured: 70%
    assert near == confirmed  # a confirmed cell lies within ~650 m of the planted spot


def test_confirmed_labels_are_new_or_consecutive_hot_in_a_scan_alarm():
    events = pd.concat([stationary_events(7), planted_spot(7, 1500, -1200, per_step=4)])
    result = _run(events)
    cells = result.cells.set_index("cell")
    alarm = result.scan.clusters[result.scan.clusters.alarm]
    assert not cells[cells.confirmed].empty
    for cell in cells.index[cells.confirmed]:  # within some alarm circle, measured on the sphere
        distance = [
            h3.great_circle_distance(h3.cell_to_latlng(cell), h3.cell_to_latlng(c), unit="m")
            for c in alarm.center
        ]
        assert min(d - r for d, r in zip(distance, alarm.radius_m, strict=True)) <= 5
    assert cells[cells.confirmed].category.isin(["new_hot", "consecutive_hot"]).all()
    assert not cells.loc[cells.confirmed, "uncertain"].any()


def test_unconfirmed_new_and_consecutive_labels_and_all_cold_ones_are_uncertain():
    category = np.array(["new_hot", "new_hot", "consecutive_cold", "persistent_hot", "new_cold"])
    confirmed = np.array([True, False, False, False, False])
    assert uncertain_labels(category, confirmed).tolist() == [False, True, True, False, True]


def test_time_permutations_keep_every_cell_and_period_total():
    rng = np.random.default_rng(3)
    events = rng.poisson(0.4, size=(30, 12)).astype(float)
    values = events * 2.5  # harm-weighted: each event's weight is its bin's mean
    rows, steps, weights = cube_events(values, events)
    for perm_values, perm_events in permuted_cubes(rows, steps, weights, events.shape, 5, seed=1):
        np.testing.assert_array_equal(perm_events.sum(axis=1), events.sum(axis=1))
        np.testing.assert_array_equal(perm_events.sum(axis=0), events.sum(axis=0))
        np.testing.assert_allclose(perm_values, perm_events * 2.5)
        assert (perm_events != events).any()


def test_a_run_measures_its_own_false_alarms_and_stores_them():
    result = _run(stationary_events(11), calibration_runs=19)
    calibration = result.calibration
    assert calibration["runs"] == 19 and calibration["seed"] == 0
    assert set(calibration["mean_cells"]) >= {"new_hot", "confirmed_new_hot", "intensifying_hot"}
    assert 0 <= calibration["false_change_labels_per_run"] < 0.25
    assert calibration["mean_cells"]["persistent_hot"] > 0  # the spatial pattern is kept
    again = _run(stationary_events(11), calibration_runs=19)
    assert again.calibration == calibration  # seeded


def test_warnings_come_from_the_measured_rate_and_only_when_it_matters():
    quiet = _run(stationary_events(12), resolution=8, calibration_runs=19)
    assert quiet.calibration["false_change_labels_per_run"] < 0.1
    assert not [w for w in quiet.warnings if w["code"] == "chance_change_labels"]
    loud = _run(stationary_events(12), trend="z", calibration_runs=19)
    rate = loud.calibration["false_change_labels_per_run"]
    assert rate >= 0.1
    (warning,) = [w for w in loud.warnings if w["code"] == "chance_change_labels"]
    assert "slump" in warning["message_sv"] and "chance" in warning["message_en"]
    per_run = f"{rate:.1f}" if rate >= 1 else f"every {max(round(1 / rate), 2)} runs"
    assert per_run in warning["message_en"]
    assert not [w for w in loud.warnings if w["code"] == "sparse_data"]


@pytest.mark.parametrize("seed", [21])
def test_resolution_auto_keeps_the_finest_reliable_resolution_and_says_why(seed):
    result = _run(stationary_events(seed), resolution="auto", calibration_runs=19)
    choice = result.params["resolution_choice"]
    tried = {int(r): rate for r, rate in choice["false_change_labels_per_run"].items()}
    chosen = choice["resolution"]
    assert result.params["resolution"] == chosen
    assert tried[chosen] < AUTO_LIMIT or chosen == 7
    assert all(rate >= AUTO_LIMIT for r, rate in tried.items() if r > chosen)
    assert h3.get_resolution(result.cells.cell.iloc[0]) == chosen


def test_resolution_auto_falls_back_to_the_coarsest_when_no_resolution_is_reliable():
    result = _run(stationary_events(22), resolution="auto", calibration_runs=9, trend="z")
    choice = result.params["resolution_choice"]
    assert choice["resolution"] == 7 == result.params["resolution"]
    assert set(choice["false_change_labels_per_run"]) == {"10", "9", "8", "7"}
