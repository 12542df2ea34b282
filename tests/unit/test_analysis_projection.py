"""SWEREF 99 TM projection of events, checked against the Gauss–Krüger formulas by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.projection import event_xy, to_sweref99tm

# lat, lon across Sweden: Perstorp, Smygehuk, Strömstad, Visby, Stockholm, Haparanda, Treriksröset
POINTS = np.array(
    [
        [56.133, 13.383],
        [55.337, 13.359],
        [58.938, 11.170],
        [57.639, 18.296],
        [59.329, 18.069],
        [65.835, 24.137],
        [69.060, 20.548],
    ]
)


def gauss_kruger_sweref99tm(lat: float, lon: float) -> tuple[float, float]:
    """(easting, northing) by the Gauss–Krüger series for GRS 80, central meridian 15° E.

    The forward formulas as published for SWEREF 99 by the Swedish mapping agency (Krüger's
    series to the fourth order in n, millimetre accuracy within the zone).
    """
    a, f = 6378137.0, 1 / 298.257222101
    k0, lon0, false_easting = 0.9996, math.radians(15.0), 500000.0
    e2 = f * (2 - f)
    n = f / (2 - f)
    a_hat = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    big_a = e2
    big_b = (5 * e2**2 - e2**3) / 6
    big_c = (104 * e2**3 - 45 * e2**4) / 120
    big_d = 1237 * e2**4 / 1260
    phi, lam = math.radians(lat), math.radians(lon)
    s = math.sin(phi)
    phi_star = phi - s * math.cos(phi) * (big_a + big_b * s**2 + big_c * s**4 + big_d * s**6)
    d_lam = lam - lon0
    xi = math.atan(math.tan(phi_star) / math.cos(d_lam))
    eta = math.atanh(math.cos(phi_star) * math.sin(d_lam))
    beta = [
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    ]
    north = xi + sum(
        b * math.sin(2 * k * xi) * math.cosh(2 * k * eta) for k, b in enumerate(beta, 1)
    )
    east = eta + sum(
        b * math.cos(2 * k * xi) * math.sinh(2 * k * eta) for k, b in enumerate(beta, 1)
    )
    return k0 * a_hat * east + false_easting, k0 * a_hat * north


def test_perstorp_centre_lies_near_easting_399_5_km_and_northing_6222_km() -> None:
    x, y = to_sweref99tm([56.133], [13.383])
    assert x[0] == pytest.approx(399_500, abs=50)
    assert y[0] == pytest.approx(6_222_050, abs=50)


def test_projection_matches_the_gauss_kruger_formulas_to_the_millimetre_across_sweden() -> None:
    x, y = to_sweref99tm(POINTS[:, 0], POINTS[:, 1])
    expected = np.array([gauss_kruger_sweref99tm(lat, lon) for lat, lon in POINTS])
    np.testing.assert_allclose(x, expected[:, 0], atol=1e-3)
    np.testing.assert_allclose(y, expected[:, 1], atol=1e-3)


def test_projection_agrees_with_pyproj_in_the_authority_axis_order() -> None:
    # EPSG:4326 is (lat, lon) and EPSG:3006 is (northing, easting) in the authority order.
    authority = Transformer.from_crs("EPSG:4326", "EPSG:3006")
    north, east = authority.transform(POINTS[:, 0], POINTS[:, 1])
    x, y = to_sweref99tm(POINTS[:, 0], POINTS[:, 1])
    np.testing.assert_allclose(x, east, atol=1e-6)
    np.testing.assert_allclose(y, north, atol=1e-6)


def test_event_xy_uses_projected_columns_as_they_are() -> None:
    events = pd.DataFrame({"x": [398_000.5, 399_000.0], "y": [6_221_000.0, 6_222_000.25]})
    x, y = event_xy(events)
    np.testing.assert_array_equal(x, [398_000.5, 399_000.0])
    np.testing.assert_array_equal(y, [6_221_000.0, 6_222_000.25])


def test_event_xy_projects_lat_lon_when_there_are_no_projected_columns() -> None:
    events = pd.DataFrame({"lat": POINTS[:, 0], "lon": POINTS[:, 1]})
    x, y = event_xy(events)
    expected = np.array([gauss_kruger_sweref99tm(lat, lon) for lat, lon in POINTS])
    np.testing.assert_allclose(np.c_[x, y], expected, atol=1e-3)


def test_event_xy_without_coordinates_is_an_invalid_events_error() -> None:
    with pytest.raises(AnalysisError) as err:
        event_xy(pd.DataFrame({"occurred_at": ["2026-01-01"]}))
    assert err.value.code == "invalid_events"


@pytest.mark.parametrize(
    "events",
    [
        pd.DataFrame({"lat": [56.1, np.nan], "lon": [13.4, 13.4]}),
        pd.DataFrame({"lat": [56.1, 91.0], "lon": [13.4, 13.4]}),
        pd.DataFrame({"lat": [56.1, 56.1], "lon": [13.4, "öster"]}),
        pd.DataFrame({"x": [398_000.0, None], "y": [6_221_000.0, 6_221_000.0]}),
    ],
)
def test_missing_or_impossible_coordinates_are_an_invalid_coordinates_error(
    events: pd.DataFrame,
) -> None:
    with pytest.raises(AnalysisError) as err:
        event_xy(events)
    assert err.value.code == "invalid_coordinates"
