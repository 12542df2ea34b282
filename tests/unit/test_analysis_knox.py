"""Near repeats: the Knox test against pointpats, the band table against direct pair counts."""

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal import examples
from pointpats import Knox
from scipy.stats import poisson

from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.knox import knox, near_repeat_table
from geo_service.analysis.projection import to_sweref99tm


@pytest.fixture(scope="module")
def burkitt() -> pd.DataFrame:
    """188 Burkitt lymphoma cases in Uganda (Williams et al. 1978), as shipped with libpysal."""
    cases = gpd.read_file(examples.get_path("burkitt.shp"))
    return pd.DataFrame(
        {"x": cases["X"].astype(float), "y": cases["Y"].astype(float), "t": cases["T"]}
    )


def _direct_band_counts(
    events: pd.DataFrame, distance_edges: list[float], time_edges: list[float]
) -> np.ndarray:
    """Pairs per distance band × time band by looking at every pair (O(n²), small sets only)."""

    def band(value: float, edges: list[float]) -> int | None:
        if value == edges[0]:
            return 0
        for k in range(1, len(edges)):
            if edges[k - 1] < value <= edges[k]:
                return k - 1
        return None

    counts = np.zeros((len(distance_edges) - 1, len(time_edges) - 1), dtype=np.int64)
    rows = list(events[["x", "y", "t"]].itertuples(index=False))
    for (x1, y1, t1), (x2, y2, t2) in itertools.combinations(rows, 2):
        s = band(math.hypot(x1 - x2, y1 - y2), distance_edges)
        b = band(abs(t1 - t2), time_edges)
        if s is not None and b is not None:
            counts[s, b] += 1
    return counts


