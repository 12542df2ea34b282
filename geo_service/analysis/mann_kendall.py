"""Mann–Kendall trend test with tie correction, for many short series at once.

S = Σ_{k<j} sgn(x_j − x_k); Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)]/18 over tie groups;
z = (S − sgn S)/√Var(S) (0 when S = 0); two-sided normal p; Kendall's τ_b against time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

_CHUNK_ROWS = 4096
_MAX_COUNT_LEVELS = 1024  # integer series below this skip the sort


@dataclass(frozen=True)
class TrendResult:
    """Per-series Mann–Kendall statistics (arrays of length = number of series)."""

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    tau: np.ndarray


def _dense_ranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense ranks (int16) of each row, and Σ t(t−1)(2t+5) and Σ t(t−1)/2 over its tie groups."""
    rows, n = x.shape
    order = np.argsort(x, axis=1)
    ordered = np.take_along_axis(x, order, axis=1)
    starts_group = np.ones((rows, n), dtype=bool)
    starts_group[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    dense = np.cumsum(starts_group, axis=1, dtype=np.int16)
    ranks = np.empty_like(dense)
    np.put_along_axis(ranks, order, dense, axis=1)
    starts = np.flatnonzero(starts_group)  # every row begins a group, so groups never straddle
    sizes = np.diff(np.append(starts, starts_group.size)).astype(np.float64)
    row = starts // n
    tie_var = np.bincount(row, weights=sizes * (sizes - 1) * (2 * sizes + 5), minlength=rows)
    tie_pairs = np.bincount(row, weights=sizes * (sizes - 1) / 2, minlength=rows)
    return ranks, tie_var, tie_pairs


def _count_ranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like _dense_ranks for small non-negative integers (counts): the values are the ranks."""
    rows, _ = x.shape
    ranks = x.astype(np.int16)
    levels = int(ranks.max()) + 1
    offsets = np.arange(rows, dtype=np.int64)[:, None] * levels
    sizes = np.bincount((offsets + ranks).ravel(), minlength=rows * levels)
    sizes = sizes.reshape(rows, levels).astype(np.float64)
    tie_var = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    tie_pairs = (sizes * (sizes - 1) / 2).sum(axis=1)
    return ranks, tie_var, tie_pairs


def _chunk_statistics(x: np.ndarray) -> np.ndarray:
    """S, Σ t(t−1)(2t+5) and Σ t(t−1)/2 over tie groups, for each row of a (rows × T) block.

    Rows become small integer ranks first, so the O(T²) pair loop runs on int16.
    """
    small_counts = x.min() >= 0 and x.max() < _MAX_COUNT_LEVELS and (x == np.floor(x)).all()
    ranks, tie_var, tie_pairs = _count_ranks(x) if small_counts else _dense_ranks(x)
    by_time = np.ascontiguousarray(ranks.T)
    s = np.zeros(x.shape[0], dtype=np.int32)
    for lag in range(1, x.shape[1]):
        s += np.sign(by_time[lag:] - by_time[:-lag]).sum(axis=0, dtype=np.int32)
    return np.column_stack([s.astype(np.float64), tie_var, tie_pairs])


def _all_statistics(x: np.ndarray) -> np.ndarray:
    """_chunk_statistics over row blocks, on two threads for large inputs (numpy frees the GIL)."""
    blocks = [x[i : i + _CHUNK_ROWS] for i in range(0, len(x), _CHUNK_ROWS)]
    if len(blocks) == 1:
        return _chunk_statistics(blocks[0])
    with ThreadPoolExecutor(max_workers=2) as pool:
        return np.concatenate(list(pool.map(_chunk_statistics, blocks)))


def mann_kendall(series: np.ndarray) -> TrendResult:
    """Mann–Kendall test of each row of a (series × T) array against time.

    Constant series give S = 0, z = 0, p = 1 and τ_b = 0 (scipy would return NaN for τ).
    Series must not contain NaN.
    """
    x = np.atleast_2d(np.asarray(series, dtype=np.float64))
    n = x.shape[1]
    if x.shape[0] == 0 or n < 2:
        zeros = np.zeros(x.shape[0])
        return TrendResult(zeros, zeros, zeros, np.ones(x.shape[0]), zeros)
    stats = _all_statistics(x)
    s, tie_var, tie_pairs = stats[:, 0], stats[:, 1], stats[:, 2]
    var_s = (n * (n - 1) * (2 * n + 5) - tie_var) / 18.0
    root = np.sqrt(var_s)
    z = np.zeros_like(s)
    np.divide(s - np.sign(s), root, out=z, where=root > 0)
    p = 2.0 * ndtr(-np.abs(z))
    pairs = n * (n - 1) / 2.0
    tau_denom = np.sqrt((pairs - tie_pairs) * pairs)
    tau = np.zeros_like(s)
    np.divide(s, tau_denom, out=tau, where=tau_denom > 0)
    return TrendResult(s=s, var_s=var_s, z=z, p=p, tau=tau)


def trend_direction(result: TrendResult, alpha: float) -> np.ndarray:
    """+1 for a significant increase, −1 for a significant decrease (p ≤ α), else 0 (§4)."""
    return np.where(result.p <= alpha, np.sign(result.s), 0).astype(np.int8)
