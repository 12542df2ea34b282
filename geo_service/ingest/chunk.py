"""One chunk of rows → events in the loader's layout, and the rows that go to quarantine.

The stages run in a fixed order and a row is quarantined for the first reason found: the
row's shape, its time, category, severity, location, then its identity (a repeat of an earlier
row). Every stage works on whole columns; no stage loops over rows in Python.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from geo_service.geocode.crs import to_wgs84
from geo_service.geocode.places import PlaceIndex
from geo_service.geocode.text import as_arrow, distinct
from geo_service.grid import latlng_to_cells, parent_cells
from geo_service.ingest import locate
from geo_service.ingest import mapping as mapping_mod
from geo_service.ingest.identity import hash_rows, source_ids
from geo_service.ingest.mapping import fold
from geo_service.ingest.options import ImportOptions
from geo_service.ingest.parse import datetimes, numbers, utc_text
from geo_service.ingest.quarantine import raw_records
from geo_service.ingest.redact import redact, redacted_texts
from geo_service.ingest.rejections import Rejections, reject_duplicates

EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
GEOMETRY_NOTE = "__geometry_note"


@dataclass
class Context:
    """What every chunk needs: the tenant's zone, places, categories and resolved columns."""

    options: ImportOptions
    batch_id: int
    columns: dict[str, str]
    categories: dict[str, str]
    places: PlaceIndex
    zone: object | None
    """The municipality's boundary buffered by the outside margin (prepared), or None."""
    target: tuple[float, float] | None
    crs: int | None
    police_feed: bool
    file_columns: list[str]
    check_shape: bool
    future_tolerance: timedelta
    """How far after now an event time may be (clocks and time zones differ)."""
    seen: list[np.ndarray] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)


@dataclass
class Categories:
    """Each row's category label as a code into a few distinct labels, and their taxonomy codes."""

    label_codes: np.ndarray
    known: list[str | None]


@dataclass
class Texts:
    """Each row's redacted description as a code into a few distinct texts (None: missing)."""

    codes: np.ndarray
    distinct: list[str | None]


