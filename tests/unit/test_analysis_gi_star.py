"""Gi* against esda's G_Local(transform='B', star=True) on the same weights."""

import warnings

import h3
import numpy as np
import pytest
import scipy.sparse as sp
from esda.getisord import G_Local
from libpysal.weights import WSP

from geo_service.analysis.cells import cells_to_int
from geo_service.analysis.getis_ord import gi_star, normal_p
from geo_service.analysis.weights import spatial_weights


def _study_area(seed: int = 1) -> np.ndarray:
    """An irregular area (holes, ragged edge) around Malmö: interior and edge cells."""
    cells = cells_to_int(h3.grid_disk(h3.latlng_to_cell(55.6, 13.0, 9), 5))
    keep = np.random.default_rng(seed).random(len(cells)) < 0.8
    return np.sort(cells[keep])


def _esda_z(y: np.ndarray, w: sp.csr_matrix) -> np.ndarray:
    """esda's Gi* z-scores; w already holds the self-weight, which esda keeps for star=True."""
    lib_w = WSP(sp.csr_matrix(w)).to_W(silence_warnings=True)
    assert all(lib_w[i][i] == 1.0 for i in range(lib_w.n))  # diagonal survived the conversion
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(y, lib_w, transform="B", star=True, permutations=0).Zs


def _spacetime_weights(w: sp.csr_matrix, n_steps: int, time_lag: int) -> sp.csr_matrix:
    """One big binary W over all bins (index t·N + i): same or earlier steps up to time_lag."""
    lags = np.zeros((n_steps, n_steps))
    for t in range(n_steps):
        lags[t, max(0, t - time_lag) : t + 1] = 1.0
    return sp.kron(sp.csr_matrix(lags), w, format="csr")


@pytest.fixture
def cube() -> tuple[np.ndarray, sp.csr_matrix]:
    cells = _study_area()
    rng = np.random.default_rng(7)
    values = rng.poisson(rng.gamma(1.0, 1.0, size=(len(cells), 1)), size=(len(cells), 8))
    return values.astype(float), spatial_weights(cells, k=1)


def test_weights_include_self_and_stop_at_the_study_area_edge(cube):
    _, w = cube
    assert (w.diagonal() == 1).all()
    sizes = np.asarray(w.sum(axis=1)).ravel()
    assert sizes.max() == 7  # interior cells: itself and six neighbours
    assert sizes.min() < 7  # edge cells lose the neighbours outside the area
    assert (w != w.T).nnz == 0


def test_gi_star_matches_esda_without_time_lag(cube):
    values, w = cube
    z = gi_star(values, w, time_lag=0, global_window="cube")
    n_cells, n_steps = values.shape
    # one global window over all bins = one esda run over a block-diagonal W
    big_w = _spacetime_weights(w, n_steps, 0)
    expected = _esda_z(values.T.ravel(), big_w).reshape(n_steps, n_cells).T
    np.testing.assert_allclose(z, expected, rtol=0, atol=1e-9)


def test_gi_star_matches_esda_with_time_lag(cube):
    values, w = cube
    for lag in (1, 2):
        z = gi_star(values, w, time_lag=lag, global_window="cube")
        n_cells, n_steps = values.shape
        big_w = _spacetime_weights(w, n_steps, lag)
        expected = _esda_z(values.T.ravel(), big_w).reshape(n_steps, n_cells).T
        np.testing.assert_allclose(z, expected, rtol=0, atol=1e-9)


def test_step_window_matches_esda_per_period(cube):
    values, w = cube
    z = gi_star(values, w, time_lag=0, global_window="step")
    for t in range(values.shape[1]):
        np.testing.assert_allclose(z[:, t], _esda_z(values[:, t], w), rtol=0, atol=1e-9)


def test_hand_computed_z_for_one_bin():
    # Three cells in a row (0-1-2), one step: x = (1, 2, 6); n = 3, x̄ = 3,
    # S = sqrt((1 + 4 + 36)/3 − 9) = sqrt(41/3 − 9) = sqrt(14/3).
    # Cell 2 sees cells 1 and 2: Σ = 8, W = 2, S1 = 2:
    # z = (8 − 3·2) / (sqrt(14/3) · sqrt((3·2 − 4)/2)) = 2 / sqrt(14/3) = 0.92582...
    w = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float))
    z = gi_star(np.array([[1.0], [2.0], [6.0]]), w, time_lag=0)
    assert z[2, 0] == pytest.approx(2 / np.sqrt(14 / 3), abs=1e-12)
    # The middle cell sees everything (W = n): no variance term, z = 0 by definition.
    assert z[1, 0] == 0.0


