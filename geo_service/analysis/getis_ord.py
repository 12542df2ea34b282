"""Getis-Ord Gi* for every bin of the space-time cube, vectorised.

Binary weights with the bin itself included: the neighbourhood of bin (i, t) is grid_disk(i, k)
∩ study area at steps t, t−1, …, t−time_lag (backward only; fewer lags at the first steps).
With n, x̄ and S = sqrt(Σx²/n − x̄²) over the global window ("cube": all bins; "step": the bins of
step t), W_i = Σ_j w_ij and S1_i = Σ_j w_ij² (= W_i for binary weights):

    z_i = (Σ_j w_ij x_j − x̄·W_i) / (S · sqrt((n·S1_i − W_i²)/(n − 1)))

This equals esda's `G_Local(y, w, transform='B', star=True).Zs` on the same weights.
With window "step" and time_lag > 0 the lagged neighbours come from earlier steps while x̄, S
and n are those of step t; bins whose W_i reaches n get z = 0.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

GlobalWindow = Literal["cube", "step"]

_PERM_CHUNK_ELEMENTS = 4_000_000


def spacetime_lag(values: np.ndarray, w: sp.csr_matrix, time_lag: int) -> np.ndarray:
    """Σ_j w_ij x_j over the space-time neighbourhood of every bin: (cells × steps) array."""
    spatial = np.asarray(w @ values, dtype=np.float64)
    if time_lag == 0:
        return spatial
    total = spatial.copy()
    for lag in range(1, min(time_lag, values.shape[1] - 1) + 1):
        total[:, lag:] += spatial[:, :-lag]
    return total


def lag_steps(n_steps: int, time_lag: int) -> np.ndarray:
    """Number of steps in each step's neighbourhood: min(t, time_lag) + 1 (fewer at the start)."""
    return np.minimum(np.arange(n_steps), time_lag) + 1


def spatial_counts(w: sp.csr_matrix) -> np.ndarray:
    """Number of study-area cells in each cell's grid_disk, itself included (row sums of w)."""
    return np.asarray(w.sum(axis=1), dtype=np.float64).ravel()


def neighbour_counts(w: sp.csr_matrix, n_steps: int, time_lag: int) -> np.ndarray:
    """W_i for every bin (= S1_i for binary weights): spatial neighbours × steps in the lag."""
    return np.multiply.outer(spatial_counts(w), lag_steps(n_steps, time_lag).astype(np.float64))


def _window_moments(
    values: np.ndarray, global_window: GlobalWindow
) -> tuple[np.ndarray, np.ndarray, int]:
    """x̄, S (population SD) and n of the global window, as (1 × steps) rows and n."""
    n_steps = values.shape[1]
    if global_window == "cube":
        mean = np.full(n_steps, values.mean())
        constant = values.max() == values.min()
        sd = np.full(n_steps, 0.0 if constant else values.std())
        return mean, sd, values.size
    mean = values.mean(axis=0)
    constant = values.max(axis=0) == values.min(axis=0)
    sd = np.where(constant, 0.0, values.std(axis=0))
    return mean, sd, values.shape[0]


def gi_star(
    values: np.ndarray,
    w: sp.csr_matrix,
    time_lag: int = 1,
    global_window: GlobalWindow = "cube",
) -> np.ndarray:
    """Gi* z-score of every bin of a (cells × steps) cube.

    Bins whose variance term is zero (S = 0: no variation; or W_i ≥ n) get z = 0, never NaN.
    The denominator depends only on (W_i, step), so it is tabulated per distinct W_i.
    """
    values = np.asarray(values, dtype=np.float64)
    n_steps = values.shape[1]
    z = spacetime_lag(values, w, time_lag)  # a fresh array, modified in place below
    spatial = spatial_counts(w)
    steps = lag_steps(n_steps, time_lag).astype(np.float64)
    mean, sd, n = _window_moments(values, global_window)
    z -= np.multiply.outer(spatial, steps * mean)  # Σ w x − x̄·W
    distinct, code = np.unique(spatial, return_inverse=True)
    weight = np.multiply.outer(distinct, steps)  # W per (distinct cell size, step)
    spread = np.clip((n * weight - weight**2) / (n - 1), 0.0, None)  # (n·S1 − W²)/(n − 1)
    denom = sd * np.sqrt(spread)
    inverse = np.zeros_like(denom)
    np.divide(1.0, denom, out=inverse, where=denom > 0)
    z *= inverse[code.ravel()]
    return z


def normal_p(z: np.ndarray) -> np.ndarray:
    """Two-sided p-value from the standard normal distribution."""
    return 2.0 * ndtr(-np.abs(z))


