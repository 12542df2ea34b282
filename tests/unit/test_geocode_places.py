"""Points in places: the smallest place first, boundaries included."""

import numpy as np
import shapely

from geo_service.geocode.places import PlaceIndex


def test_containing_is_the_first_place_that_intersects() -> None:
    small = shapely.box(0, 0, 10, 10)
    large = shapely.Polygon([(-50, -50), (60, -40), (40, 70), (-30, 40)])
    for polygon in (small, large):
        shapely.prepare(polygon)
    index = PlaceIndex({}, ids=(7, 3), polygons=(small, large))
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-80, 80, 5000), [10, 0, np.nan, 60]])
    y = np.concatenate([rng.uniform(-80, 80, 5000), [5, 0, 1, -40]])
    expected = np.where(
        shapely.intersects_xy(small, x, y), 7, np.where(shapely.intersects_xy(large, x, y), 3, 0)
    )
    assert index.containing(x, y).tolist() == expected.tolist()
    assert index.containing(x, y)[-4:].tolist() == [7, 7, 0, 3]


def test_no_places() -> None:
    assert PlaceIndex({}).containing(np.array([1.0]), np.array([2.0])).tolist() == [0]
