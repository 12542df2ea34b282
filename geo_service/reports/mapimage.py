"""The lägesbild's map: an overview of the municipality and a frame for each group of places.

Drawn with matplotlib from PostGIS geometries in EPSG:3006 (no basemap tiles: the report must
work with no network), at the size it is printed. Every ranked place carries its rank as a
numbered marker in a frame (A is the town, B, C, … each group of places beyond it, see
`mapframes`), every frame has a scale bar, the overview a north arrow and the frames' outlines,
and the legend is built from the palette.
"""

from dataclasses import dataclass, field
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
    CLUSTER_LABELS,
    LEVEL_COLOURS,
    UNCERTAIN_OPACITY,
    category_label,
    level_label,
)
from geo_service.reports.charts import plt, to_data_uri
from geo_service.reports.mapdecor import (
    LABEL_PT,
    draw_markers,
    draw_north_arrow,
    draw_scale_bar,
    fit_bounds,
)
from geo_service.reports.mapframes import Bounds, Frame, Marker, plan_frames

PRINT_WIDTH_IN = 7.2
MAX_HEIGHT_IN = 8.5  # many frames share the height of one A4 page
FRAME_COLOUR = "#1b6ca8"
HATCH = "////"

BOUNDARY_SQL = (
    "SELECT ST_AsBinary(boundary) AS wkb FROM municipality "
    "WHERE municipality_code = :mc AND boundary IS NOT NULL"
)
HOT_CELLS_SQL = (
    "SELECT ac.category, ac.uncertain, ST_AsBinary(h.geom) AS wkb FROM analysis_cell ac "
    "JOIN h3_cell h ON h.cell = ac.cell WHERE ac.municipality_code = :mc "
    "AND ac.run_id = :run AND ac.category = ANY(:hot)"
)
ALARMS_SQL = (
    "SELECT ST_AsBinary(geom) AS wkb FROM analysis_cluster WHERE municipality_code = :mc "
    "AND run_id = :run AND method = 'scan' AND alarm"
)
PLACES_SQL = (
    "SELECT id, name, ST_AsBinary(geom) AS wkb FROM place "
    "WHERE municipality_code = :mc AND geom IS NOT NULL ORDER BY id"
)
WORDS = {
    "sv": {"overview": "Kommunen", "frame": "Ram", "town": "tätorten", "rank": "nr = rang"},
    "en": {"overview": "Municipality", "frame": "Frame", "town": "the town", "rank": "no. = rank"},
}


@dataclass
class MapLayers:
    """What a map draws: cells with their fill, outlines, and the numbered places."""

    boundary: gpd.GeoDataFrame
    cells: gpd.GeoDataFrame  # columns colour, alpha, hatched
    outlines: list[tuple[gpd.GeoDataFrame, Any, float]]  # geometries, edge colour(s), width
    markers: list[Marker]
    marker_colours: dict[int, str]
    names: dict[int, str]  # number → place name, for the frame titles
    legend: list[Patch] = field(default_factory=list)


@dataclass(frozen=True)
class MapImage:
    """The PNG data URI and where each number was drawn."""

    uri: str
    overview: Bounds
    frames: list[Frame]
    drawn: dict[int, str]  # number → letter of the frame it is drawn in

    def frame_of(self, number: int) -> str:
        return self.drawn.get(number, "")


def read_frame(session: Session, sql: str, params: dict[str, Any]) -> gpd.GeoDataFrame:
    """Rows with a `wkb` column as a GeoDataFrame in EPSG:3006."""
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