def _draw_without_replacement(
    rng: np.random.Generator, population: int, size: int, draws: int
) -> np.ndarray:
    """`draws` rows of `size` distinct indices in [0, population): uniform random subsets.

    Floyd's algorithm, vectorised over the rows: O(draws · size²), whatever the population.
    """
    out = np.empty((draws, size), dtype=np.int64)
    for i, top in enumerate(range(population - size, population)):
        pick = rng.integers(0, top + 1, size=draws)
        taken = (out[:, :i] == pick[:, None]).any(axis=1)
        out[:, i] = np.where(taken, top, pick)
    return out


def _sums_without_self(window: np.ndarray, pos: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Σ_j v_b[draws[r, j]] for each bin b (rows) and replicate r, v_b = window minus pos_b.

    Index d of v_b is window[d] below pos_b and window[d + 1] from it. `pos` is ascending, so
    only draws between its first and last value depend on the bin; the rest are summed once.
    """
    lo, hi = int(pos[0]), int(pos[-1])
    below, above = draws < lo, draws >= hi
    shared = np.where(below, window[draws], 0.0) + np.where(above, window[draws + above], 0.0)
    n_bins, n_reps = len(pos), draws.shape[0]
    sums = np.broadcast_to(shared.sum(axis=1), (n_bins, n_reps)).copy()
    reps, cols = np.nonzero(~(below | above))
    if len(reps):
        mid = draws[reps, cols]
        values = window[mid[None, :] + (mid[None, :] >= pos[:, None])]  # (bins × mid draws)
        target = np.arange(n_bins)[:, None] * n_reps + reps[None, :]
        sums += np.bincount(
            target.ravel(), weights=values.ravel(), minlength=n_bins * n_reps
        ).reshape(n_bins, n_reps)
    return sums


def _window_pseudo_p(
    window: np.ndarray,
    self_pos: np.ndarray,
    lagged: np.ndarray,
    weight: np.ndarray,
    permutations: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Pseudo p-values for the bins of one global window (ascending positions `self_pos`)."""
    n = len(window)
    total = window.sum()
    x_self = window[self_pos]
    others = (weight - 1).astype(np.int64)
    p = np.ones(len(self_pos))
    for m in np.unique(others).tolist():
        group = np.nonzero(others == m)[0]
        if m >= n or m <= 0:
            continue  # nothing to permute: p = 1 (z is 0 or the bin is its own neighbourhood)
        # about √n bins per chunk balances the shared and the per-bin part of the sums
        chunk = max(1, min(math.isqrt(n), _PERM_CHUNK_ELEMENTS // (permutations * m)))
        starts = range(0, len(group), chunk)
        per_batch = max(1, _PERM_CHUNK_ELEMENTS // (permutations * m))  # chunks per rng call
        for first in range(0, len(starts), per_batch):
            batch = starts[first : first + per_batch]
            draws = _draw_without_replacement(rng, n - 1, m, permutations * len(batch))
            for i, start in enumerate(batch):
                b = group[start : start + chunk]
                mine = draws[i * permutations : (i + 1) * permutations]
                sims = x_self[b, None] + _sums_without_self(window, self_pos[b], mine)
                centre = x_self[b] + m * (total - x_self[b]) / (n - 1)
                observed = np.abs(lagged[b] - centre)
                tol = 1e-9 * (np.abs(observed) + 1.0)
                extreme = np.abs(sims - centre[:, None]) >= (observed - tol)[:, None]
                p[b] = (extreme.sum(axis=1) + 1.0) / (permutations + 1.0)
    return p


def gi_star_permutation_p(
    values: np.ndarray,
    w: sp.csr_matrix,
    time_lag: int = 1,
    global_window: GlobalWindow = "cube",
    permutations: int = 999,
    seed: int = 0,
) -> np.ndarray:
    """Two-sided conditional-permutation pseudo p-values for Gi* (for small data).

    Each bin keeps its own value; its W_i − 1 neighbours are redrawn without replacement from
    the other bins of the global window. p = (1 + #{|sim − E| ≥ |obs − E|}) / (R + 1), E being
    the permutation mean. Seeded, so a run is reproducible. Cost grows with bins × R.
    """
    values = np.asarray(values, dtype=np.float64)
    n_cells, n_steps = values.shape
    lagged = spacetime_lag(values, w, time_lag)
    weight = neighbour_counts(w, n_steps, time_lag)
    rng = np.random.default_rng(seed)
    if global_window == "cube":
        flat = _window_pseudo_p(
            values.ravel(),
            np.arange(values.size),
            lagged.ravel(),
            weight.ravel(),
            permutations,
            rng,
        )
        return flat.reshape(n_cells, n_steps)
    p = np.ones_like(values)
    for t in range(n_steps):
        p[:, t] = _window_pseudo_p(
            values[:, t], np.arange(n_cells), lagged[:, t], weight[:, t], permutations, rng
        )
    return p
