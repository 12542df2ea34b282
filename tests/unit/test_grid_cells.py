"""H3 indexing of points: the vectorised path gives the cells the h3 library gives."""

import h3
import numpy as np
import pytest

from geo_service.grid import latlng_to_cells, parent_cells


@pytest.mark.parametrize("resolution", [0, 8, 10, 15])
def test_cells_are_those_of_h3(resolution: int) -> None:
    rng = np.random.default_rng(resolution)
    lat = np.concatenate([rng.uniform(55, 69.5, 2000), rng.uniform(-90, 90, 2000), [90, -90]])
    lon = np.concatenate([rng.uniform(10, 24.5, 2000), rng.uniform(-180, 180, 2000), [0, 180]])
    cells = latlng_to_cells(lat, lon, resolution)
    expected = [int(h3.latlng_to_cell(a, b, resolution), 16) for a, b in zip(lat, lon, strict=True)]
    assert cells.dtype == np.int64
    assert cells.view(np.uint64).tolist() == expected


def test_parents_by_bit_arithmetic() -> None:
    cells = latlng_to_cells(np.array([56.14, 55.6]), np.array([13.39, 13.0]), 10)
    for resolution in (8, 9):
        expected = [int(h3.cell_to_parent(format(c, "x"), resolution), 16) for c in cells]
        assert parent_cells(cells, resolution).view(np.uint64).tolist() == expected


def test_no_points() -> None:
    assert latlng_to_cells(np.array([]), np.array([]), 10).shape == (0,)
