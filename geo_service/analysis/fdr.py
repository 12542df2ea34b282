"""Benjamini–Hochberg false discovery rate over the bins of each time step (METHODS.md §2)."""

from __future__ import annotations

import numpy as np


def benjamini_hochberg(p: np.ndarray, axis: int = 0) -> np.ndarray:
    """BH-adjusted p-values (q-values) along `axis`; a test is significant when q ≤ α.

    q_(i) = min_{j ≥ i} (m / j) · p_(j), capped at 1 — the step-up procedure of BH (1995).
    """
    p = np.asarray(p, dtype=np.float64)
    rows = np.ascontiguousarray(np.moveaxis(p, axis, -1))  # sort along contiguous memory
    m = rows.shape[-1]
    if m == 0:
        return p.copy()
    order = np.argsort(rows, axis=-1)
    q_sorted = np.take_along_axis(rows, order, axis=-1)
    q_sorted *= m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(q_sorted[..., ::-1], axis=-1)[..., ::-1]
    np.minimum(q_sorted, 1.0, out=q_sorted)
    q = np.empty_like(rows)
    np.put_along_axis(q, order, q_sorted, axis=-1)
    return np.moveaxis(q, -1, axis)
