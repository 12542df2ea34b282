"""A map image of the municipality: hotspot cells by category and the ranked places.

Drawn with matplotlib from PostGIS geometries in EPSG:3006 (no basemap tiles: the report must
work with no network). Two panels: the whole municipality and the main town close up.
"""

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import PolyCollection
from matplotlib.patches import Patch
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.analysis.categories import CATEGORY_LABELS, HOT_CATEGORIES
from geo_service.reports.charts import plt, to_data_uri

CATEGORY_COLOURS = {
    "new_hot": "#ff7f00",
    "consecutive_hot": "#fdbf6f",
    "intensifying_hot": "#b10026",
    "persistent_hot": "#e31a1c",
    "diminishing_hot": "#fc9272",
    "oscillating_hot": "#c994c7",
    "sporadic_hot": "#fed976",
    "historical_hot": "#bdbdbd",
}
LEVEL_COLOURS = {"red": "#c0392b", "yellow": "#d4a017", "green": "#2e8b57"}


def _frame(session: Session, sql: str, params: dict[str, Any]) -> gpd.GeoDataFrame:
    rows = session.execute(text(sql), params).mappings().all()
    frame = pd.DataFrame(rows)
    if frame.empty:
        return gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=3006)
    frame["geometry"] = shapely.from_wkb([bytes(b) for b in frame.pop("wkb")])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=3006)


def _rings(geoms: Any) -> list[np.ndarray]:
    """Exterior rings of (multi)polygons as coordinate arrays, for one PolyCollection."""
    parts = shapely.get_parts(np.asarray(list(geoms), dtype=object))
    return [np.asarray(p.exterior.coords) for p in parts if not p.is_empty]


def _draw(
    ax: Any,
    boundary: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    ranks: dict[int, dict[str, Any]],
    labels: bool,
) -> None:
    if not boundary.empty:
        ax.add_collection(PolyCollection(_rings(boundary.geometry), facecolor="#f7f7f4",
                                         edgecolor="#444", lw=1))  # fmt: skip
    if not cells.empty:
        for category, group in cells.groupby("category"):
            ax.add_collection(PolyCollection(
                _rings(group.geometry), facecolor=CATEGORY_COLOURS.get(category, "#999"),
                edgecolor="white", lw=0.3, alpha=0.85))  # fmt: skip
    if not places.empty:
        colours = [
            LEVEL_COLOURS.get(ranks.get(pid, {}).get("level", "green"), "#555")
            for pid in places["id"]
        ]
        ax.add_collection(PolyCollection([np.asarray(g.geoms[0].exterior.coords)
                                          if g.geom_type == "MultiPolygon"
                                          else np.asarray(g.exterior.coords)
                                          for g in places.geometry],
                                         facecolor="none", edgecolor=colours, lw=1.8))  # fmt: skip
    if labels:
        for row in places.itertuples():
            info = ranks.get(row.id)
            if not info:
                continue
            c = row.geometry.representative_point()
            colour = LEVEL_COLOURS.get(info["level"], "#555")
            ax.annotate(f"{info['rank']}. {row.name}", (c.x, c.y), fontsize=7, ha="center",
                        va="center", weight="bold", annotation_clip=True,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour,
                              "alpha": 0.85})  # fmt: skip
    ax.autoscale_view()
    ax.set_axis_off()
    ax.set_aspect("equal")


def municipality_map(
    session: Session, mc: str, run_id: int, items: list[dict[str, Any]], lang: str = "sv"
) -> str:
    """A PNG data URI: hot cells of the run by emerging category, places by level and rank."""
    boundary = _frame(
        session,
        "SELECT ST_AsBinary(boundary) AS wkb FROM municipality "
        "WHERE municipality_code = :mc AND boundary IS NOT NULL",
        {"mc": mc},
    )
    cells = _frame(
        session,
        "SELECT ac.category, ST_AsBinary(h.geom) AS wkb FROM analysis_cell ac "
        "JOIN h3_cell h ON h.cell = ac.cell WHERE ac.municipality_code = :mc "
        "AND ac.run_id = :run AND ac.category = ANY(:hot)",
        {"mc": mc, "run": run_id, "hot": list(HOT_CATEGORIES)},
    )
    places = _frame(
        session,
        "SELECT id, name, ST_AsBinary(geom) AS wkb FROM place "
        "WHERE municipality_code = :mc AND geom IS NOT NULL ORDER BY id",
        {"mc": mc},
    )
    ranks = {item["place_id"]: item for item in items}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.6))
    _draw(left, boundary, cells, places, ranks, labels=False)
    _draw(right, boundary, cells, places, ranks, labels=True)
    if not places.empty:
        centres = places.geometry.centroid
        mid = shapely.Point(np.median(centres.x), np.median(centres.y))
        near = places[centres.distance(mid) < 3000]
        minx, miny, maxx, maxy = (near if not near.empty else places).total_bounds
        pad = 400
        right.set_xlim(minx - pad, maxx + pad)
        right.set_ylim(miny - pad, maxy + pad)
        left.add_patch(
            plt.Rectangle(
                (minx - pad, miny - pad),
                maxx - minx + 2 * pad,
                maxy - miny + 2 * pad,
                fill=False,
                ec="#1b6ca8",
                lw=1,
                ls="--",
            )  # fmt: skip
        )
    present = sorted(set(cells["category"])) if not cells.empty else []
    handles = [
        Patch(color=CATEGORY_COLOURS[c], label=CATEGORY_LABELS[c][lang])
        for c in HOT_CATEGORIES
        if c in present
    ]
    handles += [
        Patch(fill=False, ec=colour, lw=1.8, label=level)
        for level, colour in zip(
            ("röd", "gul", "grön") if lang == "sv" else ("red", "yellow", "green"),
            LEVEL_COLOURS.values(),
            strict=True,
        )
    ]
    fig.legend(handles=handles, loc="lower center", ncols=min(len(handles), 6), fontsize=8,
               frameon=False)  # fmt: skip
    left.set_title("Kommunen" if lang == "sv" else "The municipality", fontsize=10)
    right.set_title("Tätorten" if lang == "sv" else "The town", fontsize=10)
    return to_data_uri(fig)
