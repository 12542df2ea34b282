"""The geocoding stage: a point in SWEREF 99 TM for each row, or the reason there is none.

Sources are tried in order and a row keeps the first point found: the file's own geometry,
then its coordinate columns (in whatever Swedish CRS they fit), its address, its place name.
A row without a point, or with one outside the municipality's zone, goes to quarantine.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection

from geo_service.geocode.address import match_addresses
from geo_service.geocode.crs import project
from geo_service.geocode.places import PlaceIndex
from geo_service.ingest.parse import numbers
from geo_service.ingest.readers import GEOM_X, GEOM_Y
from geo_service.ingest.rejections import Rejections

SCORES = {
    "coordinates": 1.0,
    "coordinates_swapped": 0.9,
    "place": 0.8,
    "municipality_centroid": 0.1,
}
SWAPPED_NOTE = (
    "Rader med omkastade koordinater (lat/lon eller N/E) rättades; "
    "geokodmetoden är coordinates_swapped."
)


@dataclass
class Points:
    """Per row: the point found so far (x, y in EPSG:3006), how, and why not where not."""

    size: int
    x: np.ndarray = field(init=False)
    y: np.ndarray = field(init=False)
    located: np.ndarray = field(init=False)
    method: np.ndarray = field(init=False)
    score: np.ndarray = field(init=False)
    epsg: np.ndarray = field(init=False)
    reason: np.ndarray = field(init=False)
    message: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = self.size
        self.x, self.y = np.full(n, np.nan), np.full(n, np.nan)
        self.located = np.zeros(n, dtype=bool)
        self.method = np.full(n, "", dtype=object)
        self.score = np.zeros(n)
        self.epsg = np.zeros(n, dtype=np.int32)
        self.reason = np.full(n, "", dtype=object)
        self.message = np.full(n, "", dtype=object)

    def put(
        self,
        rows: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        method: object,
        score: object,
        epsg: object = 3006,
    ) -> None:
        """Points found for `rows` (positions or a mask)."""
        self.x[rows], self.y[rows] = x, y
        self.method[rows], self.score[rows], self.epsg[rows] = method, score, epsg
        self.located[rows] = True

    def explain(self, rows: np.ndarray, reason: str, message: object) -> None:
        """Why `rows` have no point (kept for rows that a later source does not locate)."""
        self.reason[rows], self.message[rows] = reason, message


def points_from_geometry(chunk: pd.DataFrame, points: Points) -> None:
    """Rows of a spatial file: their geometry's point (a polygon's point on its surface)."""
    if GEOM_X not in chunk:
        return
    gx, _ = numbers(chunk[GEOM_X])
    gy, _ = numbers(chunk[GEOM_Y])
    have = gx.notna().to_numpy()
    note = chunk["__geometry_note"].to_numpy()
    score = np.where(note[have] == "point_on_surface", 0.9, 1.0)
    points.put(have, gx[have], gy[have], "coordinates", score)


def points_from_coordinates(
    fields: pd.DataFrame,
    columns: dict[str, str],
    points: Points,
    crs: int | None,
    target: tuple[float, float] | None,
    police_feed: bool,
    warnings: set[str],
) -> None:
    """Rows not located yet: their lat/lon or north/east columns, projected to SWEREF 99 TM.

    The police feed gives the municipality's centroid, so its points are marked as such.
    """
    pair = ("lat", "lon") if {"lat", "lon"} <= columns.keys() else ("north", "east")
    if not set(pair) <= columns.keys():
        return
    first_values, bad1 = numbers(fields[pair[0]])
    second_values, bad2 = numbers(fields[pair[1]])
    first, second = first_values.to_numpy(), second_values.to_numpy()
    not_number = np.asarray(bad1, dtype=bool) | np.asarray(bad2, dtype=bool)
    todo = ~points.located
    given = todo & (~np.isnan(first) | ~np.isnan(second) | not_number)
    text_bad = np.flatnonzero(todo & not_number)
    written = zip(
        _values_at(fields[pair[0]], text_bad), _values_at(fields[pair[1]], text_bad), strict=True
    )
    not_numbers = [f"Koordinaterna är inte tal: {a}, {b}" for a, b in written]
    points.explain(text_bad, "invalid_coordinates", not_numbers)
    zero = todo & (first == 0) & (second == 0)
    points.explain(zero, "zero_coordinates", "Koordinaterna är (0, 0), inte en plats.")
    candidates = given & ~not_number & ~zero & ~np.isnan(first) & ~np.isnan(second)
    if candidates.any():
        projected = project(first[candidates], second[candidates], crs, target)
        warnings.update(projected.warnings)
        idx = np.flatnonzero(candidates)
        ok = projected.ok
        good = idx[ok]
        if police_feed:
            method: object = "municipality_centroid"
            score: object = SCORES["municipality_centroid"]
        else:
            swapped = projected.swapped[ok]
            method = np.where(swapped, "coordinates_swapped", "coordinates").astype(object)
            score = np.where(swapped, SCORES["coordinates_swapped"], 1.0)
            if swapped.any():
                warnings.add(SWAPPED_NOTE)
        points.put(good, projected.x[ok], projected.y[ok], method, score, projected.epsg[ok])
        failed = idx[~ok]
        points.explain(
            failed,
            "invalid_coordinates",
            [
                f"Koordinaterna ({a}, {b}) passar inget svenskt koordinatsystem."
                for a, b in zip(first[failed], second[failed], strict=True)
            ],
        )
    missing_pair = given & ~not_number & ~zero & ~candidates
    points.explain(missing_pair, "invalid_coordinates", "Bara en av två koordinater finns.")


def points_from_addresses(
    conn: Connection, municipality_code: str, fields: pd.DataFrame, points: Points
) -> None:
    """Rows not located yet: their address (and town), matched to the address register."""
    todo = ~points.located
    if not todo.any():
        return
    town = fields["town"][todo] if "town" in fields else None
    found = match_addresses(conn, municipality_code, fields["address"][todo], town)
    idx = np.flatnonzero(todo)
    hit = found.method != ""
    points.put(idx[hit], found.x[hit], found.y[hit], found.method[hit], found.score[hit])
    miss = (found.reason != "") & (points.reason[idx] == "")
    points.explain(idx[miss], found.reason[miss], found.message[miss])


def points_from_places(names: pd.Series, places: PlaceIndex, points: Points) -> None:
    """Rows not located yet: their place name or alias, at the place's point."""
    todo = ~points.located
    if not todo.any():
        return
    names = names[todo]
    ids, px, py = places.lookup(names)
    idx = np.flatnonzero(todo)
    hit = ids >= 0
    points.put(idx[hit], px[hit], py[hit], "place", SCORES["place"])
    named = (names.fillna("").str.strip() != "").to_numpy() & ~hit
    named &= points.reason[idx] == ""
    points.explain(
        idx[named],
        "place_not_found",
        [
            f"Platsen {v!r} finns inte bland kommunens platser eller alias."
            for v in names.to_numpy()[named]
        ],
    )


