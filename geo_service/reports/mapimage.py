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

from geo_service.analysis.categories import HOT_CATEGORIES
from geo_service.palette import (
    CATEGORY_COLOURS,
    CERTAIN_OPACITY,
    CLUSTER_COLOURS,
    LEVEL_COLOURS,
    UNCERTAIN_OPACITY,
    category_label,
)
from geo_service.reports.charts import plt, to_data_uri


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
    alarms: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    ranks: dict[int, dict[str, Any]],
    labels: bool,
) -> None:
    if not boundary.empty:
        ax.add_collection(
            PolyCollection(_rings(boundary.geometry), facecolor="#f7f7f4", edgecolor="#444", lw=1)
        )
    if not cells.empty:
        for (category, uncertain), group in cells.groupby(["category", "uncertain"]):
            colour = CATEGORY_COLOURS.get(category, "#999")
            ax.add_collection(
                PolyCollection(
                    _rings(group.geometry),
                    facecolor=colour,
                    edgecolor="white",
                    lw=0.3,
                    alpha=UNCERTAIN_OPACITY if uncertain else CERTAIN_OPACITY,
                )
            )
            if uncertain:  # hatched, as in every output
                ax.add_collection(
                    PolyCollection(
                        _rings(group.geometry),
                        facecolor="none",
                        edgecolor=colour,
                        lw=0,
                        hatch="////",
                    )
                )
    if not alarms.empty:
        outline = CLUSTER_COLOURS["scan_alarm"]
        ax.add_collection(
            PolyCollection(_rings(alarms.geometry), facecolor="none", edgecolor=outline, lw=2.2)
        )
    if not places.empty:
        colours = [
            LEVEL_COLOURS.get(ranks.get(pid, {}).get("level", "green"), "#555")
            for pid in places["id"]
        ]
        ax.add_collection(
            PolyCollection(
                [
                    np.asarray(g.geoms[0].exterior.coords)
                    if g.geom_type == "MultiPolygon"
                    else np.asarray(g.exterior.coords)
                    for g in places.geometry
                ],
                facecolor="none",
                edgecolor=colours,
                lw=1.8,
            )
        )
    if labels:
        for row in places.itertuples():
            info = ranks.get(row.id)
            if not info:
                continue
            c = row.geometry.representative_point()
            colour = LEVEL_COLOURS.get(info["level"], "#555")
            ax.annotate(
                f"{info['rank']}. {row.name}",
                (c.x, c.y),
                fontsize=7,
                ha="center",
                va="center",
                weight="bold",
                annotation_clip=True,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": colour, "alpha": 0.85},
            )
    ax.autoscale_view()
    ax.set_axis_off()
    ax.set_aspect("equal")


def _legend(cells: gpd.GeoDataFrame, alarms: gpd.GeoDataFrame, lang: str) -> list[Patch]:
    """Legend entries for the categories drawn (uncertain ones hatched), alarms and levels."""
    present = set() if cells.empty else set(zip(cells["category"], cells["uncertain"], strict=True))
    handles = [
        Patch(
            fc=CATEGORY_COLOURS[c],
            alpha=UNCERTAIN_OPACITY if unsure else CERTAIN_OPACITY,
            hatch="////" if unsure else None,
            label=category_label(c, lang, unsure),
        )
        for c in HOT_CATEGORIES
        for unsure in (False, True)
        if (c, unsure) in present
    ]
    if not alarms.empty:
        unusual = "ovanlig ansamling" if lang == "sv" else "unusual cluster"
        handles.append(Patch(fill=False, ec=CLUSTER_COLOURS["scan_alarm"], lw=2.2, label=unusual))
    handles += [
        Patch(fill=False, ec=colour, lw=1.8, label=level)
        for level, colour in zip(
            ("röd", "gul", "grön") if lang == "sv" else ("red", "yellow", "green"),
            (LEVEL_COLOURS["red"], LEVEL_COLOURS["yellow"], LEVEL_COLOURS["green"]),
            strict=True,
        )
    ]
    return handles


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
        "SELECT ac.category, ac.uncertain, ST_AsBinary(h.geom) AS wkb FROM analysis_cell ac "
        "JOIN h3_cell h ON h.cell = ac.cell WHERE ac.municipality_code = :mc "
        "AND ac.run_id = :run AND ac.category = ANY(:hot)",
        {"mc": mc, "run": run_id, "hot": list(HOT_CATEGORIES)},
    )
    alarms = _frame(
        session,
        "SELECT ST_AsBinary(geom) AS wkb FROM analysis_cluster WHERE municipality_code = :mc "
        "AND run_id = :run AND method = 'scan' AND alarm",
        {"mc": mc, "run": run_id},
    )
    places = _frame(
        session,
        "SELECT id, name, ST_AsBinary(geom) AS wkb FROM place "
        "WHERE municipality_code = :mc AND geom IS NOT NULL ORDER BY id",
        {"mc": mc},
    )
    ranks = {item["place_id"]: item for item in items}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5.6))
    _draw(left, boundary, cells, alarms, places, ranks, labels=False)
    _draw(right, boundary, cells, alarms, places, ranks, labels=True)
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
            )
        )
    handles = _legend(cells, alarms, lang)
    fig.legend(
        handles=handles, loc="lower center", ncols=min(len(handles), 6), fontsize=8, frameon=False
    )
    left.set_title("Kommunen" if lang == "sv" else "The municipality", fontsize=10)
    right.set_title("Tätorten" if lang == "sv" else "The town", fontsize=10)
    return to_data_uri(fig)
