"""Which map frames a report map needs so that every numbered place is drawn and labelled.

Pure geometry in EPSG:3006 metres, no drawing. Places are grouped by distance (single linkage:
two places closer than `gap_m` are in the same group). The group with the most places is the
main frame A (the town); every other group gets a frame of its own, B, C, …, so a place far
from the town (a village such as Oderljunga) is never an unlabelled blob on the overview.
"""

from dataclasses import dataclass
from string import ascii_uppercase

import numpy as np

GROUP_GAP_M = 2500.0  # places closer than this share a frame
FRAME_PAD_M = 350.0  # room around the outermost place of a frame
FRAME_MIN_M = 1200.0  # a frame is at least this wide and high (surroundings stay in view)

Bounds = tuple[float, float, float, float]  # minx, miny, maxx, maxy


@dataclass(frozen=True)
class Marker:
    """A numbered place: its number (the rank in the table), anchor point and outline bounds."""

    number: int
    x: float
    y: float
    bounds: Bounds


@dataclass(frozen=True)
class Frame:
    """One map frame: its letter, the area it shows and the numbers drawn in it."""

    name: str
    bounds: Bounds
    numbers: tuple[int, ...]

    def contains(self, x: float, y: float) -> bool:
        minx, miny, maxx, maxy = self.bounds
        return minx <= x <= maxx and miny <= y <= maxy


def group_markers(markers: list[Marker], gap_m: float = GROUP_GAP_M) -> list[list[Marker]]:
    """Single-linkage groups of markers, the largest first, then by their best number."""
    if not markers:
        return []
    xy = np.array([(m.x, m.y) for m in markers])
    near = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) < gap_m
    group = np.arange(len(markers))
    changed = True
    while changed:  # propagate the smallest index through the links until stable
        linked = np.where(near, group[None, :], len(markers)).min(axis=1)
        changed = bool((linked < group).any())
        group = np.minimum(group, linked)
    groups: dict[int, list[Marker]] = {}
    for marker, g in zip(markers, group, strict=True):
        groups.setdefault(int(g), []).append(marker)
    return sorted(groups.values(), key=lambda ms: (-len(ms), min(m.number for m in ms)))


def frame_bounds(markers: list[Marker], pad_m: float = FRAME_PAD_M) -> Bounds:
    """The outline bounds of the markers, padded, and grown to at least FRAME_MIN_M a side."""
    minx = min(m.bounds[0] for m in markers) - pad_m
    miny = min(m.bounds[1] for m in markers) - pad_m
    maxx = max(m.bounds[2] for m in markers) + pad_m
    maxy = max(m.bounds[3] for m in markers) + pad_m
    grow_x = max(FRAME_MIN_M - (maxx - minx), 0.0) / 2
    grow_y = max(FRAME_MIN_M - (maxy - miny), 0.0) / 2
    return (minx - grow_x, miny - grow_y, maxx + grow_x, maxy + grow_y)


def plan_frames(markers: list[Marker], gap_m: float = GROUP_GAP_M) -> list[Frame]:
    """Frame A for the largest group of places, B, C, … for each group beyond it."""
    return [
        Frame(
            name=ascii_uppercase[i % 26],
            bounds=frame_bounds(group),
            numbers=tuple(sorted(m.number for m in group)),
        )
        for i, group in enumerate(group_markers(markers, gap_m))
    ]


def nice_length(width_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^k metres) of about a quarter of `width_m`."""
    target = max(width_m / 4, 1.0)
    power = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def length_label(metres: float) -> str:
    """'500 m' or '2 km'."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
