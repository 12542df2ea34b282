"""Emerging hot spots end to end on synthetic events with planted patterns."""

import datetime as dt
import json

import h3
import numpy as np
import pandas as pd
import pytest

from geo_service.analysis import (
    AnalysisError,
    emerging_hotspots,
    emerging_hotspots_from_counts,
    period_start,
)
from geo_service.api.problems import http_status
from geo_service.errors import GeoServiceError

ANCHOR = dt.date(2024, 1, 1)
DAYS = 14
STEPS = 26
END = ANCHOR + dt.timedelta(days=DAYS * STEPS)
CENTRE = h3.latlng_to_cell(55.705, 13.19, 9)  # Lund
AREA = h3.grid_disk(CENTRE, 10)
RING = h3.grid_ring(CENTRE, 6)
GROWING = RING[0]  # a cluster hot all along, growing
EMERGING = RING[len(RING) // 2]  # a cluster that appears in the last period only


def _events_from_rates(rates: dict[str, np.ndarray], seed: int = 3) -> pd.DataFrame:
    """Poisson events per (cell, period) at the given rates, at cell centres, random times."""
    rng = np.random.default_rng(seed)
    cells = list(rates)
    counts = rng.poisson(np.vstack([rates[c] for c in cells]))
    cell_idx, step_idx = np.nonzero(counts)
    reps = counts[cell_idx, step_idx]
    cell_of_event = np.repeat(np.array(cells, dtype=object)[cell_idx], reps)
    step_of_event = np.repeat(step_idx, reps)
    starts = period_start(np.arange(STEPS), ANCHOR, DAYS)
    lengths = (starts[1:] - starts[:-1]).append(pd.Index([pd.Timedelta(days=DAYS)]))
    offset = rng.uniform(0, 1, len(step_of_event)) * lengths[step_of_event].total_seconds()
    times = starts[step_of_event] + pd.to_timedelta(offset, unit="s")
    lat, lon = zip(*(h3.cell_to_latlng(c) for c in cell_of_event), strict=True)
    return pd.DataFrame({"occurred_at": times.tz_convert("UTC"), "lat": lat, "lon": lon})


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    t = np.arange(STEPS)
    rates = {c: np.full(STEPS, 0.3) for c in AREA}
    for c in h3.grid_disk(GROWING, 1):
        rates[c] = 2.0 + 0.5 * t
    for c in h3.grid_disk(EMERGING, 1):
        rates[c] = np.where(t == STEPS - 1, 8.0, 0.3)
    return _events_from_rates(rates)


@pytest.fixture(scope="module")
def result(planted):
    return emerging_hotspots(planted, anchor=ANCHOR, end=END, study_cells=AREA)


def _row(result, cell: str) -> pd.Series:
    return result.cells.set_index("cell").loc[cell]


def test_growing_cluster_is_intensifying_hot(result):
    row = _row(result, GROWING)
    assert row.category == "intensifying_hot"
    assert row.hot_share >= 0.9 and row.trend_tau > 0 and row.trend_p <= 0.05
    assert row.count_trend_tau > 0 and row.count_trend_p < 0.05
    assert row.run_length >= 0.9 * STEPS
    members = result.cells.set_index("cell").loc[h3.grid_disk(GROWING, 1)]
    assert members.category.str.endswith("_hot").all()  # edge members: hot, not all from the start
    assert (members.category == "intensifying_hot").sum() >= 3


def test_emerging_cluster_is_new_hot(result):
    row = _row(result, EMERGING)
    assert row.category == "new_hot"
    assert row.run_length == 1 and row.final_z > 3
    assert row.change_p < 0.001 and row.change_ratio > 5


def test_background_far_from_the_clusters_shows_no_hot_spots(result):
    far = [
        c for c in AREA if h3.grid_distance(c, GROWING) > 2 and h3.grid_distance(c, EMERGING) > 2
    ]
    categories = result.cells.set_index("cell").loc[far].category
    assert (categories.str.endswith("_hot")).mean() < 0.02


def test_result_shape_and_params(result):
    n_cells = len(AREA)
    assert len(result.cells) == n_cells and result.cells.cell.is_unique
    assert len(result.bins) == n_cells * STEPS
    assert result.periods[0].isoformat() == "2024-01-01T00:00:00+01:00"
    assert len(result.periods) == STEPS
    assert result.bins.period_start.iloc[STEPS - 1] == result.periods[-1]
    assert set(result.bins.columns) >= {"cell", "period_start", "value", "z", "p", "hot", "cold"}
    assert not result.bins[["z", "p"]].isna().any().any()
    assert (result.bins.hot & result.bins.cold).sum() == 0
    assert result.params["anchor"] == "2024-01-01" and result.params["n_periods"] == STEPS
    assert result.params["study_area"] == "given"
    json.dumps(result.params), json.dumps(result.sparsity), json.dumps(result.warnings)
    assert result.sparsity["events"] == result.bins.value.sum() > 0


def test_wrapper_equals_core_on_independently_aggregated_counts(planted, result):
    cells = [h3.latlng_to_cell(a, b, 9) for a, b in zip(planted.lat, planted.lon, strict=True)]
    local = planted.occurred_at.dt.tz_convert("Europe/Stockholm")
    days = (local.dt.tz_localize(None).dt.normalize() - pd.Timestamp(ANCHOR)).dt.days
    counts = (
        pd.DataFrame({"cell": cells, "period": days // DAYS})
        .groupby(["cell", "period"])
        .size()
        .rename("value")
        .reset_index()
    )
    starts = [ANCHOR + dt.timedelta(days=DAYS * i) for i in range(STEPS)]
    counts["period_start"] = np.asarray(starts, dtype="datetime64[D]")[counts.period]
    core = emerging_hotspots_from_counts(
        counts[["cell", "period_start", "value"]],
        AREA,
        starts,  # the service's call shape
    )
    np.testing.assert_array_equal(core.bins.value.to_numpy(), result.bins.value.to_numpy())
    np.testing.assert_allclose(core.bins.z.to_numpy(), result.bins.z.to_numpy(), atol=1e-12)
    assert (core.cells.category == result.cells.category).all()


def test_default_study_area_is_event_cells_and_their_ring(planted):
    r = emerging_hotspots(planted, anchor=ANCHOR, end=END, k=1)
    event_cells = {
        h3.latlng_to_cell(a, b, 9) for a, b in zip(planted.lat, planted.lon, strict=True)
    }
    expected = set().union(*(h3.grid_disk(c, 1) for c in event_cells))
    assert set(r.cells.cell) == expected and r.params["study_area"] == "active"


def test_harm_weighted_value(planted):
    weighted = planted.assign(harm=2.5)
    r = emerging_hotspots(weighted, anchor=ANCHOR, end=END, value="harm", study_cells=AREA)
    assert r.bins.value.sum() == pytest.approx(2.5 * len(planted))
    assert r.sparsity["events"] == len(planted)
    # scaling every value by a constant leaves Gi* unchanged
    base = emerging_hotspots(planted, anchor=ANCHOR, end=END, study_cells=AREA)
    np.testing.assert_allclose(r.bins.z, base.bins.z, atol=1e-9)


def test_events_outside_the_study_area_are_reported():
    far_cell = h3.latlng_to_cell(59.33, 18.06, 9)  # Stockholm, not in the Lund area
    events = _events_from_rates({c: np.full(STEPS, 1.0) for c in [*AREA[:20], far_cell]})
    r = emerging_hotspots(events, anchor=ANCHOR, end=END, study_cells=AREA)
    assert any(w["code"] == "outside_study_area" for w in r.warnings)
    assert len(r.bins) == len(AREA) * STEPS  # the empty cells are zeros, not missing


def test_sparse_data_are_measured_but_warned_about_only_through_the_false_alarm_rate():
    rng = np.random.default_rng(0)
    cells = rng.choice(np.array(AREA, dtype=object), 150)
    starts = period_start(rng.integers(0, STEPS, 150), ANCHOR, DAYS)
    events = pd.DataFrame({"occurred_at": starts + pd.Timedelta(hours=12), "cell": cells})
    r = emerging_hotspots(events, anchor=ANCHOR, end=END, study_cells=AREA)
    assert r.sparsity["mean_events_per_bin"] < 0.5 and r.sparsity["nonzero_share"] < 0.5
    chance = [w for w in r.warnings if w["code"] == "chance_change_labels"]
    assert bool(chance) == (r.calibration["false_change_labels_per_run"] >= 0.1)
    assert not [w for w in r.warnings if w["code"] == "sparse_data"]


def test_permutation_p_values_are_seeded_and_find_the_growing_cluster(planted):
    area = h3.grid_disk(GROWING, 3)
    kwargs = dict(anchor=ANCHOR, end=END, study_cells=area, permutations=999)
    a = emerging_hotspots(planted, seed=1, **kwargs)
    b = emerging_hotspots(planted, seed=1, **kwargs)
    c = emerging_hotspots(planted, seed=2, **kwargs)
    np.testing.assert_array_equal(a.bins.p, b.bins.p)
    assert not np.array_equal(a.bins.p, c.bins.p)
    assert a.bins.p.min() >= 1 / 1000 and a.bins.p.max() <= 1
    late = a.bins[(a.bins.cell == GROWING) & (a.bins.period_start >= a.periods[STEPS // 2])]
    assert late.hot.all() and (late.p == 1 / 1000).all()
    assert _row(a, GROWING).category.endswith("_hot")
    assert a.params["permutations"] == 999 and a.params["seed"] == 1
    assert not [w for w in a.warnings if w["code"] == "too_few_permutations"]


def test_too_few_permutations_for_fdr_is_warned(planted):
    r = emerging_hotspots(
        planted, anchor=ANCHOR, end=END, study_cells=AREA, permutations=19, k=0, time_lag=0
    )
    (warning,) = [w for w in r.warnings if w["code"] == "too_few_permutations"]
    assert "0,0500" in warning["message_sv"] and "6619" in warning["message_en"]


def test_constant_cube_is_all_no_pattern():
    starts = period_start(np.arange(STEPS), ANCHOR, DAYS)
    events = pd.DataFrame(
        {"occurred_at": np.repeat(starts, 30), "cell": np.tile(np.array(AREA[:30]), STEPS)}
    )
    r = emerging_hotspots(events, anchor=ANCHOR, end=END, study_cells=AREA[:30], k=1)
    assert (r.bins.z == 0).all() and (r.bins.p == 1).all()
    assert (r.cells.category == "no_pattern").all()


# Bad input


def _small_events(n_days: int = 60) -> pd.DataFrame:
    times = pd.date_range("2024-01-01", periods=n_days, freq="D", tz="UTC")
    return pd.DataFrame({"occurred_at": times, "cell": CENTRE})


def _code(**kwargs) -> str:
    events = kwargs.pop("events", None)
    with pytest.raises(AnalysisError) as err:
        emerging_hotspots(_small_events() if events is None else events, **kwargs)
    assert isinstance(err.value, GeoServiceError) and http_status(err.value) == 400
    return err.value.code


def test_empty_selection():
    empty = _small_events().iloc[:0]
    with pytest.raises(AnalysisError, match="no events for this selection") as err:
        emerging_hotspots(empty)
    assert err.value.code == "no_events"


def test_all_events_after_the_end():
    assert _code(end="2023-06-01") == "no_events"


def test_too_few_periods_names_the_minimum():
    with pytest.raises(AnalysisError, match="at least 3") as err:
        emerging_hotspots(_small_events(n_days=25))  # two 14-day periods
    assert err.value.code == "too_few_periods"
    with pytest.raises(AnalysisError, match="at least 3") as err:
        emerging_hotspots_from_counts(
            pd.DataFrame({"cell": [CENTRE], "period": [0], "value": [1.0]}),
            None,
            [ANCHOR, ANCHOR + dt.timedelta(days=14)],
        )
    assert err.value.code == "too_few_periods"


@pytest.mark.parametrize("resolution", [-1, 16, "9", 9.0, True])
def test_invalid_resolution(resolution):
    assert _code(resolution=resolution) == "invalid_resolution"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"k": -1}, "invalid_k"),
        ({"k": 1.5}, "invalid_k"),
        ({"time_lag": -1}, "invalid_time_lag"),
        ({"alpha": 0}, "invalid_alpha"),
        ({"alpha": 1}, "invalid_alpha"),
        ({"alpha": 1.5}, "invalid_alpha"),
        ({"global_window": "week"}, "invalid_global_window"),
        ({"permutations": -5}, "invalid_permutations"),
        ({"permutations": 10**8}, "too_many_permutations"),
        ({"period": "a fortnight"}, "invalid_period"),
        ({"anchor": "not a date"}, "invalid_date"),
        ({"resolution": 8}, "resolution_mismatch"),  # the cells are resolution 9
        ({"value": "harm"}, "invalid_value"),
    ],
)
def test_invalid_parameters(kwargs, code):
    assert _code(**kwargs) == code


def test_invalid_cells_and_missing_columns():
    assert _code(events=_small_events().assign(cell="not-a-cell")) == "invalid_cell"
    assert _code(events=_small_events().drop(columns="cell")) == "invalid_events"
    bad_points = pd.DataFrame({"occurred_at": _small_events().occurred_at, "lat": 95.0, "lon": 13})
    assert _code(events=bad_points) == "invalid_coordinates"
