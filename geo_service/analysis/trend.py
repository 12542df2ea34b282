"""The trend behind the emerging hot spot categories: calibrated by default, Esri's on request.

`counts` (default): Mann–Kendall on each cell's neighbourhood counts per step,
N_{i,t} = Σ_{j ∈ grid_disk(i, k)} x_{j,t} (the step's own bins, no time lag), tested only for
the cells whose category depends on a trend — hot in the last step and hot in at least 90% of
steps, or the same for cold — and significant after Benjamini–Hochberg over those cells.

`z`: Mann–Kendall on the Gi* z-series, each cell at α without correction, as Esri's tool does.
It is miscalibrated: with a time lag consecutive z share data and the first steps have
truncated windows, so in stationary data most runs show intensifying or diminishing cells.
Under the cube window and a fixed neighbourhood z_{i,t} increases with N_{i,t}, so the counts
trend asks the same question ("is the hot spot getting hotter?") without the overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.stats import false_discovery_control

from geo_service.analysis.mann_kendall import TrendResult, mann_kendall

TrendSource = Literal["counts", "z"]
TREND_SOURCES: tuple[str, ...] = ("counts", "z")
_Z_DECIMALS = 9  # z equal to 9 decimals are ties for Mann–Kendall (guards float noise)


@dataclass(frozen=True)
class CategoryTrend:
    """Per cell: the trend's direction (+1, −1, 0), τ_b, p and adjusted p (NaN if untested)."""

    direction: np.ndarray
    tau: np.ndarray
    p: np.ndarray
    p_adj: np.ndarray


def trend_tested(hot: np.ndarray, cold: np.ndarray) -> np.ndarray:
    """Cells whose category depends on a trend: final step hot (cold) and ≥ 90% of steps so."""
    n_steps = hot.shape[1]
    often_hot = hot.sum(axis=1) * 10 >= 9 * n_steps
    often_cold = cold.sum(axis=1) * 10 >= 9 * n_steps
    return (hot[:, -1] & often_hot) | (cold[:, -1] & often_cold)


def z_series_trend(z: np.ndarray) -> TrendResult:
    """Mann–Kendall on each cell's z-series (reported, and the `z` option)."""
    return mann_kendall(np.round(z, _Z_DECIMALS))


def category_trend(
    values: np.ndarray,
    z: np.ndarray,
    weights: sp.csr_matrix,
    hot: np.ndarray,
    cold: np.ndarray,
    alpha: float,
    source: TrendSource = "counts",
    z_trend: TrendResult | None = None,
) -> CategoryTrend:
    """The trend that the categories use, per cell (see the module docstring).

    `z_trend` is the z-series trend if already computed (it is reported either way).
    """
    n_cells = values.shape[0]
    if source == "z":
        result = z_trend if z_trend is not None else z_series_trend(z)
        direction = np.where(result.p <= alpha, np.sign(result.s), 0).astype(np.int8)
        return CategoryTrend(direction, result.tau, result.p, result.p)
    tested = np.flatnonzero(trend_tested(hot, cold))
    tau = np.full(n_cells, np.nan)
    p = np.full(n_cells, np.nan)
    p_adj = np.full(n_cells, np.nan)
    direction = np.zeros(n_cells, dtype=np.int8)
    if len(tested):
        neighbourhood = np.asarray(weights[tested] @ values)
        result = mann_kendall(neighbourhood)
        adjusted = false_discovery_control(result.p, method="bh")
        tau[tested], p[tested], p_adj[tested] = result.tau, result.p, adjusted
        direction[tested] = np.where(adjusted <= alpha, np.sign(result.s), 0)
    return CategoryTrend(direction, tau, p, p_adj)
