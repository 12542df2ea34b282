"""Change since the last meetings: the latest step's count against the previous B steps (§8).

Under equal rates the current count c of n = c + b events is Binomial(n, 1/(B + 1)). The rate
ratio is c/(b/B); its exact interval is the Clopper–Pearson interval of the proportion
π = c/n mapped through π ↦ B·π/(1 − π); p is the one-sided binomial tail P(X ≥ c).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from geo_service.analysis.errors import AnalysisError


@dataclass(frozen=True)
class RateChange:
    """Per-location change test (arrays): counts, rate ratio with exact CI, one-sided p."""

    current: np.ndarray
    baseline: np.ndarray
    steps: int
    rate_ratio: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_increase: np.ndarray


def _proportion_to_ratio(pi: np.ndarray, steps: int) -> np.ndarray:
    """Rate ratio B·π/(1 − π) for a proportion π of events in the current step (∞ at π = 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pi >= 1.0, np.inf, steps * pi / (1.0 - pi))


def rate_change(
    current: np.ndarray | int,
    baseline: np.ndarray | int,
    steps: int = 6,
    confidence: float = 0.95,
) -> RateChange:
    """Rate ratio of the current step vs the mean of the previous `steps` steps.

    c = 0 and b = 0 gives ratio NaN, interval [0, ∞) and p = 1; b = 0 < c gives ratio ∞.
    """
    if steps < 1:
        raise AnalysisError("invalid_parameter", "steps must be at least 1")
    c = np.asarray(current, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    if (c < 0).any() or (b < 0).any() or (c != np.round(c)).any() or (b != np.round(b)).any():
        raise AnalysisError("invalid_parameter", "counts must be non-negative integers")
    c, b = np.broadcast_arrays(c, b)
    n = c + b
    tail = (1.0 - confidence) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(b > 0, c / (b / steps), np.where(c > 0, np.inf, np.nan))
        lower_pi = np.where(c > 0, special.betaincinv(np.maximum(c, 1), b + 1, tail), 0.0)
        upper_pi = np.where(b > 0, special.betaincinv(c + 1, np.maximum(b, 1), 1 - tail), 1.0)
    p = np.where(c > 0, stats.binom.sf(c - 1, n, 1.0 / (steps + 1)), 1.0)
    return RateChange(
        current=c,
        baseline=b,
        steps=steps,
        rate_ratio=ratio,
        ci_low=_proportion_to_ratio(lower_pi, steps),
        ci_high=_proportion_to_ratio(upper_pi, steps),
        p_increase=np.minimum(p, 1.0),
    )


def rate_change_from_cube(
    counts: np.ndarray, steps: int = 6, confidence: float = 0.95
) -> RateChange:
    """§8 test for each row of a (locations × T) count cube: last step vs the `steps` before.

    With fewer than `steps` earlier steps, all earlier steps are used (B = T − 1).
    """
    counts = np.asarray(counts, dtype=np.float64)
    used = min(steps, counts.shape[1] - 1)
    if used < 1:
        raise AnalysisError("too_few_periods", "the change test needs at least 2 periods")
    current = counts[:, -1]
    baseline = counts[:, -1 - used : -1].sum(axis=1)
    return rate_change(current, baseline, used, confidence)
