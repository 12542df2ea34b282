"""Spatial weights: the fast local-IJ path must equal h3.grid_disk exactly."""

import h3
import numpy as np
import pytest

from geo_service.analysis.cells import cells_to_int
from geo_service.analysis.weights import _weights_via_local_ij, disk_offsets, spatial_weights


def _reference(cells: np.ndarray, k: int) -> set[tuple[int, int]]:
    """(row, col) pairs straight from h3.grid_disk, restricted to the study area."""
    index = {c: i for i, c in enumerate(cells.tolist())}
    pairs = set()
    for i, c in enumerate(cells.tolist()):
        for n in h3.grid_disk(h3.int_to_str(c), k):
            j = index.get(h3.str_to_int(n))
            if j is not None:
                pairs.add((i, j))
    return pairs


def _pairs(w) -> set[tuple[int, int]]:
    coo = w.tocoo()
    assert (coo.data == 1.0).all()
    return set(zip(coo.row.tolist(), coo.col.tolist(), strict=True))


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (55.9, 13.5),  # Skåne
        (59.0, 24.0),  # across an icosahedron face edge (faces 0 and 4)
        (64.2, 12.0),  # Jämtland, across the same face edge
        (64.7, 11.0),  # 20 km from the pentagon in Trøndelag
        (64.7, 10.53),  # the pentagon itself: must fall back to grid_disk
    ],
)
@pytest.mark.parametrize("k", [1, 2])
def test_weights_equal_grid_disk(lat, lon, k):
    cells = cells_to_int(h3.grid_disk(h3.latlng_to_cell(lat, lon, 9), 12))
    cells = cells[np.random.default_rng(0).random(len(cells)) < 0.75]  # ragged, with holes
    assert _pairs(spatial_weights(cells, k)) == _reference(cells, k)


@pytest.mark.parametrize(("lat", "lon"), [(55.9, 13.5), (59.0, 24.0), (64.2, 12.0)])
def test_fast_path_is_used_away_from_pentagons(lat, lon):
    cells = cells_to_int(h3.grid_disk(h3.latlng_to_cell(lat, lon, 9), 12))
    faces = {f for c in cells.tolist() for f in h3.get_icosahedron_faces(h3.int_to_str(c))}
    w = _weights_via_local_ij(cells, 1)
    assert w is not None, faces
    assert _pairs(w) == _reference(cells, 1)


def test_k_zero_is_identity():
    cells = cells_to_int(h3.grid_disk(h3.latlng_to_cell(55.6, 13.0, 9), 2))
    w = spatial_weights(cells, 0)
    assert _pairs(w) == {(i, i) for i in range(len(cells))}


def test_disk_offsets_count():
    for k in range(5):
        assert len(disk_offsets(k)) == 3 * k * (k + 1) + 1
