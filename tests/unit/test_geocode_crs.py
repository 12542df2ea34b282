"""Coordinate systems are told apart by their values; swapped axes are found and corrected."""

import numpy as np
import pytest
from pyproj import Transformer

from geo_service.geocode.crs import classify, project

LAT, LON = 56.1330, 13.3830  # Perstorp centrum
TM = Transformer.from_crs(4326, 3006, always_xy=True).transform(LON, LAT)


def _in(epsg: int) -> tuple[float, float]:
    """(northing, easting) of Perstorp centrum in `epsg`."""
    e, n = Transformer.from_crs(4326, epsg, always_xy=True).transform(LON, LAT)
    return n, e


@pytest.mark.parametrize(("epsg", "family"), [(3006, "tm"), (3008, "local"), (3021, "rt90")])
def test_value_ranges_name_the_system(epsg: int, family: str) -> None:
    n, e = _in(epsg)
    found, swapped = classify(np.array([n, e]), np.array([e, n]))
    assert list(found) == [family, family] and list(swapped) == [False, True]


def test_every_system_lands_on_the_same_point_in_3006() -> None:
    rows = [(LAT, LON), (LON, LAT), _in(3006), _in(3006)[::-1], _in(3021)]
    first, second = np.array(rows).T
    p = project(first, second, target=TM)
    assert p.ok.all()
    assert np.allclose(p.x, TM[0], atol=2) and np.allclose(p.y, TM[1], atol=2)
    assert list(p.swapped) == [False, True, False, True, False]


MERIDIANS = {
    3007: 12.0,
    3008: 13.5,
    3009: 15.0,
    3010: 16.5,
    3011: 18.0,
    3012: 14.25,
    3013: 15.75,
    3014: 17.25,
    3015: 18.75,
    3016: 20.25,
    3017: 21.75,
    3018: 23.25,
}


@pytest.mark.parametrize("zone", range(3007, 3019))
def test_local_zone_is_chosen_by_the_municipality(zone: int) -> None:
    """A municipality near each zone's meridian gets its points read in that zone."""
    lat, lon = (58.5 if zone <= 3011 else 65.0), MERIDIANS[zone] + 0.1
    e, n = Transformer.from_crs(4326, zone, always_xy=True).transform(lon, lat)
    target = Transformer.from_crs(4326, 3006, always_xy=True).transform(lon, lat)
    p = project(np.array([n]), np.array([e]), target=target)
    assert p.epsg[0] == zone
    assert np.hypot(p.x[0] - target[0], p.y[0] - target[1]) < 1


def test_sweref_declared_as_wgs84_is_read_as_sweref_with_a_warning() -> None:
    n, e = _in(3006)
    p = project(np.array([n]), np.array([e]), declared=4326)
    assert p.epsg[0] == 3006 and np.isclose(p.x[0], TM[0])
    assert "EPSG:4326" in p.warnings[0]


def test_values_outside_sweden_do_not_fit() -> None:
    p = project(np.array([0.0, 48.85, np.nan]), np.array([0.0, 2.35, 13.0]))
    assert not p.ok.any()
