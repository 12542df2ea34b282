"""Place names and aliases ('stationen', 'Centrumparken') → the place's representative point."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, text

from geo_service.geocode.text import fold, map_unique


@dataclass(frozen=True)
class PlaceIndex:
    """Folded name or alias → (place id, x, y) in EPSG:3006, and the polygons, smallest first."""

    by_name: dict[str, tuple[int, float, float]]
    ids: tuple[int, ...] = ()
    polygons: tuple[object, ...] = ()

    def containing(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The smallest place each point falls in (0 for none), as the loader's SQL would."""
        out = np.zeros(len(x), dtype=np.int64)
        bounds = shapely.bounds(np.array(self.polygons, dtype=object)).reshape(-1, 4)
        for place_id, polygon, box in zip(self.ids, self.polygons, bounds, strict=True):
            x0, y0, x1, y1 = box
            near = (out == 0) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # its bounding box
            idx = np.flatnonzero(near)
            out[idx[shapely.intersects_xy(polygon, x[idx], y[idx])]] = place_id
        return out

    def lookup(self, names: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Place id (-1 when unknown), x and y per name."""
        folded = map_unique(names, fold)
        hits = folded.map(self.by_name)
        found = hits.notna().to_numpy()
        ids = np.full(len(names), -1, dtype=np.int64)
        x = np.full(len(names), np.nan)
        y = np.full(len(names), np.nan)
        if found.any():
            values = np.array(hits[found].tolist(), dtype=float)
            ids[found], x[found], y[found] = values[:, 0], values[:, 1], values[:, 2]
        return ids, x, y


def load_places(conn: Connection, municipality_code: str) -> PlaceIndex:
    """All places of the municipality with their names and aliases, folded."""
    rows = conn.execute(
        text(
            "SELECT id, name, aliases, ST_X(coalesce(point, ST_PointOnSurface(geom))), "
            "ST_Y(coalesce(point, ST_PointOnSurface(geom))), ST_AsBinary(geom) FROM place "
            "WHERE municipality_code = :mc ORDER BY ST_Area(geom), id"
        ),
        {"mc": municipality_code},
    ).all()
    by_name: dict[str, tuple[int, float, float]] = {}
    ids, polygons = [], []
    for place_id, name, aliases, x, y, _wkb in sorted(rows, key=lambda r: r[0]):
        for label in [name, *(aliases or [])]:
            by_name.setdefault(fold(label), (place_id, x, y))
    for place_id, *_, wkb in rows:
        if wkb is not None:
            polygon = shapely.from_wkb(bytes(wkb))
            shapely.prepare(polygon)
            ids.append(place_id)
            polygons.append(polygon)
    return PlaceIndex(by_name, tuple(ids), tuple(polygons))