def test_fewer_lags_at_the_first_steps():
    # Constant-but-one cube: bin (0, 0) has only its own step in its neighbourhood.
    w = sp.identity(2, format="csr")
    values = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    z = gi_star(values, w, time_lag=1)
    # n = 6, x̄ = 1/6, S = sqrt(1/6 − 1/36) = sqrt(5)/6.
    s = np.sqrt(5) / 6
    expected_first = (1 - 1 / 6) / (s * np.sqrt((6 * 1 - 1) / 5))  # W = 1 at t = 0
    expected_second = (1 - 2 / 6) / (s * np.sqrt((6 * 2 - 4) / 5))  # W = 2 at t = 1
    assert z[0, 0] == pytest.approx(expected_first, abs=1e-12)
    assert z[0, 1] == pytest.approx(expected_second, abs=1e-12)


@pytest.mark.parametrize("window", ["cube", "step"])
@pytest.mark.parametrize("lag", [0, 1, 3])
def test_constant_data_gives_zero_not_nan(window, lag):
    w = spatial_weights(_study_area(), k=1)
    for constant in (0.0, 0.1, 3.0):
        values = np.full((w.shape[0], 6), constant)
        with np.errstate(all="raise"):
            z = gi_star(values, w, time_lag=lag, global_window=window)
            p = normal_p(z)
        assert (z == 0).all()
        assert (p == 1).all()


def test_a_constant_step_gets_zero_in_step_window():
    w = spatial_weights(_study_area(), k=1)
    values = np.random.default_rng(3).poisson(1.0, size=(w.shape[0], 4)).astype(float)
    values[:, 2] = 0.0
    with np.errstate(all="raise"):
        z = gi_star(values, w, time_lag=0, global_window="step")
    assert (z[:, 2] == 0).all()
    assert np.isfinite(z).all() and (z[:, 0] != 0).any()


def test_two_sided_normal_p():
    z = np.array([0.0, 1.959963984540054, -1.959963984540054, 3.0])
    np.testing.assert_allclose(normal_p(z), [1.0, 0.05, 0.05, 0.0026997960632601866], atol=1e-12)


@pytest.mark.parametrize("reach", [1, 2])
def test_permutation_p_matches_full_enumeration(reach):
    # Eight cells on a ring, each with itself and the ring neighbours within `reach`, one step.
    # Conditional permutation keeps x_i and redraws its m = 2·reach neighbours from the 7
    # other values: all C(7, m) draws are enumerated and compared with the seeded Monte Carlo p.
    from itertools import combinations

    from geo_service.analysis.getis_ord import gi_star_permutation_p

    n, m = 8, 2 * reach
    dense = sum(np.roll(np.eye(n), s, axis=1) for s in range(-reach, reach + 1))
    w = sp.csr_matrix(dense)
    x = np.array([0.0, 1.0, 0.0, 3.0, 5.0, 0.0, 2.0, 1.0])
    p = gi_star_permutation_p(x[:, None], w, time_lag=0, permutations=20000, seed=4)[:, 0]
    for i in range(n):
        others = np.delete(x, i)
        observed = dense[i] @ x
        centre = x[i] + m * others.sum() / 7
        sims = np.array([x[i] + sum(c) for c in combinations(others, m)])
        exact = np.mean(np.abs(sims - centre) >= np.abs(observed - centre) - 1e-9)
        assert p[i] == pytest.approx(exact, abs=0.015), i


def test_sums_without_self_match_a_direct_computation():
    from geo_service.analysis.getis_ord import _draw_without_replacement, _sums_without_self

    rng = np.random.default_rng(8)
    window = rng.poisson(2.0, 300).astype(float)
    pos = np.sort(rng.choice(300, 40, replace=False))  # spread out: shared and per-bin draws
    draws = _draw_without_replacement(rng, 299, 6, 50)
    got = _sums_without_self(window, pos, draws)
    for b, p in enumerate(pos.tolist()):
        without_self = np.delete(window, p)
        np.testing.assert_allclose(got[b], without_self[draws].sum(axis=1))


def test_draws_are_distinct_and_uniform():
    from geo_service.analysis.getis_ord import _draw_without_replacement

    draws = _draw_without_replacement(np.random.default_rng(9), 20, 7, 40000)
    assert (np.sort(draws, axis=1)[:, 1:] != np.sort(draws, axis=1)[:, :-1]).all()
    share = np.bincount(draws.ravel(), minlength=20) / draws.size
    np.testing.assert_allclose(share, 1 / 20, atol=0.003)  # each index equally likely
    assert draws.min() >= 0 and draws.max() < 20
