"""H3 cells as int64 arrays: indexing points, coarsening, hex conversion and polygons."""

import h3
import numpy as np
import pyarrow as pa
import shapely
from h3 import LatLngPoly, polygon_to_cells_experimental
from h3ronpy.vector import coordinates_to_cells
from pyproj import Transformer

_RES_SHIFT = np.uint64(52)
_RES_MASK = np.uint64(15) << _RES_SHIFT
_TO_3006 = Transformer.from_crs(4326, 3006, always_xy=True)


def latlng_to_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cells (int64) of WGS84 points at one resolution, vectorised (h3ronpy, on h3o)."""
    cells = coordinates_to_cells(
        np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), resolution
    )
    return np.asarray(pa.array(cells), dtype=np.uint64).view(np.int64)


def parent_cells(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Parents at a coarser resolution by bit arithmetic (the same as h3.cell_to_parent).

    The index keeps its resolution in bits 52–55 and 15 three-bit digits below; digits
    finer than the resolution are all ones. SQL has the same as the function h3_parent().
    """
    u = np.asarray(cells, dtype=np.int64).view(np.uint64)
    unused = (np.uint64(1) << np.uint64((15 - resolution) * 3)) - np.uint64(1)
    out = (u & ~_RES_MASK) | (np.uint64(resolution) << _RES_SHIFT) | unused
    return out.view(np.int64)


def cells_to_hex(cells: np.ndarray) -> list[str]:
    """Lowercase hex strings, the form cells travel in through JSON."""
    return [format(int(c), "x") for c in np.asarray(cells, dtype=np.int64).view(np.uint64)]


def cells_from_hex(cells: list[str] | np.ndarray) -> np.ndarray:
    """int64 cells from hex strings."""
    return np.fromiter((int(c, 16) for c in cells), dtype=np.uint64, count=len(cells)).view(
        np.int64
    )


def cell_polygons(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell boundaries as shapely polygons in EPSG:4326 and EPSG:3006."""
    rings_lon, rings_lat, offsets = [], [], [0]
    for c in np.asarray(cells, dtype=np.int64).view(np.uint64).tolist():
        boundary = h3.cell_to_boundary(format(c, "x"))
        rings_lat.extend(p[0] for p in boundary)
        rings_lon.extend(p[1] for p in boundary)
        rings_lat.append(boundary[0][0])
        rings_lon.append(boundary[0][1])
        offsets.append(len(rings_lat))
    lon = np.asarray(rings_lon)
    lat = np.asarray(rings_lat)
    ring_index = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    wgs = shapely.polygons(shapely.linearrings(lon, lat, indices=ring_index))
    x, y = _TO_3006.transform(lon, lat)
    sweref = shapely.polygons(shapely.linearrings(x, y, indices=ring_index))
    return wgs, sweref


def polygon_cells(geom_4326: shapely.Geometry, resolution: int) -> list[str]:
    """Hex cells that overlap a WGS84 (multi)polygon: the study area that covers a boundary."""
    cells: set[str] = set()
    for polygon in getattr(geom_4326, "geoms", [geom_4326]):
        outer = [(lat, lon) for lon, lat in polygon.exterior.coords]
        holes = [[(lat, lon) for lon, lat in ring.coords] for ring in polygon.interiors]
        shape = LatLngPoly(outer, *holes)
        cells |= set(polygon_to_cells_experimental(shape, resolution, "overlap"))
    return sorted(cells)
