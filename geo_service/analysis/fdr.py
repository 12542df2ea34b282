"""Benjamini–Hochberg false discovery rate over the bins of each time step.

q_(i) = min_{j ≥ i} (m / j) · p_(j), capped at 1 — the step-up procedure of BH (1995), as
scipy.stats.false_discovery_control computes it.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import false_discovery_control


def benjamini_hochberg(p: np.ndarray, axis: int = 0) -> np.ndarray:
    """BH-adjusted p-values (q-values) along `axis`; a test is significant when q ≤ α."""
    p = np.asarray(p, dtype=np.float64)
    if p.size == 0:
        return p.copy()
    return false_discovery_control(p, axis=axis, method="bh")
