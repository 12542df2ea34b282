"""Change test against scipy.stats.binomtest, one case at a time."""

import numpy as np
import pytest
from scipy import stats

from geo_service.analysis.change import rate_change, rate_change_from_cube


@pytest.mark.parametrize("steps", [6, 3])
def test_matches_binomtest_by_hand(steps):
    current = np.array([12, 0, 5, 3, 40, 7])
    baseline = np.array([24, 9, 0, 18, 60, 7])
    r = rate_change(current, baseline, steps=steps)
    for i, (c, b) in enumerate(zip(current.tolist(), baseline.tolist(), strict=True)):
        test = stats.binomtest(c, c + b, p=1 / (steps + 1), alternative="greater")
        assert r.p_increase[i] == pytest.approx(test.pvalue, rel=1e-9)
        ci = stats.binomtest(c, c + b).proportion_ci(confidence_level=0.95, method="exact")
        to_ratio = lambda pi: np.inf if pi >= 1 else steps * pi / (1 - pi)  # noqa: E731
        assert r.ci_low[i] == pytest.approx(to_ratio(ci.low), rel=1e-8)
        assert r.ci_high[i] == pytest.approx(to_ratio(ci.high), rel=1e-8)
        expected_ratio = c / (b / steps) if b else np.inf
        assert r.rate_ratio[i] == pytest.approx(expected_ratio)


def test_the_explanation_example():
    # "12 reports, 3.0× the usual level": 12 now vs 24 in the previous 6 steps (4 per step).
    r = rate_change(12, 24, steps=6)
    assert float(r.rate_ratio) == pytest.approx(3.0)
    assert float(r.p_increase) < 0.01
    assert float(r.ci_low) > 1.0


def test_no_events_at_all():
    r = rate_change(0, 0, steps=6)
    assert np.isnan(r.rate_ratio) and float(r.p_increase) == 1.0
    assert float(r.ci_low) == 0.0 and np.isinf(r.ci_high)


def test_from_cube_uses_last_step_and_previous_steps():
    counts = np.array([[1, 1, 1, 1, 1, 1, 1, 5], [0, 0, 0, 0, 0, 0, 0, 0]])
    r = rate_change_from_cube(counts, steps=6)
    assert r.current.tolist() == [5, 0] and r.baseline.tolist() == [6, 0]
    assert r.rate_ratio[0] == pytest.approx(5.0)
    short = rate_change_from_cube(counts[:, -3:], steps=6)  # only 2 earlier steps available
    assert short.steps == 2 and short.baseline.tolist() == [2, 0]