def reject_unlocated(points: Points, rejections: Rejections) -> None:
    """Rows without a point go to quarantine with the reason found, else `no_location`."""
    no_point = np.flatnonzero(~points.located)
    reasons = points.reason[no_point]
    reasons[reasons == ""] = "no_location"
    messages = points.message[no_point]
    messages[messages == ""] = "Raden saknar koordinater, adress och platsnamn."
    for reason in np.unique(reasons):
        selected = np.zeros(points.size, dtype=bool)
        selected[no_point[reasons == reason]] = True
        rejections.add(
            selected, str(reason), lambda rows: messages[np.searchsorted(no_point, rows)]
        )


def reject_outside(points: Points, zone: object | None, rejections: Rejections) -> None:
    """Points outside the municipality's zone (its boundary with a margin) go to quarantine."""
    if zone is None:
        return
    x, y, located = points.x, points.y, points.located
    inside = np.ones(points.size, dtype=bool)
    inside[located] = shapely.contains_xy(zone, x[located], y[located])

    def messages(rows: np.ndarray) -> list[str]:
        return [
            f"Punkten ({a:.0f}, {b:.0f}) i SWEREF 99 TM ligger utanför kommunen."
            for a, b in zip(x[rows], y[rows], strict=True)
        ]

    rejections.add(~inside, "outside_area", messages)


def _values_at(values: pd.Series, rows: np.ndarray) -> list[str]:
    """The values ('' for missing) at the given positions."""
    return values.iloc[rows].fillna("").astype(str).tolist()
