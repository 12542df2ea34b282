"""The yearly lägesbild's map: reports per H3 cell over the year, places numbered by their count.

The same frames, scale bars, north arrow and legend as the meeting map (`mapimage`); the cells
are shaded with the palette's count ramp and the places carry their number in the table of
places (1 = the most reports in the year).
"""

from typing import Any

import numpy as np
from matplotlib.patches import Patch
from sqlalchemy.orm import Session

from geo_service.palette import COUNT_RAMP
from geo_service.reports.mapimage import (
    BOUNDARY_SQL,
    MapImage,
    MapLayers,
    compose_map,
    place_markers,
    read_frame,
)

YEAR_START = "make_timestamptz(:year, 1, 1, 0, 0, 0, 'Europe/Stockholm')"
YEAR_END = "make_timestamptz(:year + 1, 1, 1, 0, 0, 0, 'Europe/Stockholm')"
YEAR_CELLS_SQL = f"""
SELECT count(*) AS n, ST_AsBinary(h.geom) AS wkb
FROM event e JOIN h3_cell h ON h.cell = e.h3_r9
WHERE e.municipality_code = :mc AND e.kind = ANY(:kinds)
  AND e.occurred_at >= {YEAR_START} AND e.occurred_at < {YEAR_END}
GROUP BY h.cell, h.geom
"""
YEAR_PLACES_SQL = f"""
SELECT p.id, p.name, count(e.id) AS n, ST_AsBinary(p.geom) AS wkb
FROM place p LEFT JOIN event e ON e.municipality_code = p.municipality_code
  AND ST_Intersects(p.geom, e.geom) AND e.kind = ANY(:kinds)
  AND e.occurred_at >= {YEAR_START} AND e.occurred_at < {YEAR_END}
WHERE p.municipality_code = :mc AND p.geom IS NOT NULL
GROUP BY p.id, p.name, p.geom
ORDER BY n DESC, p.name
"""
MARKER_COLOUR = "#3a3a3a"
ROUND_LIMITS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
WORDS = {
    "sv": {"reports": "rapporter per cell", "number": "nr = plats i tabellen"},
    "en": {"reports": "reports per cell", "number": "no. = place in the table"},
}


def count_classes(counts: np.ndarray, n: int = len(COUNT_RAMP)) -> tuple[np.ndarray, list[str]]:
    """Each count's class (0 = lowest) by round upper limits, and a label per class ('6–10')."""
    counts = np.asarray(counts, dtype=int)
    if counts.size == 0:
        return counts, []
    top = int(counts.max())
    upper = np.array([u for u in ROUND_LIMITS if u < top][-(n - 1) :] + [top])
    lower = np.r_[1, upper[:-1] + 1]
    classes = np.searchsorted(upper, counts, side="left")
    labels = [f"{lo}" if lo == hi else f"{lo}–{hi}" for lo, hi in zip(lower, upper, strict=True)]
    return classes, labels


def yearly_map(
    session: Session, mc: str, year: int, kinds: list[str], lang: str = "sv"
) -> tuple[MapImage, list[dict[str, Any]]]:
    """The map and the places with their number, count in the year and frame letter."""
    params = {"mc": mc, "year": year, "kinds": kinds}
    cells = read_frame(session, YEAR_CELLS_SQL, params)
    places = read_frame(session, YEAR_PLACES_SQL, params)
    classes, labels = count_classes(cells["n"].to_numpy() if not cells.empty else np.array([]))
    ramp = COUNT_RAMP[len(COUNT_RAMP) - len(labels) :]
    if not cells.empty:
        cells = cells.assign(colour=[ramp[c] for c in classes], alpha=0.85, hatched=False)
    numbers = {int(pid): i + 1 for i, pid in enumerate(places.get("id", []))}
    words = WORDS[lang]
    legend = [
        Patch(fc=colour, alpha=0.85, label=f"{label} {words['reports']}")
        for colour, label in zip(ramp, labels, strict=True)
    ]
    legend.append(Patch(fc=MARKER_COLOUR, ec="k", label=words["number"]))
    layers = MapLayers(
        boundary=read_frame(session, BOUNDARY_SQL, params),
        cells=cells,
        outlines=[(places, MARKER_COLOUR, 1.0)],
        markers=place_markers(places, numbers),
        marker_colours=dict.fromkeys(numbers.values(), MARKER_COLOUR),
        names={numbers[int(row.id)]: row.name for row in places.itertuples()},
        legend=legend,
    )
    image = compose_map(layers, lang)
    listed = [
        {"number": numbers[int(row.id)], "name": row.name, "events": int(row.n)}
        for row in places.itertuples()
    ]
    for item in listed:
        item["frame"] = image.frame_of(item["number"])
    return image, listed
