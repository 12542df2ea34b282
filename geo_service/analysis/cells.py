"""H3 cell identifiers: hex strings ↔ int64, points → cells, validation.

Cells travel as lowercase hex strings in results and as int64 inside the engine.
Every conversion works on the distinct values only, so a million events cost a few thousand calls.
"""

from __future__ import annotations

from collections.abc import Iterable

import h3.api.basic_int as h3i
import h3.api.numpy_int as h3n
import numpy as np
import pandas as pd

from geo_service.analysis.errors import AnalysisError

_RES_SHIFT = 52
_BASE_SHIFT = 45


def validate_resolution(resolution: object) -> int:
    """The H3 resolution as an int in 0–15, else an `invalid_resolution` error."""
    if isinstance(resolution, bool) or not isinstance(resolution, int | np.integer):
        raise AnalysisError(
            "invalid_resolution", f"resolution must be an integer 0–15, got {resolution!r}"
        )
    if not 0 <= int(resolution) <= 15:
        raise AnalysisError(
            "invalid_resolution", f"resolution must be between 0 and 15, got {resolution}"
        )
    return int(resolution)


def cell_resolution(cells: np.ndarray) -> np.ndarray:
    """Resolution of each int64 cell, read from the index bits (no per-cell call)."""
    return ((np.asarray(cells, dtype=np.int64) >> _RES_SHIFT) & 0xF).astype(np.int64)


def base_cell(cells: np.ndarray) -> np.ndarray:
    """Base cell number (0–121) of each int64 cell, read from the index bits."""
    return ((np.asarray(cells, dtype=np.int64) >> _BASE_SHIFT) & 0x7F).astype(np.int64)


def _unique_to_int(uniques: np.ndarray) -> np.ndarray:
    """Convert distinct cell ids (hex strings or integers) to int64 and check they are cells."""
    if uniques.dtype.kind in "iu":
        out = uniques.astype(np.int64)
        values: list[object] = out.tolist()
    else:
        values = uniques.tolist()
        out = np.empty(len(values), dtype=np.int64)
        for i, value in enumerate(values):
            try:
                out[i] = int(value, 16) if isinstance(value, str) else int(value)  # type: ignore[call-overload]
            except (TypeError, ValueError, OverflowError):
                out[i] = 0
    valid = np.fromiter(
        (c > 0 and h3i.is_valid_cell(c) for c in out.tolist()), dtype=bool, count=len(out)
    )
    if not valid.all():
        bad = values[int(np.argmin(valid))]
        raise AnalysisError("invalid_cell", f"not a valid H3 cell: {bad!r}")
    return out


def factorize_cells(
    values: Iterable[object] | pd.Series | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct int64 cells) for cells given as hex strings or integers, validated.

    Only the distinct values are parsed and checked; a categorical column is cheapest.
    """
    arr = values if isinstance(values, pd.Series | np.ndarray) else pd.Series(list(values))
    if len(arr) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if (codes < 0).any():
        raise AnalysisError("invalid_cell", "some events have no cell")
    return codes.astype(np.int64, copy=False), _unique_to_int(np.asarray(uniques))


def cells_to_int(values: Iterable[object] | pd.Series | np.ndarray) -> np.ndarray:
    """H3 cells given as hex strings or integers → int64 array, validated (invalid_cell)."""
    codes, uniques = factorize_cells(values)
    return uniques[codes]


def cells_to_hex(cells: np.ndarray) -> np.ndarray:
    """int64 cells → lowercase hex strings (object array), as in JSON and h3's str API."""
    return np.array([format(c, "x") for c in np.asarray(cells, dtype=np.int64).tolist()], object)


def points_to_cells(
    lat: np.ndarray, lon: np.ndarray, resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 points → (codes, distinct int64 cells) at `resolution`; one h3 call per point value."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    bad = ~(np.isfinite(lat) & np.isfinite(lon)) | (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        raise AnalysisError(
            "invalid_coordinates",
            f"{int(bad.sum())} events have missing or out-of-range lat/lon (WGS84 degrees)",
        )
    point_codes, points = pd.factorize(lat + 1j * lon)
    point_cells = np.fromiter(
        (
            h3i.latlng_to_cell(p.real, p.imag, resolution)
            for p in np.asarray(points, dtype=np.complex128).tolist()
        ),
        dtype=np.int64,
        count=len(points),
    )
    cell_codes, cells = pd.factorize(point_cells)
    return cell_codes[point_codes].astype(np.int64), np.asarray(cells, dtype=np.int64)


def grid_disk_cells(cells: np.ndarray, k: int) -> np.ndarray:
    """Sorted distinct int64 cells within grid distance k of any given cell (grid_disk union)."""
    cells = np.unique(np.asarray(cells, dtype=np.int64))
    if k == 0 or len(cells) == 0:
        return cells
    parts = [h3n.grid_disk(int(c), k).astype(np.int64) for c in cells.tolist()]
    return np.unique(np.concatenate(parts))


def cells_at_resolution(cells: Iterable[object] | np.ndarray, resolution: int) -> np.ndarray:
    """The same area at another resolution: parents when coarser, children when finer.

    Sorted distinct int64 cells; used to carry a study area across `resolution="auto"`.
    """
    given = np.unique(cells_to_int(cells if isinstance(cells, np.ndarray) else list(cells)))
    if len(given) == 0:
        return given
    current = int(cell_resolution(given[:1])[0])
    if resolution <= current:
        return np.unique(
            np.fromiter(
                (h3i.cell_to_parent(c, resolution) for c in given.tolist()), np.int64, len(given)
            )
        )
    children = [h3n.cell_to_children(c, resolution) for c in given.tolist()]
    return np.unique(np.concatenate(children).astype(np.int64))


__all__ = [
    "base_cell",
    "cells_at_resolution",
    "cell_resolution",
    "cells_to_hex",
    "cells_to_int",
    "factorize_cells",
    "grid_disk_cells",
    "points_to_cells",
    "validate_resolution",
]
