"""Report maps without a database: frames for groups of places, scale bars, count classes."""

import geopandas as gpd
import numpy as np
import pytest

from geo_service.reports.mapdecor import spread_labels
from geo_service.reports.mapframes import (
    GROUP_GAP_M,
    Marker,
    length_label,
    nice_length,
    plan_frames,
)
from geo_service.reports.mapimage import MapLayers, compose_map
from geo_service.reports.yearlymap import count_classes


def _marker(number: int, x: float, y: float, half: float = 200.0) -> Marker:
    return Marker(number, x, y, (x - half, y - half, x + half, y + half))


TOWN = [_marker(2, 0, 0), _marker(3, 800, 300), _marker(4, 1500, -600), _marker(5, 2600, 0)]
VILLAGE = [_marker(1, -3000, 6500)]
FARM = [_marker(6, 9000, -9000)]


def test_the_town_is_frame_a_and_each_place_beyond_it_gets_its_own_frame() -> None:
    frames = plan_frames(TOWN + VILLAGE + FARM)
    assert [f.name for f in frames] == ["A", "B", "C"]
    assert frames[0].numbers == (2, 3, 4, 5)  # a chain of places less than the gap apart
    assert frames[1].numbers == (1,) and frames[2].numbers == (6,)  # B holds the better rank
    for frame in frames:
        for m in TOWN + VILLAGE + FARM:
            if m.number in frame.numbers:
                assert frame.contains(m.x, m.y)
                minx, miny, maxx, maxy = m.bounds
                assert frame.contains(minx, miny) and frame.contains(maxx, maxy)


def test_places_further_apart_than_the_gap_are_split() -> None:
    apart = [_marker(1, 0, 0), _marker(2, GROUP_GAP_M + 1, 0)]
    together = [_marker(1, 0, 0), _marker(2, GROUP_GAP_M - 1, 0)]
    assert len(plan_frames(apart)) == 2
    assert len(plan_frames(together)) == 1
    assert plan_frames([]) == []


@pytest.mark.parametrize(
    ("width", "length", "label"),
    [(2000, 500, "500 m"), (16000, 2000, "2 km"), (1300, 200, "200 m"), (90, 20, "20 m")],
)
def test_scale_bars_have_round_lengths(width: float, length: float, label: str) -> None:
    assert nice_length(width) == length
    assert length_label(nice_length(width)) == label


def test_compose_map_draws_every_number_inside_the_frame_it_reports() -> None:
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=3006)
    markers = TOWN + VILLAGE + FARM
    layers = MapLayers(
        boundary=empty,
        cells=empty.assign(colour=[], alpha=[], hatched=[]),
        outlines=[],
        markers=markers,
        marker_colours={m.number: "#c62828" for m in markers},
        names={m.number: f"plats {m.number}" for m in markers},
    )
    image = compose_map(layers, "sv")
    assert image.uri.startswith("data:image/png;base64,")
    assert sorted(image.drawn) == [1, 2, 3, 4, 5, 6]
    frames = {f.name: f for f in image.frames}
    for m in markers:
        assert frames[image.frame_of(m.number)].contains(m.x, m.y)
    minx, miny, maxx, maxy = image.overview
    assert all(minx <= f.bounds[0] and f.bounds[2] <= maxx for f in image.frames)


def test_count_classes_have_round_limits_and_cover_every_count() -> None:
    counts = np.array([1, 1, 2, 3, 7, 12, 40, 92])
    classes, labels = count_classes(counts)
    assert labels == ["1–5", "6–10", "11–20", "21–50", "51–92"]
    assert classes.tolist() == [0, 0, 0, 0, 1, 2, 3, 4]
    assert count_classes(np.array([1, 1]))[1] == ["1"]


def test_numbers_of_places_close_together_are_spread_apart() -> None:
    anchors = np.array([[100.0, 100.0], [100.0, 100.0], [104.0, 98.0], [300.0, 300.0]])
    offsets = spread_labels(anchors, min_sep=14.0)
    labels = anchors + offsets
    gaps = np.hypot(*(labels[:, None, :] - labels[None, :, :]).transpose(2, 0, 1))
    assert (gaps[np.triu_indices(4, 1)] >= 14.0 - 1e-9).all()
    assert offsets[0].tolist() == [0.0, 0.0] and offsets[3].tolist() == [0.0, 0.0]