def process_chunk(
    conn: Connection, chunk: pd.DataFrame, ctx: Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One chunk → (events in the loader's layout, quarantined rows)."""
    fields = mapping_mod.apply(chunk, ctx.columns)
    rejections = Rejections(chunk.index)
    if ctx.check_shape:
        reject_short_rows(chunk, ctx.file_columns, rejections)
    occurred = occurrence_times(fields, rejections, ctx.future_tolerance)
    reported = datetimes(_column(fields, "reported_at")) if "reported_at" in fields else None
    categories = category_codes(fields, ctx.categories, rejections)
    severity = severities(fields, rejections)
    points = locate_rows(conn, chunk, fields, ctx, rejections)
    texts = descriptions(fields, chunk, ctx.police_feed)
    occurred_text = utc_text(occurred)
    content_hash = hash_rows(
        [
            (np.zeros(len(chunk), dtype=np.intp), [ctx.options.kind]),
            (categories.label_codes, [c or "" for c in categories.known]),
            occurred_text.to_numpy(),
            np.round(points.x, 1),
            np.round(points.y, 1),
            (texts.codes, ["" if d is None else d for d in texts.distinct]),
            np.nan_to_num(severity, nan=0.0),
        ]
    )
    source_id = source_ids(as_arrow(_column(fields, "source_id")), content_hash)
    reject_duplicates(source_id.to_numpy(zero_copy_only=False), chunk.index, rejections, ctx.seen)
    ok = rejections.ok
    events = pd.DataFrame(
        {
            "kind": ctx.options.kind,
            "category": _texts(categories.known, categories.label_codes[ok]),
            "source": ctx.options.source,
            "source_id": _arrow_text(source_id.filter(ok)),
            "content_hash": _arrow_text(content_hash.filter(ok)),
            "occurred_at": _seconds(occurred)[ok],
            "reported_at": _seconds(reported)[ok] if reported is not None else None,
            "severity": _integers(severity[ok]),
            **_located_columns(points, ok),
            "description": _texts(texts.distinct, texts.codes[ok]),
            "attributes": _attributes(chunk, ok),
            "batch_id": ctx.batch_id,
            "created_by": ctx.options.created_by,
            "place_id": _integers(ctx.places.containing(points.x[ok], points.y[ok])),
        },
        copy=False,
    )
    if not ctx.options.created_by:
        events["created_by"] = None
    return events, rejected_rows(chunk, rejections)


def reject_short_rows(chunk: pd.DataFrame, file_columns: list[str], rejections: Rejections) -> None:
    """Rows with fewer fields than the header (a CSV reader fills the missing ones with null)."""
    short = np.zeros(len(chunk), dtype=bool)
    for column in file_columns:
        short |= chunk[column].isna().to_numpy()
    rejections.add(short, "wrong_field_count", "Raden har färre fält än rubriken.")


def occurrence_times(
    fields: pd.DataFrame, rejections: Rejections, future_tolerance: timedelta
) -> pd.Series:
    """Each row's time in UTC; blank, unreadable, future and pre-1990 times are rejected."""
    raw_date = _column(fields, "occurred_at")
    occurred = datetimes(raw_date, fields.get("time"))
    utc = occurred.dt.tz_convert(None).to_numpy()
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(as_arrow(raw_date)), ""), True)
    rejections.add(blank, "missing_date", "Datum saknas.")
    dates = _values_at(raw_date)
    rejections.add(
        np.isnat(utc),
        "invalid_date",
        lambda rows: [f"Datumet {v} kan inte tolkas eller finns inte." for v in dates(rows)],
    )
    latest = (pd.Timestamp(datetime.now(UTC)) + future_tolerance).tz_convert(None)
    rejections.add(
        utc > latest.to_datetime64(),
        "date_in_future",
        lambda rows: [f"Datumet {v} ligger i framtiden." for v in dates(rows)],
    )
    rejections.add(
        utc < EARLIEST.tz_convert(None).to_datetime64(),
        "date_too_old",
        lambda rows: [f"Datumet {v} är före 1990." for v in dates(rows)],
    )
    return occurred


def category_codes(
    fields: pd.DataFrame, lookup: dict[str, str], rejections: Rejections
) -> Categories:
    """Each row's taxonomy code by its folded label; unknown labels are rejected."""
    label_codes, labels = distinct(_column(fields, "category"))
    known = [lookup.get(fold(v)) for v in labels]
    unknown = np.array([k is None for k in known], dtype=bool)[label_codes]

    def messages(rows: np.ndarray) -> list[str]:
        return [
            f"Kategorin '{labels[c]}' är okänd; lägg till den i mappningen "
            "(categories) eller som alias i kommunens kategorilista."
            for c in label_codes[rows]
        ]

    rejections.add(unknown, "unknown_category", messages)
    return Categories(label_codes, known)


def severities(fields: pd.DataFrame, rejections: Rejections) -> np.ndarray:
    """Each row's severity 1–3 (NaN where not given); other values are rejected."""
    severity, bad = np.full(len(fields), np.nan), np.zeros(len(fields), dtype=bool)
    if "severity" in fields:
        values, not_number = numbers(fields["severity"])
        severity = values.to_numpy()
        bad = np.asarray(not_number.fillna(False), dtype=bool)
    bad |= ~np.isnan(severity) & (severity != 1) & (severity != 2) & (severity != 3)
    rejections.add(bad, "invalid_severity", "Allvarlighetsgraden ska vara 1, 2 eller 3.")
    return severity


