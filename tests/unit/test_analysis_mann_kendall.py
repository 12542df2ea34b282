"""Mann–Kendall: hand-worked examples with ties, τ_b against scipy."""

import numpy as np
import pytest
from scipy import stats

from geo_service.analysis.mann_kendall import mann_kendall, trend_direction


def test_hand_worked_example_with_one_tie_group():
    # x = 3, 1, 2, 2, 4. Pairs (k < j), sgn(x_j − x_k):
    #   from 3: −1 −1 −1 +1 = −2;  from 1: +1 +1 +1 = +3;  from 2: 0 +1 = +1;  from 2: +1
    #   S = −2 + 3 + 1 + 1 = 3
    # Ties: one group of t = 2 → Σ t(t−1)(2t+5) = 2·1·9 = 18
    # Var(S) = (5·4·15 − 18)/18 = 282/18 = 15.666…
    # z = (3 − 1)/√15.666… = 0.505291…;  p = 2(1 − Φ(z)) = 2(1 − 0.693323) = 0.613354…
    # τ_b = S/√((n0 − n1)·n0) with n0 = 10 pairs, n1 = 1 tied pair → 3/√90 = 0.316228
    r = mann_kendall(np.array([[3, 1, 2, 2, 4]]))
    assert r.s[0] == 3
    assert r.var_s[0] == pytest.approx(282 / 18)
    assert r.z[0] == pytest.approx(2 / np.sqrt(282 / 18), abs=1e-12)
    assert r.z[0] == pytest.approx(0.505291, abs=1e-6)
    assert r.p[0] == pytest.approx(0.613354, abs=1e-6)
    assert r.tau[0] == pytest.approx(3 / np.sqrt(90), abs=1e-12)


def test_hand_worked_example_with_two_tie_groups():
    # x = 1, 3, 1, 2, 3, 3. Row sums of sgn(x_j − x_k) over j > k:
    #   from 1: +1 0 +1 +1 +1 = 4;  from 3: −1 −1 0 0 = −2;  from 1: +1 +1 +1 = 3;
    #   from 2: +1 +1 = 2;  from 3: 0.   S = 7
    # Ties: {1, 1} t = 2 → 18; {3, 3, 3} t = 3 → 3·2·11 = 66; Σ = 84
    # Var(S) = (6·5·17 − 84)/18 = 426/18;  z = 6/√(426/18) = 1.233340…
    # τ_b: n0 = 15, n1 = 1 + 3 = 4 → 7/√(11·15) = 0.544949…
    r = mann_kendall(np.array([[1, 3, 1, 2, 3, 3]]))
    assert r.s[0] == 7
    assert r.var_s[0] == pytest.approx(426 / 18)
    assert r.z[0] == pytest.approx(6 / np.sqrt(426 / 18), abs=1e-12)
    assert r.z[0] == pytest.approx(1.233340, abs=1e-6)
    assert r.tau[0] == pytest.approx(7 / np.sqrt(165), abs=1e-12)
    assert r.p[0] == pytest.approx(2 * stats.norm.sf(6 / np.sqrt(426 / 18)), abs=1e-12)


def test_negative_s_uses_continuity_correction_towards_zero():
    r = mann_kendall(np.array([[4, 2, 2, 1, 3]]))
    # from 4: −1 −1 −1 −1 = −4; from 2: 0 −1 +1 = 0; from 2: −1 +1 = 0; from 1: +1 → S = −3
    assert r.s[0] == -3
    assert r.z[0] == pytest.approx(-2 / np.sqrt(r.var_s[0]))


def test_tau_b_equals_scipy_kendalltau_on_tied_series():
    rng = np.random.default_rng(11)
    series = rng.poisson(1.2, size=(300, 26)).astype(float)  # many ties
    series[:5] = rng.normal(size=(5, 26))  # and some without ties
    r = mann_kendall(series)
    time = np.arange(series.shape[1])
    expected = np.array([stats.kendalltau(time, row).statistic for row in series])
    np.testing.assert_allclose(r.tau, expected, atol=1e-12)


def test_long_series_in_many_chunks_match_a_row_by_row_reference():
    rng = np.random.default_rng(5)
    series = rng.poisson(0.7, size=(9000, 40)).astype(float)  # > one chunk, two threads
    r = mann_kendall(series)
    for i in rng.choice(len(series), 20, replace=False):
        x = series[i]
        s = sum(np.sign(x[j] - x[k]) for k in range(40) for j in range(k + 1, 40))
        assert r.s[i] == s


def test_constant_series_has_no_trend_and_no_nan():
    r = mann_kendall(np.full((3, 10), 2.0))
    assert (r.s == 0).all() and (r.z == 0).all() and (r.p == 1).all() and (r.tau == 0).all()


def test_trend_direction_uses_alpha():
    up = np.arange(20, dtype=float)
    r = mann_kendall(np.vstack([up, -up, np.zeros(20)]))
    assert trend_direction(r, 0.05).tolist() == [1, -1, 0]
