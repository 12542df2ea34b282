"""Benjamini–Hochberg per time step."""

import numpy as np
from scipy import stats

from geo_service.analysis.fdr import benjamini_hochberg


def test_hand_computed_example():
    # p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005, 0.01, 0.03, 0.04;
    # p·m/rank = 0.02, 0.02, 0.04, 0.04; running minimum from the top keeps them.
    # Back in the original order: 0.02, 0.04, 0.04, 0.02.
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.005]))
    np.testing.assert_allclose(q, [0.02, 0.04, 0.04, 0.02])


def test_step_up_monotonicity_by_hand():
    # p = 0.001, 0.02, 0.021, 0.9 (m = 4): 0.004, 0.04, 0.028, 0.9 → the 0.04 is lowered
    # to 0.028 by the larger p after it (step-up), so both middle tests share q = 0.028.
    q = benjamini_hochberg(np.array([0.001, 0.02, 0.021, 0.9]))
    np.testing.assert_allclose(q, [0.004, 0.028, 0.028, 0.9])


def test_matches_scipy_per_column_and_columns_are_independent():
    rng = np.random.default_rng(2)
    p = rng.uniform(size=(500, 6)) ** 3
    q = benjamini_hochberg(p, axis=0)
    for t in range(p.shape[1]):
        np.testing.assert_allclose(q[:, t], stats.false_discovery_control(p[:, t], method="bh"))
    p2 = p.copy()
    p2[:, 3] = 1.0
    q2 = benjamini_hochberg(p2, axis=0)
    np.testing.assert_array_equal(q2[:, :3], q[:, :3])
    assert (q2[:, 3] == 1.0).all()
