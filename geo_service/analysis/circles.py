"""Circles of H3 cells for the space-time scan: each cell's nearest cells within a radius.

Distances are between cell centroids in SWEREF 99 TM metres (see `projection`), so a radius of
1,000 m means the same on the ground anywhere in Sweden to within 0.2 %.
"""

from __future__ import annotations

import h3.api.basic_int as h3i
import numpy as np
from scipy.spatial import cKDTree

from geo_service.analysis.projection import to_sweref99tm


def cell_centroids_xy(cells: np.ndarray) -> np.ndarray:
    """(n, 2) SWEREF 99 TM easting/northing in metres of each int64 cell's centroid."""
    values = np.asarray(cells, dtype=np.int64).tolist()
    latlng = np.array([h3i.cell_to_latlng(c) for c in values], dtype=np.float64).reshape(-1, 2)
    x, y = to_sweref99tm(latlng[:, 0], latlng[:, 1])
    return np.column_stack([x, y])


def nearest_within(xy: np.ndarray, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Each point's neighbours within `radius_m` (itself first), nearest first.

    Returns (index, distance), both (n, k) with k the largest neighbour count; rows are padded
    with index n and distance inf. Equal distances are ordered by index, so circles grown
    from the lists are reproducible.
    """
    n = len(xy)
    if n == 0:
        return np.empty((0, 0), dtype=np.intp), np.empty((0, 0))
    tree = cKDTree(xy)
    k = min(n, 64)
    while True:
        dist, idx = tree.query(xy, k=k, distance_upper_bound=radius_m * (1 + 1e-12) + 1e-9)
        dist, idx = dist.reshape(n, k), idx.reshape(n, k)
        if k == n or not np.isfinite(dist[:, -1]).any():
            break
        k = min(n, 2 * k)
    order = np.lexsort((idx, dist), axis=1)
    idx = np.take_along_axis(idx, order, axis=1).astype(np.intp)
    dist = np.take_along_axis(dist, order, axis=1)
    width = int(np.isfinite(dist).sum(axis=1).max())
    return idx[:, :width], dist[:, :width]


def cells_in_circles(
    xy: np.ndarray, centres_xy: np.ndarray, radii_m: np.ndarray
) -> list[np.ndarray]:
    """For each circle (centre, radius), the indexes of the points of `xy` inside it.

    A scan cluster's circle grows through the cells with events; the empty cells inside the
    same radius belong to its area too (they add nothing to its counts).
    """
    tree = cKDTree(xy)
    return [
        np.sort(np.asarray(tree.query_ball_point(c, r * (1 + 1e-9) + 1e-6), dtype=np.intp))
        for c, r in zip(np.atleast_2d(centres_xy), np.asarray(radii_m, dtype=float), strict=True)
    ]


__all__ = ["cell_centroids_xy", "cells_in_circles", "nearest_within"]