def _background(n: int, seed: int, size_m: float = 4000.0, days: int = 730) -> pd.DataFrame:
    """Events whose places and times are independent: clustered in space, seasonal in time."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size_m, (8, 2))
    which = rng.integers(0, len(centres), n)
    xy = centres[which] + rng.normal(0, 300, (n, 2))
    season = 1 + 0.6 * np.sin(2 * np.pi * np.arange(days) / 365)
    t = rng.choice(days, n, p=season / season.sum())
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "t": t})


def test_knox_matches_pointpats_on_the_burkitt_lymphoma_cases(burkitt):
    ours = knox(burkitt, distance_m=20, time_days=180, permutations=999, seed=1)
    np.random.seed(7)  # pointpats draws from numpy's global generator
    theirs = Knox(
        burkitt[["x", "y"]].to_numpy(), burkitt[["t"]].to_numpy(), delta=20, tau=180,
        permutations=999,
    )  # fmt: skip
    assert ours.observed == theirs.nst
    assert ours.expected == pytest.approx(theirs.expected[0, 0], rel=1e-12)
    assert ours.space_pairs + ours.time_pairs - ours.observed == pytest.approx(
        theirs.observed[0, 1] + theirs.observed[1, 0] + theirs.nst
    )
    # Two independent Monte Carlo estimates of the same p: within 4 standard errors.
    se = math.sqrt(2 * theirs.p_sim * (1 - theirs.p_sim) / 1000)
    assert abs(ours.p_sim - theirs.p_sim) < 4 * se + 1e-3
    # pointpats reports P(X > N_ST); the p-value is P(X ≥ N_ST), one probability mass more.
    assert theirs.p_poisson == pytest.approx(poisson.sf(ours.observed, ours.expected))
    assert ours.p_poisson == pytest.approx(
        theirs.p_poisson + poisson.pmf(ours.observed, ours.expected)
    )


def test_knox_finds_the_known_space_time_interaction_in_burkitt_lymphoma(burkitt):
    result = knox(burkitt, distance_m=20, time_days=180, permutations=999, seed=0)
    assert result.ratio > 1.15
    assert result.p_sim < 0.05


def test_band_table_equals_direct_pair_counts_in_every_band():
    events = _background(150, seed=3, size_m=1500)
    distance_edges, time_edges = [0, 100, 200, 400, 800], [0, 7, 14, 28, 56]
    table = near_repeat_table(
        events, distance_bands_m=distance_edges, time_bands_days=time_edges, permutations=0
    )
    direct = _direct_band_counts(events, distance_edges, time_edges)
    assert table["observed"].to_numpy().tolist() == direct.ravel().tolist()
    assert table["observed"].sum() == direct.sum() > 100
    # Expected per cell: N_S(band) · N_T(band) / all pairs, from the same direct counts.
    pairs = 150 * 149 // 2
    space = _direct_band_counts(events, distance_edges, [0, 1e9]).ravel()
    timed = _direct_band_counts(events, [0, 1e9], time_edges).ravel()
    assert table["expected"].to_numpy() == pytest.approx(np.outer(space, timed).ravel() / pairs)


def test_bands_include_their_upper_edge_and_the_first_band_its_lower_edge():
    events = pd.DataFrame(
        {
            "x": [0.0, 100.0, 0.0, 0.0, 101.0, 3000.0],
            "y": [0.0, 0.0, 5000.0, 5000.0, 5000.0, 0.0],
            "t": [0, 7, 100, 100, 108, 500],
        }
    )
    table = near_repeat_table(
        events, distance_bands_m=(0, 100, 200), time_bands_days=(0, 7, 14), permutations=0
    ).set_index(["distance_from", "time_from"])
    # 100 m and 7 days apart: first bands. Same place and day: first bands. 101 m and 8 days:
    # second bands (twice: the two events at the same place and day both pair with it).
    assert table.loc[(0.0, 0.0), "observed"] == 2
    assert table.loc[(100.0, 7.0), "observed"] == 2
    assert table["observed"].sum() == 4


def test_planted_near_repeats_are_found_in_the_near_bands_only():
    rng = np.random.default_rng(11)
    background = _background(1500, seed=5)
    origins = background.sample(150, random_state=2)
    repeats = pd.DataFrame(
        {
            "x": origins["x"].to_numpy() + rng.uniform(-60, 60, 150),
            "y": origins["y"].to_numpy() + rng.uniform(-60, 60, 150),
            "t": origins["t"].to_numpy() + rng.integers(1, 7, 150),
        }
    )
    events = pd.concat([background, repeats], ignore_index=True)
    table = near_repeat_table(events, permutations=199, seed=1)
    near = table[(table.distance_to == 100) & (table.time_to == 7)].iloc[0]
    assert near.ratio > 1.5
    assert near.p_adj < 0.05
    far = table[(table.distance_from >= 200) & (table.time_from >= 14)]
    assert (far.p_adj > 0.05).all()


def test_a_process_without_near_repeats_has_no_significant_band_after_fdr():
    events = _background(2000, seed=8)
    table = near_repeat_table(events, permutations=199, seed=2)
    assert (table["p_adj"] > 0.05).all()
    assert table["ratio"].between(0.8, 1.25).all()


def test_permutations_are_reproducible_from_the_seed(burkitt):
    first = near_repeat_table(burkitt, distance_bands_m=(0, 10, 20), permutations=99, seed=4)
    again = near_repeat_table(burkitt, distance_bands_m=(0, 10, 20), permutations=99, seed=4)
    pd.testing.assert_frame_equal(first, again)


def test_occurred_at_and_lat_lon_give_the_same_table_as_projected_metres_and_days():
    rng = np.random.default_rng(4)
    n = 300
    lat, lon = 55.605 + rng.normal(0, 0.004, n), 13.0 + rng.normal(0, 0.006, n)
    local = pd.Timestamp("2024-03-01", tz="Europe/Stockholm") + pd.to_timedelta(
        rng.uniform(0, 90, n), unit="D"
    )
    by_degrees = pd.DataFrame({"lat": lat, "lon": lon, "occurred_at": local.tz_convert("UTC")})
    x, y = to_sweref99tm(lat, lon)
    days = (local.tz_localize(None).normalize() - pd.Timestamp("2024-03-01")).days
    by_metres = pd.DataFrame({"x": x, "y": y, "t": days})
    a = near_repeat_table(by_degrees, permutations=19, seed=0)
    b = near_repeat_table(by_metres, permutations=19, seed=0)
    pd.testing.assert_frame_equal(a, b)


def test_zero_days_means_pairs_on_the_same_day():
    events = pd.DataFrame(
        {"x": [0.0, 10.0, 20.0, 30.0], "y": [0.0, 0.0, 0.0, 0.0], "t": [5, 5, 6, 5]}
    )
    result = knox(events, distance_m=15, time_days=0, permutations=0)
    # Close in space (≤ 15 m): (0,1), (1,2), (2,3); on the same day: (0,1), (0,3), (1,3).
    assert (result.space_pairs, result.time_pairs, result.observed) == (3, 3, 1)
    assert result.expected == pytest.approx(3 * 3 / 6)
    assert np.isnan(result.p_sim)


def test_events_without_a_time_are_left_out_and_counted():
    events = _background(200, seed=1).astype({"t": float})
    events.loc[:9, "t"] = np.nan
    result = knox(events, distance_m=200, time_days=14, permutations=9)
    assert result.events == 190
    assert result.left_out == 10
    assert result.pairs == 190 * 189 // 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"distance_bands_m": (0, 200, 100)}, "invalid_distance_bands"),
        ({"distance_bands_m": (100,)}, "invalid_distance_bands"),
        ({"time_bands_days": (-1, 7)}, "invalid_time_bands"),
        ({"permutations": -1}, "invalid_permutations"),
        ({"seed": 1.5}, "invalid_seed"),
    ],
)
def test_invalid_parameters_raise_domain_errors(kwargs, code):
    with pytest.raises(AnalysisError) as err:
        near_repeat_table(_background(20, seed=0), **kwargs)
    assert err.value.code == code


def test_timestamps_in_the_day_column_are_refused():
    events = pd.DataFrame(
        {"x": [0.0, 1.0], "y": [0.0, 1.0], "t": pd.to_datetime(["2024-01-01"] * 2)}
    )
    with pytest.raises(AnalysisError) as err:
        knox(events, distance_m=100, time_days=7)
    assert err.value.code == "invalid_events"


def test_a_single_event_is_an_error_a_user_can_act_on():
    with pytest.raises(AnalysisError) as err:
        knox(pd.DataFrame({"x": [0.0], "y": [0.0], "t": [0]}), distance_m=100, time_days=7)
    assert err.value.code == "too_few_events"