def locate_rows(
    conn: Connection,
    chunk: pd.DataFrame,
    fields: pd.DataFrame,
    ctx: Context,
    rejections: Rejections,
) -> locate.Points:
    """Each row's point: geometry, coordinates, address, place name, in that order."""
    points = locate.Points(len(chunk))
    locate.points_from_geometry(chunk, points)
    locate.points_from_coordinates(
        fields, ctx.columns, points, ctx.crs, ctx.target, ctx.police_feed, ctx.warnings
    )
    if "address" in ctx.columns:
        locate.points_from_addresses(conn, ctx.options.municipality_code, fields, points)
    if "place" in ctx.columns:
        locate.points_from_places(fields["place"], ctx.places, points)
    locate.reject_unlocated(points, rejections)
    locate.reject_outside(points, ctx.zone, rejections)
    return points


def descriptions(fields: pd.DataFrame, chunk: pd.DataFrame, police_feed: bool) -> Texts:
    """Each row's redacted free text; the police feed's redacted place name where it has none."""
    codes, texts = redacted_texts(_column(fields, "description"))
    texts = [d or None for d in texts]  # an empty text is no description
    if police_feed and "name" in chunk:
        rows = np.array(texts, dtype=object)[codes]
        missing = pd.isna(rows)
        rows[missing] = redact(chunk["name"]).to_numpy()[missing]
        codes, uniques = pd.factorize(rows)
        texts = [*uniques.tolist(), None]
        codes[codes < 0] = len(texts) - 1
    return Texts(codes, texts)


def rejected_rows(chunk: pd.DataFrame, rejections: Rejections) -> pd.DataFrame:
    """The quarantined rows: row number, the raw fields, reason code and message."""
    bad = ~rejections.ok
    raw = chunk.loc[bad, [c for c in chunk.columns if c != GEOMETRY_NOTE]]
    return pd.DataFrame(
        {
            "row_number": chunk.index[bad],
            "raw": raw_records(raw),
            "reason_code": rejections.reason[bad],
            "message": rejections.message[bad],
        }
    )


def _located_columns(points: locate.Points, ok: np.ndarray) -> dict[str, object]:
    """The point, its H3 cells and how it was found, for the kept rows."""
    x, y = points.x[ok], points.y[ok]
    lat, lon = to_wgs84(x, y)
    r10 = latlng_to_cells(lat, lon, 10)
    return {
        "x": x,
        "y": y,
        "h3_r8": parent_cells(r10, 8),
        "h3_r9": parent_cells(r10, 9),
        "h3_r10": r10,
        "geocode_method": _arrow_text(pa.array(points.method[ok], pa.string())),
        "geocode_score": np.clip(points.score[ok], 0, 1),
        "source_crs": points.epsg[ok].astype(np.int16),
    }


def _attributes(chunk: pd.DataFrame, ok: np.ndarray) -> pd.arrays.ArrowStringArray | None:
    """Attributes as JSON text: only a polygon's point on the surface is noted."""
    if GEOMETRY_NOTE not in chunk:
        return None
    polygon = chunk[GEOMETRY_NOTE].to_numpy()[ok] == "point_on_surface"
    notes = np.where(polygon, '{"geometry": "point_on_surface"}', None)
    return _arrow_text(pa.array(notes, pa.string()))


def _integers(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers with NaN as missing (integer input: none missing)."""
    if values.dtype.kind in "iu":
        return pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool))
    return pd.arrays.IntegerArray(np.nan_to_num(values).astype(np.int64), np.isnan(values))


def _column(fields: pd.DataFrame, name: str) -> pd.Series:
    """The mapped column, or all missing when the file has none."""
    if name in fields:
        return fields[name]
    return pd.Series(pd.NA, index=fields.index, dtype="string")


def _values_at(values: pd.Series) -> Callable[[np.ndarray], list[str]]:
    """The values ('' for missing) at the given positions."""
    return lambda rows: values.iloc[rows].fillna("").astype(str).tolist()


def _arrow_text(values: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(values)


def _texts(distinct: list[str | None], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Each row's text, given as its index into a few distinct texts (None: missing)."""
    return _arrow_text(pa.array(distinct, pa.string()).take(codes))


def _seconds(times: pd.Series) -> pd.arrays.DatetimeArray:
    """UTC timestamps to the whole second (NaT stays), as the content hash's text has them."""
    return times.dt.floor("s").array
