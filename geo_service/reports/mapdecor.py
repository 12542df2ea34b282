"""What makes a report map readable on paper: numbered markers, a scale bar, a north arrow.

Sizes are in points at print size: the map figures are drawn at the width they are printed
(7.2 inches, A4 portrait minus margins), so 7 pt here is 7 pt on the page.
"""

from typing import Any

import numpy as np
from matplotlib.font_manager import FontProperties
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from geo_service.reports.mapframes import Bounds, Marker, length_label, nice_length

LABEL_PT = 7.5
MARKER_PT = 8.0
MIN_SEP_PT = 14.0  # a numbered circle is about 12 pt across


def spread_labels(points: np.ndarray, min_sep: float = MIN_SEP_PT) -> np.ndarray:
    """Offsets (in points) that keep labels at least `min_sep` apart; (0, 0) where none is needed.

    Each label in turn keeps its place if it is free, else takes the first free spot on rings
    of eight directions around its anchor, so close places stay readable with a leader line.
    """
    placed: list[np.ndarray] = []
    offsets = np.zeros_like(points, dtype=float)
    for i, anchor in enumerate(points):
        candidates = [np.zeros(2)] + [
            ring * min_sep * np.array([np.cos(a), np.sin(a)])
            for ring in (1, 2, 3)
            for a in np.linspace(np.pi / 4, 2 * np.pi + np.pi / 4, 8, endpoint=False)
        ]
        for offset in candidates:
            spot = anchor + offset
            if all(np.hypot(*(spot - p)) >= min_sep for p in placed):
                break
        placed.append(anchor + offset)
        offsets[i] = offset
    return offsets


def draw_markers(ax: Any, markers: list[Marker], colours: dict[int, str]) -> list[int]:
    """A filled circle with its number at each marker inside the axes; returns those numbers.

    Markers closer than a label's width are spread apart, each with a line to its place.
    """
    minx, maxx = ax.get_xlim()
    miny, maxy = ax.get_ylim()
    inside = [m for m in markers if minx <= m.x <= maxx and miny <= m.y <= maxy]
    inside.sort(key=lambda m: m.number)  # the best rank keeps its exact place
    to_points = ax.transData + ax.get_figure().dpi_scale_trans.inverted()
    anchors = to_points.transform([(m.x, m.y) for m in inside]) * 72 if inside else np.zeros((0, 2))
    for m, (dx, dy) in zip(inside, spread_labels(anchors), strict=True):
        moved = bool(dx or dy)
        ax.annotate(
            str(m.number),
            (m.x, m.y),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=MARKER_PT,
            ha="center",
            va="center",
            color="white",
            weight="bold",
            zorder=10,
            bbox={"boxstyle": "circle,pad=0.25", "fc": colours.get(m.number, "#333"), "ec": "k"},
            arrowprops={"arrowstyle": "-", "color": "k", "lw": 0.8} if moved else None,
        )
    return [m.number for m in inside]


def draw_scale_bar(ax: Any, bounds: Bounds) -> None:
    """A scale bar of a round length in the lower left corner."""
    metres = nice_length(bounds[2] - bounds[0])
    ax.add_artist(
        AnchoredSizeBar(
            ax.transData,
            metres,
            length_label(metres),
            "lower left",
            pad=0.3,
            borderpad=0.4,
            sep=2,
            size_vertical=(bounds[3] - bounds[1]) / 120,
            frameon=True,
            fontproperties=FontProperties(size=LABEL_PT - 0.5),
        )
    )


def draw_north_arrow(ax: Any) -> None:
    """An arrow with N in the upper right corner (SWEREF 99 TM's grid north is north)."""
    ax.annotate(
        "",
        xy=(0.94, 0.96),
        xytext=(0.94, 0.82),
        xycoords="axes fraction",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5, "headwidth": 8},
        zorder=11,
    )
    ax.text(
        0.94,
        0.80,
        "N",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=LABEL_PT + 1,
        weight="bold",
        zorder=11,
    )


def fit_bounds(ax: Any, bounds: Bounds) -> Bounds:
    """`bounds` grown to the axes' shape so that metres are square; set as the axes' limits."""
    fig = ax.get_figure()
    box = ax.get_position()
    width_in = box.width * fig.get_figwidth()
    height_in = box.height * fig.get_figheight()
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    if w / h < width_in / height_in:
        grow = (h * width_in / height_in - w) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (w * height_in / width_in - h) / 2
        miny, maxy = miny - grow, maxy + grow
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    return (minx, miny, maxx, maxy)
