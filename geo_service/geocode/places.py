"""Place names and aliases ('stationen', 'Centrumparken') → the place's representative point."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.ingest.mapping import fold


@dataclass(frozen=True)
class PlaceIndex:
    """Folded name or alias → (place id, x, y) in EPSG:3006 for one municipality."""

    by_name: dict[str, tuple[int, float, float]]

    def lookup(self, names: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Place id (-1 when unknown), x and y per name."""
        folded = names.fillna("").map(fold)
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
            "ST_Y(coalesce(point, ST_PointOnSurface(geom))) FROM place "
            "WHERE municipality_code = :mc ORDER BY id"
        ),
        {"mc": municipality_code},
    ).all()
    by_name: dict[str, tuple[int, float, float]] = {}
    for place_id, name, aliases, x, y in rows:
        for label in [name, *(aliases or [])]:
            by_name.setdefault(fold(label), (place_id, x, y))
    return PlaceIndex(by_name)
