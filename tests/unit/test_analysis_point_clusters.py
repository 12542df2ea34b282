"""Point clusters on planted layouts, with the memberships checked by pairwise distances."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist, squareform
from shapely.geometry import MultiPoint, Point, box

from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.point_clusters import LEFT_OUT, NOISE, point_clusters
from geo_service.analysis.projection import to_sweref99tm

TZ = "Europe/Stockholm"
CENTRES = np.array([[398_000.0, 6_221_000.0], [400_000.0, 6_222_500.0], [401_500.0, 6_220_000.0]])
GROUP_SIZES = (8, 12, 20)
RECENT = pd.Timestamp("2026-11-20T12:00Z")


def planted_layout(seed: int = 7, background: int = 60) -> tuple[pd.DataFrame, np.ndarray]:
    """Three tight groups (within 25 m of their centres) and sparse background over 7 × 7 km.

    Returns the events and each event's planted group (0 for background), all in the last
    ten days so the default window keeps them.
    """
    rng = np.random.default_rng(seed)
    xy, group = [], []
    for g, (centre, size) in enumerate(zip(CENTRES, GROUP_SIZES, strict=True), start=1):
        radius = 25 * np.sqrt(rng.uniform(0, 1, size))
        angle = rng.uniform(0, 2 * np.pi, size)
        xy.append(centre + np.c_[radius * np.cos(angle), radius * np.sin(angle)])
        group.append(np.full(size, g))
    xy.append(
        np.c_[
            rng.uniform(396_000, 403_000, background), rng.uniform(6_218_000, 6_225_000, background)
        ]
    )
    group.append(np.zeros(background, dtype=int))
    points = np.vstack(xy)
    times = RECENT + pd.to_timedelta(rng.uniform(0, 10, len(points)), unit="D")
    events = pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "occurred_at": times})
    return events, np.concatenate(group)


def at_one_place(
    n: int, x: float = 398_000.0, y: float = 6_221_000.0, spread: float = 10.0
) -> pd.DataFrame:
    """n events within `spread` metres of (x, y) on a small regular ring, in the last days."""
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return pd.DataFrame(
        {
            "x": x + spread * np.cos(angle),
            "y": y + spread * np.sin(angle),
            "occurred_at": RECENT + pd.to_timedelta(np.arange(n), unit="h"),
        }
    )


def dbscan_members_by_distance(points: np.ndarray, eps: float, min_samples: int) -> list[set[int]]:
    """DBSCAN's clusters from the definition, by scipy distances: core points (≥ min_samples
    within eps, itself included) joined in components of the eps graph, plus their border points.
    Border points near two clusters do not occur in the layouts used here."""
    near = squareform(pdist(points)) <= eps
    core = near.sum(axis=1) >= min_samples
    n_comp, comp = connected_components(near[np.ix_(core, core)], directed=False)
    core_idx = np.flatnonzero(core)
    clusters = []
    for c in range(n_comp):
        members = core_idx[comp == c]
        border = np.flatnonzero(near[members].any(axis=0))
        clusters.append(set(members.tolist()) | set(border.tolist()))
    return clusters


def test_dbscan_finds_exactly_the_three_planted_groups_in_sparse_background() -> None:
    events, group = planted_layout()
    result = point_clusters(events)

    clusters = result.clusters
    assert len(clusters) == 3
    labels = result.labels.to_numpy()
    for g in (1, 2, 3):
        assert len(np.unique(labels[group == g])) == 1
        assert labels[group == g][0] >= 1
    planted_label = {g: labels[group == g][0] for g in (1, 2, 3)}
    assert len(set(planted_label.values())) == 3
    # the same memberships from the definition by pairwise distances
    expected = dbscan_members_by_distance(events[["x", "y"]].to_numpy(), 150.0, 5)
    found = [set(np.flatnonzero(labels == c).tolist()) for c in clusters["cluster"]]
    assert sorted(map(sorted, found)) == sorted(map(sorted, expected))
    # little background joins: at most two sparse events per cluster
    for g, c in planted_label.items():
        assert ((labels == c) & (group == 0)).sum() <= 2
        assert int(clusters.set_index("cluster").loc[c, "size"]) == (labels == c).sum()
        assert (labels == c).sum() >= GROUP_SIZES[g - 1]


def test_clusters_are_numbered_from_the_largest_and_the_rest_is_noise() -> None:
    events, group = planted_layout()
    result = point_clusters(events)
    assert result.clusters["cluster"].tolist() == [1, 2, 3]
    assert result.clusters["size"].is_monotonic_decreasing
    labels = result.labels.to_numpy()
    assert labels[group == 3][0] == 1  # the group of 20
    assert labels[group == 1][0] == 3  # the group of 8
    assert ((labels == NOISE) == (labels < 1)).all()
    assert (labels[group == 0] == NOISE).sum() >= 55


def test_each_hull_covers_its_planted_points_and_is_a_polygon_in_sweref99tm() -> None:
    events, group = planted_layout()
    result = point_clusters(events)
    clusters = result.clusters.set_index("cluster")
    assert result.clusters.crs.to_epsg() == 3006
    labels = result.labels.to_numpy()
    for g in (1, 2, 3):
        hull = clusters.loc[labels[group == g][0], "geometry"]
        assert hull.geom_type == "Polygon"
        pts = shapely.points(events[["x", "y"]].to_numpy()[group == g])
        assert shapely.covers(hull, pts).all()
        assert hull.area < np.pi * 60**2  # tight around a group of radius 25 m


def test_labels_follow_the_index_of_the_events_and_members_use_their_ids() -> None:
    events, group = planted_layout()
    events.index = pd.Index([f"row{i}" for i in range(len(events))])[::-1]
    events["id"] = np.arange(1000, 1000 + len(events))
    result = point_clusters(events)
    assert result.labels.index.equals(events.index)
    largest = result.clusters.iloc[0]
    assert sorted(largest["members"]) == sorted(
        events["id"][result.labels == largest["cluster"]].tolist()
    )
    assert set(events["id"][group == 3]) <= set(largest["members"])


def test_lat_lon_events_give_the_same_clusters_as_projected_ones() -> None:
    from pyproj import Transformer

    events, _ = planted_layout()
    lon, lat = Transformer.from_crs(3006, 4326, always_xy=True).transform(events["x"], events["y"])
    geographic = events.drop(columns=["x", "y"]).assign(lat=lat, lon=lon)
    np.testing.assert_array_equal(
        point_clusters(geographic).labels.to_numpy(), point_clusters(events).labels.to_numpy()
    )
    x, y = to_sweref99tm(lat, lon)
    np.testing.assert_allclose(np.c_[x, y], events[["x", "y"]].to_numpy(), atol=1e-4)


def test_start_and_end_are_the_first_and_last_times_of_the_members() -> None:
    events, _ = planted_layout()
    result = point_clusters(events)
    times = pd.to_datetime(events["occurred_at"], utc=True)
    for row in result.clusters.itertuples():
        member_times = times[result.labels == row.cluster]
        assert row.start == member_times.min()
        assert row.end == member_times.max()


def two_bursts(gap_days: float) -> pd.DataFrame:
    """Eight events within 10 m over one day, and eight more at the same place `gap_days` later."""
    first = at_one_place(8)
    second = at_one_place(8).assign(
        occurred_at=lambda f: f["occurred_at"] + pd.Timedelta(days=gap_days)
    )
    return pd.concat([first, second], ignore_index=True)


def test_space_time_variant_splits_a_group_whose_events_are_weeks_apart() -> None:
    events = two_bursts(gap_days=20)
    in_space = point_clusters(events, since="2026-11-01")
    assert in_space.clusters["size"].tolist() == [16]

    in_space_time = point_clusters(events, since="2026-11-01", time_scale_m_per_day=10)
    assert in_space_time.clusters["size"].tolist() == [8, 8]
    labels = in_space_time.labels.to_numpy()
    assert len(set(labels[:8])) == 1 and len(set(labels[8:])) == 1
    assert labels[0] != labels[8]
    first = in_space_time.clusters.set_index("cluster").loc[labels[0]]
    assert first["end"] < pd.Timestamp(events["occurred_at"][8])
    # the same split from the definition: components of the 150 m graph in (x, y, 10·days)
    days = (events["occurred_at"] - events["occurred_at"].min()).dt.total_seconds() / 86_400
    points = np.c_[events[["x", "y"]].to_numpy(), 10 * days.to_numpy()]
    n_comp, _ = connected_components(squareform(pdist(points)) <= 150, directed=False)
    assert n_comp == 2
    assert in_space_time.params["time_scale_m_per_day"] == 10.0


def test_space_time_variant_keeps_a_burst_together_when_its_days_are_close() -> None:
    events = two_bursts(gap_days=2)
    result = point_clusters(events, since="2026-11-01", time_scale_m_per_day=10)
    assert result.clusters["size"].tolist() == [16]


def test_default_window_covers_the_last_two_fortnights_before_the_latest_event() -> None:
    recent = at_one_place(8).assign(
        occurred_at=pd.date_range("2026-11-25T10:00Z", periods=8, freq="6h")
    )
    latest = recent["occurred_at"].max()
    assert latest.tz_convert(TZ).date().isoformat() == "2026-11-27"
    old = at_one_place(10, x=400_000.0).assign(
        occurred_at=pd.date_range("2026-10-01T10:00Z", periods=10, freq="D")
    )
    edges = pd.DataFrame(
        {
            "x": [420_000.0, 421_000.0, 422_000.0],
            "y": [6_221_000.0] * 3,
            # 00:30 and 23:30 Stockholm time (CET) on either side of the window start; no time
            "occurred_at": pd.to_datetime(
                ["2026-10-30T23:30Z", "2026-10-30T22:30Z", None], utc=True
            ),
        }
    )
    events = pd.concat([recent, old, edges], ignore_index=True)
    result = point_clusters(events)

    # the Stockholm midnight after the latest event is 2026-11-28 00:00; 28 days before it:
    assert result.since == pd.Timestamp("2026-10-31T00:00", tz=TZ)
    assert result.params["since"] == "2026-10-31T00:00:00+01:00"
    labels = result.labels.to_numpy()
    assert result.clusters["size"].tolist() == [8]
    assert (labels[8:18] == LEFT_OUT).all()
    assert labels[18] == NOISE and labels[19] == LEFT_OUT and labels[20] == LEFT_OUT
    assert result.events == 9 and result.left_out == 12


def test_an_earlier_since_brings_older_events_back_into_the_analysis() -> None:
    recent = at_one_place(8).assign(
        occurred_at=pd.date_range("2026-11-25T10:00Z", periods=8, freq="6h")
    )
    old = at_one_place(10, x=400_000.0).assign(
        occurred_at=pd.date_range("2026-10-01T10:00Z", periods=10, freq="D")
    )
    result = point_clusters(pd.concat([recent, old], ignore_index=True), since="2026-09-30")
    assert result.clusters["size"].tolist() == [10, 8]
    assert result.left_out == 0


def test_a_window_without_events_gives_no_clusters() -> None:
    events, _ = planted_layout()
    result = point_clusters(events, since="2027-01-01")
    assert len(result.clusters) == 0
    assert list(result.clusters.columns) == [
        "cluster", "size", "start", "end", "top_categories", "scan_alarm", "members", "geometry"
    ]  # fmt: skip
    assert result.clusters.crs.to_epsg() == 3006
    assert (result.labels == LEFT_OUT).all()


def test_a_cluster_at_fewer_than_four_distinct_places_is_a_25_m_buffer_around_them() -> None:
    places = np.array(
        [[398_000.0, 6_221_000.0], [398_030.0, 6_221_000.0], [398_000.0, 6_221_040.0]]
    )
    xy = places[[0, 0, 1, 1, 2, 2]]
    events = pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "occurred_at": RECENT + pd.to_timedelta(range(6), unit="h")}
    )
    hull = point_clusters(events).clusters.geometry.iloc[0]
    assert hull.geom_type == "Polygon"
    expected = MultiPoint(places).buffer(25)
    assert hull.symmetric_difference(expected).area < 1e-6
    # every place is 25 m inside the boundary, about
    assert np.allclose(shapely.distance(hull.exterior, shapely.points(places)), 25, atol=0.1)


def test_a_cluster_at_a_single_address_is_a_25_m_circle() -> None:
    events = at_one_place(6, spread=0.0)
    hull = point_clusters(events).clusters.geometry.iloc[0]
    assert hull.geom_type == "Polygon"
    assert hull.area == pytest.approx(np.pi * 25**2, rel=0.01)
    assert hull.centroid.distance(Point(398_000.0, 6_221_000.0)) < 1e-6


def test_a_cluster_at_four_or_more_distinct_places_is_their_concave_hull() -> None:
    rng = np.random.default_rng(3)
    xy = np.array([398_000.0, 6_221_000.0]) + rng.uniform(-40, 40, (15, 2))
    events = pd.DataFrame(
        {"x": xy[:, 0], "y": xy[:, 1], "occurred_at": RECENT + pd.to_timedelta(range(15), unit="h")}
    )
    hull = point_clusters(events).clusters.geometry.iloc[0]
    assert hull.geom_type == "Polygon"
    assert hull.equals(shapely.concave_hull(MultiPoint(xy), ratio=0.3))
    assert shapely.covers(hull, shapely.points(xy)).all()
    # a concave hull lies inside the convex hull and has every place on or in it
    assert hull.area <= MultiPoint(xy).convex_hull.area + 1e-6


def test_a_cluster_of_places_in_a_row_is_a_polygon_not_a_line() -> None:
    xs = 398_000.0 + 20.0 * np.arange(6)
    events = pd.DataFrame(
        {"x": xs, "y": 6_221_000.0, "occurred_at": RECENT + pd.to_timedelta(range(6), unit="h")}
    )
    hull = point_clusters(events, min_samples=3).clusters.geometry.iloc[0]
    assert hull.geom_type in ("Polygon", "MultiPolygon")
    assert hull.area > 0
    assert shapely.covers(hull, shapely.points(np.c_[xs, np.full(6, 6_221_000.0)])).all()


def test_top_categories_are_the_three_most_frequent_in_the_cluster() -> None:
    events = at_one_place(12)
    events["category"] = ["inbrott"] * 5 + ["stöld"] * 4 + ["skadegörelse"] * 2 + ["brand"]
    other = at_one_place(6, x=400_000.0).assign(
        category=["brand", "brand", "stöld", "a", "a", None]
    )
    result = point_clusters(pd.concat([events, other], ignore_index=True))
    assert result.clusters["top_categories"].tolist() == [
        ["inbrott", "stöld", "skadegörelse"],
        ["a", "brand", "stöld"],  # ties in count go by name; missing categories do not count
    ]


def test_top_categories_are_empty_lists_without_a_category_column() -> None:
    events, _ = planted_layout()
    assert point_clusters(events).clusters["top_categories"].tolist() == [[], [], []]


def test_scan_alarm_marks_the_clusters_that_overlap_an_alarm_area() -> None:
    events, group = planted_layout()
    # an alarm area overlapping only the edge of the group of 12 (centre 400 000, 6 222 500)
    alarm = gpd.GeoSeries([box(400_010, 6_222_490, 400_500, 6_223_000)], crs=3006)
    result = point_clusters(events, scan_clusters=alarm)
    by_label = result.clusters.set_index("cluster")["scan_alarm"]
    labels = result.labels.to_numpy()
    assert by_label[labels[group == 2][0]]
    assert not by_label[labels[group == 1][0]] and not by_label[labels[group == 3][0]]
    assert point_clusters(events).clusters["scan_alarm"].tolist() == [False, False, False]


def test_scan_alarm_areas_in_wgs84_are_projected_before_the_overlap_test() -> None:
    events, group = planted_layout()
    alarm = gpd.GeoDataFrame(
        {"alarm": [True]}, geometry=[Point(398_000, 6_221_000).buffer(30)], crs=3006
    ).to_crs(4326)
    result = point_clusters(events, scan_clusters=alarm)
    labels = result.labels.to_numpy()
    flagged = result.clusters.loc[result.clusters["scan_alarm"], "cluster"].tolist()
    assert flagged == [labels[group == 1][0]]


def test_hdbscan_finds_the_dense_planted_groups() -> None:
    events, group = planted_layout()
    result = point_clusters(events, method="hdbscan")
    labels = result.labels.to_numpy()
    planted = [labels[group == g] for g in (1, 2, 3)]
    for members in planted:
        assert (members >= 1).all() and len(np.unique(members)) == 1
    assert len({members[0] for members in planted}) == 3
    # HDBSCAN attaches some thin background to them, but the planted events are the majority
    for g, members in zip((1, 2, 3), planted, strict=True):
        in_cluster = labels == members[0]
        assert (group[in_cluster] == g).sum() > in_cluster.sum() / 2
    assert result.params["method"] == "hdbscan"


def test_hdbscan_with_fewer_events_than_min_cluster_size_finds_nothing() -> None:
    result = point_clusters(at_one_place(4), method="hdbscan")
    assert len(result.clusters) == 0
    assert (result.labels == NOISE).all()


def test_params_and_members_are_json_serialisable() -> None:
    events, _ = planted_layout()
    events["id"] = np.arange(len(events), dtype=np.int64)
    result = point_clusters(events, time_scale_m_per_day=5)
    text = json.dumps(result.params)
    assert json.loads(text)["eps_m"] == 150.0
    json.dumps(result.clusters["members"].tolist())
    json.dumps(result.clusters["top_categories"].tolist())


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"method": "kmeans"}, "invalid_method"),
        ({"method": "DBSCAN"}, "invalid_method"),
        ({"eps_m": 0}, "invalid_eps"),
        ({"eps_m": -5.0}, "invalid_eps"),
        ({"eps_m": float("nan")}, "invalid_eps"),
        ({"eps_m": "150"}, "invalid_eps"),
        ({"eps_m": True}, "invalid_eps"),
        ({"min_samples": 0}, "invalid_min_samples"),
        ({"min_samples": 2.5}, "invalid_min_samples"),
        ({"time_scale_m_per_day": 0}, "invalid_time_scale"),
        ({"time_scale_m_per_day": float("inf")}, "invalid_time_scale"),
        ({"min_cluster_size": 1}, "invalid_min_cluster_size"),
        ({"cluster_selection_epsilon_m": -1.0}, "invalid_cluster_selection_epsilon"),
        ({"since": "not a date"}, "invalid_since"),
        ({"since": "2026-13-45"}, "invalid_since"),
        ({"since": 5}, "invalid_since"),
        ({"scan_clusters": [box(0, 0, 1, 1)]}, "invalid_scan_clusters"),
    ],
)
def test_invalid_options_are_errors_with_stable_codes(options: dict, code: str) -> None:
    events, _ = planted_layout()
    with pytest.raises(AnalysisError) as err:
        point_clusters(events, **options)
    assert err.value.code == code


@pytest.mark.parametrize(
    ("events", "code"),
    [
        (pd.DataFrame({"x": [1.0], "y": [2.0]}), "invalid_events"),
        (pd.DataFrame({"occurred_at": [RECENT]}), "invalid_events"),
        (pd.DataFrame({"x": [], "y": [], "occurred_at": []}), "no_events"),
        (pd.DataFrame({"x": [1.0], "y": [2.0], "occurred_at": [None]}), "no_events"),
        (
            pd.DataFrame({"lat": [56.1], "lon": [np.nan], "occurred_at": [RECENT]}),
            "invalid_coordinates",
        ),
    ],
)
def test_unusable_events_are_errors_with_stable_codes(events: pd.DataFrame, code: str) -> None:
    with pytest.raises(AnalysisError) as err:
        point_clusters(events)
    assert err.value.code == code
