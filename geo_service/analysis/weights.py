"""Binary spatial weights of the study area, self included, as a sparse CSR matrix.

w_ij = 1 when cell j lies in grid_disk(i, k) and is part of the study area, else 0; w_ii = 1.
Neighbours outside the study area are not in the cube and get no weight.
"""

from __future__ import annotations

import h3
import h3.api.basic_int as h3i
import h3.api.numpy_int as h3n
import numpy as np
import scipy.sparse as sp

from geo_service.analysis.cells import base_cell

_SAMPLE_CHECK = 64


def disk_offsets(k: int) -> np.ndarray:
    """(di, dj) offsets of grid_disk(k) in H3 local IJ coordinates (hex distance ≤ k)."""
    r = np.arange(-k, k + 1)
    di, dj = (a.ravel() for a in np.meshgrid(r, r, indexing="ij"))
    dist = (np.abs(di) + np.abs(dj) + np.abs(di - dj)) // 2
    keep = dist <= k
    return np.column_stack([di[keep], dj[keep]])


def _csr_from_pairs(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    data = np.ones(len(rows), dtype=np.float64)
    w = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
    w.sum_duplicates()
    w.data[:] = 1.0
    return w


def _local_ij(cells: np.ndarray, origin: int) -> np.ndarray | None:
    """Local IJ coordinates of all cells relative to `origin`, or None where H3 cannot."""
    try:
        ij = [h3i.cell_to_local_ij(origin, c) for c in cells.tolist()]
    except h3.H3BaseException:
        return None
    return np.array(ij, dtype=np.int64).reshape(len(cells), 2)


def _hex_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = a - b
    return (np.abs(d[..., 0]) + np.abs(d[..., 1]) + np.abs(d[..., 0] - d[..., 1])) // 2


def _near_pentagon(cells: np.ndarray, ij: np.ndarray, origin: int, k: int) -> bool:
    """True when a pentagon of this resolution lies within 2k + 1 steps of the area.

    The hexagonal IJ chart breaks at pentagons; such areas take the grid_disk path.
    """
    res = h3i.get_resolution(origin)
    bases = set(np.unique(base_cell(cells)).tolist())
    for pentagon in h3i.get_pentagons(res):
        if h3i.get_base_cell_number(pentagon) not in bases:
            continue
        try:
            p_ij = np.array(h3i.cell_to_local_ij(origin, pentagon), dtype=np.int64)
        except h3.H3BaseException:
            return True
        if _hex_distance(ij, p_ij).min() <= 2 * k + 1:
            return True
    return False


def _weights_via_local_ij(cells: np.ndarray, k: int) -> sp.csr_matrix | None:
    """Neighbour lookup in local IJ space: one cheap h3 call per cell instead of a grid_disk.

    Returns None (caller falls back to grid_disk) when H3 cannot chart the area in one piece,
    when a pentagon is near, or when a spot check against grid_disk disagrees.
    """
    origin = int(cells[len(cells) // 2])
    ij = _local_ij(cells, origin)
    if ij is None or _near_pentagon(cells, ij, origin, k):
        return None
    lo = ij.min(axis=0) - k
    span = ij.max(axis=0) + k - lo + 1
    key = (ij[:, 0] - lo[0]) * span[1] + (ij[:, 1] - lo[1])
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    if len(sorted_key) > 1 and (np.diff(sorted_key) == 0).any():
        return None  # not a one-to-one chart of the area
    rows, cols = [], []
    n = len(cells)
    for di, dj in disk_offsets(k).tolist():
        cand = (ij[:, 0] + di - lo[0]) * span[1] + (ij[:, 1] + dj - lo[1])
        pos = np.minimum(np.searchsorted(sorted_key, cand), n - 1)
        hit = sorted_key[pos] == cand
        rows.append(np.nonzero(hit)[0])
        cols.append(order[pos[hit]])
    w = _csr_from_pairs(np.concatenate(rows), np.concatenate(cols), n)
    return w if _agrees_with_grid_disk(cells, w, k) else None


def _agrees_with_grid_disk(cells: np.ndarray, w: sp.csr_matrix, k: int) -> bool:
    """Spot-check rows of an IJ-built matrix against h3.grid_disk (cheap insurance)."""
    sorted_cells = np.sort(cells)
    rng = np.random.default_rng(0)
    sample = rng.choice(len(cells), size=min(_SAMPLE_CHECK, len(cells)), replace=False)
    for i in sample.tolist():
        disk = np.sort(h3n.grid_disk(int(cells[i]), k).astype(np.int64))
        pos = np.minimum(np.searchsorted(sorted_cells, disk), len(cells) - 1)
        expected = disk[sorted_cells[pos] == disk]
        got = np.sort(cells[w.indices[w.indptr[i] : w.indptr[i + 1]]])
        if not np.array_equal(expected, got):
            return False
    return True


def _weights_via_grid_disk(cells: np.ndarray, k: int) -> sp.csr_matrix:
    """Neighbour lookup with one h3.grid_disk call per cell (the reference path)."""
    sorter = np.argsort(cells, kind="stable")
    sorted_cells = cells[sorter]
    disks = [h3n.grid_disk(int(c), k) for c in cells.tolist()]
    sizes = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
    nbrs = np.concatenate(disks).astype(np.int64) if disks else np.empty(0, np.int64)
    rows = np.repeat(np.arange(len(cells)), sizes)
    pos = np.minimum(np.searchsorted(sorted_cells, nbrs), max(len(cells) - 1, 0))
    hit = sorted_cells[pos] == nbrs
    return _csr_from_pairs(rows[hit], sorter[pos[hit]], len(cells))


def spatial_weights(cells: np.ndarray, k: int = 1, method: str = "auto") -> sp.csr_matrix:
    """Binary CSR weights w_ij = [j ∈ grid_disk(i, k) ∩ study area], diagonal 1.

    `cells` are distinct int64 cells; row/column order follows it. `method`: "auto" uses local IJ
    coordinates when H3 supports them for the whole area (checked), else "grid_disk".
    """
    cells = np.asarray(cells, dtype=np.int64)
    n = len(cells)
    if n == 0:
        return sp.csr_matrix((0, 0))
    if k == 0:
        return sp.identity(n, format="csr", dtype=np.float64)
    if method in ("auto", "local_ij"):
        w = _weights_via_local_ij(cells, k)
        if w is not None:
            return w
    return _weights_via_grid_disk(cells, k)
