"""H3 indexing (vectorised) and cell geometry."""

from geo_service.grid.cells import (
    cell_polygons,
    cells_from_hex,
    cells_to_hex,
    latlng_to_cells,
    parent_cells,
    polygon_cells,
)

__all__ = [
    "cell_polygons",
    "cells_from_hex",
    "cells_to_hex",
    "latlng_to_cells",
    "parent_cells",
    "polygon_cells",
]