def _draw_layers(ax: Any, layers: MapLayers) -> None:
    if not layers.boundary.empty:
        ax.add_collection(
            PolyCollection(
                _rings(layers.boundary.geometry), facecolor="#f7f7f4", edgecolor="#444", lw=0.8
            )
        )
    if not layers.cells.empty:
        for (colour, alpha, hatched), group in layers.cells.groupby(["colour", "alpha", "hatched"]):
            rings = _rings(group.geometry)
            ax.add_collection(
                PolyCollection(rings, facecolor=colour, edgecolor="white", lw=0.3, alpha=alpha)
            )
            if hatched:  # uncertain labels are hatched, as in every output
                ax.add_collection(
                    PolyCollection(rings, facecolor="none", edgecolor=colour, lw=0, hatch=HATCH)
                )
    for geoms, colour, width in layers.outlines:
        if not geoms.empty:
            ax.add_collection(
                PolyCollection(_rings(geoms.geometry), facecolor="none", edgecolor=colour, lw=width)
            )


def _frame_title(frame: Frame, names: dict[int, str], lang: str) -> str:
    words = WORDS[lang]
    where = names.get(frame.numbers[0], "") if len(frame.numbers) == 1 else words["town"]
    return f"{words['frame']} {frame.name}: {where}"


def _axes(fig: Any, extra: int) -> tuple[Any, Any, list[Any]]:
    """The main frame on the left, the overview and the other frames stacked on the right."""
    rows = max(extra + 1, 2)
    grid = fig.add_gridspec(rows, 2, width_ratios=[2.0, 1.0], wspace=0.04, hspace=0.12)
    main = fig.add_subplot(grid[:, 0])
    overview = fig.add_subplot(grid[0, 1] if extra else grid[:, 1])
    return main, overview, [fig.add_subplot(grid[i + 1, 1]) for i in range(extra)]


def _union(boxes: list[Any]) -> Bounds | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _overview(ax: Any, layers: MapLayers, frames: list[Frame], lang: str) -> Bounds:
    """The whole municipality with each frame outlined and lettered."""
    _draw_layers(ax, layers)
    whole = _union([tuple(layers.boundary.total_bounds)] if not layers.boundary.empty else [])
    whole = whole or _union([f.bounds for f in frames]) or (0.0, 0.0, 1.0, 1.0)
    for frame in frames:
        minx, miny, maxx, maxy = frame.bounds
        ax.add_patch(
            plt.Rectangle(
                (minx, miny), maxx - minx, maxy - miny, fill=False, ec=FRAME_COLOUR, lw=1.2
            )
        )
        ax.annotate(frame.name, (maxx, maxy), fontsize=LABEL_PT + 1, weight="bold",
                    color=FRAME_COLOUR, xytext=(2, 1), textcoords="offset points")  # fmt: skip
    bounds = fit_bounds(ax, whole)
    draw_scale_bar(ax, bounds)
    draw_north_arrow(ax)
    ax.set_title(WORDS[lang]["overview"], fontsize=LABEL_PT + 1.5)
    return bounds


def compose_map(layers: MapLayers, lang: str) -> MapImage:
    """Overview, frames and legend in one figure at print width; the numbers it drew."""
    planned = plan_frames(layers.markers)
    height = 4.6 if len(planned) <= 2 else min(2.3 * len(planned), MAX_HEIGHT_IN)
    fig = plt.figure(figsize=(PRINT_WIDTH_IN, height))
    main, overview_ax, extra_axes = _axes(fig, max(len(planned) - 1, 0))
    frames: list[Frame] = []
    drawn: dict[int, str] = {}
    for frame, ax in zip(planned, [main, *extra_axes], strict=False):
        _draw_layers(ax, layers)
        bounds = fit_bounds(ax, frame.bounds)
        draw_scale_bar(ax, bounds)
        numbers = draw_markers(ax, layers.markers, layers.marker_colours)
        drawn.update({n: frame.name for n in numbers if n not in drawn})
        frames.append(Frame(frame.name, bounds, tuple(numbers)))
        ax.set_title(_frame_title(frame, layers.names, lang), fontsize=LABEL_PT + 1.5)
        for side in ax.spines.values():
            side.set_edgecolor(FRAME_COLOUR)
    if not planned:
        main.set_axis_off()
    whole = _overview(overview_ax, layers, frames or planned, lang)
    legend = [
        *layers.legend,
        Patch(fill=False, ec=FRAME_COLOUR, lw=1.2, label=WORDS[lang]["frame"]),
    ]
    fig.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.06), ncols=3,
               fontsize=LABEL_PT, frameon=False, handlelength=1.6)  # fmt: skip
    return MapImage(to_data_uri(fig, dpi=200), whole, frames, drawn)


def _category_cells(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Hot cells with the palette's fill: the category's colour, lighter and hatched if unsure."""
    if cells.empty:
        return cells.assign(colour=[], alpha=[], hatched=[])
    unsure = cells["uncertain"].fillna(False).astype(bool)
    return cells.assign(
        colour=[CATEGORY_COLOURS.get(c, "#999") for c in cells["category"]],
        alpha=np.where(unsure, UNCERTAIN_OPACITY, CERTAIN_OPACITY),
        hatched=unsure,
    )


def meeting_legend(cells: gpd.GeoDataFrame, alarms: bool, lang: str) -> list[Patch]:
    """Legend entries for the categories drawn (uncertain ones hatched), alarms and levels."""
    present = set() if cells.empty else set(zip(cells["category"], cells["uncertain"], strict=True))
    handles = [
        Patch(
            fc=CATEGORY_COLOURS[c],
            alpha=UNCERTAIN_OPACITY if unsure else CERTAIN_OPACITY,
            hatch=HATCH if unsure else None,
            label=category_label(c, lang, unsure),
        )
        for c in HOT_CATEGORIES
        for unsure in (False, True)
        if (c, unsure) in present
    ]
    if alarms:
        label = CLUSTER_LABELS["scan_alarm"][lang]
        handles.append(Patch(fill=False, ec=CLUSTER_COLOURS["scan_alarm"], lw=2, label=label))
    rank = WORDS[lang]["rank"]
    handles += [
        Patch(fc=LEVEL_COLOURS[level], ec="k", label=f"{rank}, {level_label(level, lang)}")
        for level in ("red", "yellow", "green")
    ]
    return handles


def place_markers(places: gpd.GeoDataFrame, numbers: dict[int, int]) -> list[Marker]:
    """A marker at a point inside each numbered place's outline (place id → number)."""
    return [
        Marker(numbers[row.id], *row.geometry.representative_point().coords[0], row.geometry.bounds)
        for row in places.itertuples()
        if row.id in numbers
    ]


def meeting_map(
    session: Session, mc: str, run_id: int, items: list[dict[str, Any]], lang: str = "sv"
) -> MapImage:
    """Hot cells of the run by emerging category, ranked places by level with their rank."""
    params = {"mc": mc, "run": run_id, "hot": list(HOT_CATEGORIES)}
    cells = read_frame(session, HOT_CELLS_SQL, params)
    alarms = read_frame(session, ALARMS_SQL, params)
    places = read_frame(session, PLACES_SQL, params)
    ranks = {item["place_id"]: item for item in items}
    ranked = places[places["id"].isin(list(ranks))] if not places.empty else places
    colours = [LEVEL_COLOURS.get(ranks[pid]["level"], "#555") for pid in ranked.get("id", [])]
    numbers = {pid: int(item["rank"]) for pid, item in ranks.items()}
    layers = MapLayers(
        boundary=read_frame(session, BOUNDARY_SQL, params),
        cells=_category_cells(cells),
        outlines=[(alarms, CLUSTER_COLOURS["scan_alarm"], 2.0), (ranked, colours, 1.4)],
        markers=place_markers(ranked, numbers),
        marker_colours={int(i["rank"]): LEVEL_COLOURS.get(i["level"], "#555") for i in items},
        names={numbers[row.id]: row.name for row in ranked.itertuples()},
        legend=meeting_legend(cells, not alarms.empty, lang),
    )
    return compose_map(layers, lang)
