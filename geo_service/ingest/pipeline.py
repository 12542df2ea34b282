"""The import pipeline: read → map → validate → geocode → H3 → redact → hash → upsert.

Every row read ends either in `event` (new, updated or unchanged) or in `quarantine` with a
reason code; the report's numbers add up to the rows read. One import is one transaction
and one `ingest_batch` row; chunks keep memory bounded for files of any size.
"""

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from sqlalchemy import Connection, Engine, text

from geo_service.config import get_settings
from geo_service.db.constants import EVENT_KINDS
from geo_service.db.copy import ensure_h3_cells
from geo_service.errors import GeoServiceError, NotFoundError
from geo_service.geocode.address import match_addresses
from geo_service.geocode.crs import SUPPORTED, project, to_wgs84
from geo_service.geocode.places import PlaceIndex, load_places
from geo_service.geocode.text import as_arrow, distinct
from geo_service.grid import latlng_to_cells, parent_cells
from geo_service.ingest import mapping as mapping_mod
from geo_service.ingest.bulk import (
    StagedPartition,
    drop_stage,
    import_lock,
    should_bulk_load,
)
from geo_service.ingest.loader import UpsertCounts, upsert_events
from geo_service.ingest.mapping import Mapping, fold
from geo_service.ingest.parse import TEXT, datetimes, numbers, utc_text
from geo_service.ingest.quarantine import raw_records, write_quarantine
from geo_service.ingest.readers import GEOM_X, GEOM_Y, ReaderRestart, Source, open_source
from geo_service.ingest.redact import redact
from geo_service.ingest.report import ImportReport

EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
SOURCE_KIND_FOR = {"incident": "police", "observation": "rapportor", "tip": "public",
                   "fault_report": "municipality", "walk_finding": "municipality"}  # fmt: skip
SCORES = {"coordinates": 1.0, "coordinates_swapped": 0.9, "place": 0.8,
          "municipality_centroid": 0.1}  # fmt: skip
Progress = Callable[[int], None]


@dataclass
class ImportOptions:
    """What the user said about the import."""

    municipality_code: str
    source: str
    kind: str
    mapping: Mapping | None = None
    crs: int | None = None
    sheet: str | None = None
    filename: str | None = None
    created_by: str | None = None
    chunk_rows: int | None = None
    bulk: bool | None = None
    """Load as a new partition (only into a municipality without events); None decides by
    size, True also for small files, False never."""


@dataclass
class Context:
    """What every chunk needs: the tenant's boundary, places, categories and resolved columns."""

    options: ImportOptions
    batch_id: int
    columns: dict[str, str]
    categories: dict[str, str]
    places: PlaceIndex
    boundary: object | None
    target: tuple[float, float] | None
    crs: int | None
    police_feed: bool
    file_columns: list[str]
    check_shape: bool
    seen: list[np.ndarray] = field(default_factory=list)
    warnings: set[str] = field(default_factory=set)


def _validate_options(options: ImportOptions) -> None:
    if options.kind not in EVENT_KINDS:
        raise GeoServiceError(
            "invalid_kind",
            f"Typen måste vara en av {', '.join(EVENT_KINDS)}, inte {options.kind!r}.",
        )
    crs = options.crs or (options.mapping.crs if options.mapping else None)
    if crs is not None and crs not in SUPPORTED:
        raise GeoServiceError(
            "unsupported_crs",
            f"EPSG:{crs} stöds inte; använd 4326, 3006, 3007–3018 eller 3021.",
        )


def ingest_file(
    engine: Engine, path: Path, options: ImportOptions, progress: Progress | None = None
) -> ImportReport:
    """Import one file in one transaction; broken CSV rows restart it in a tolerant mode."""
    _validate_options(options)
    chunk_rows = options.chunk_rows or get_settings().ingest_chunk_rows
    options.filename = options.filename or path.name
    mode = "arrow"
    with ThreadPoolExecutor(max_workers=1) as scanner:  # beside the reader's first block
        scanned = scanner.submit(_sha256_lines, path)
        while True:
            try:
                source = open_source(path, chunk_rows, mode, options.sheet)
                digest, lines = scanned.result()
                with engine.begin() as conn:
                    expected = lines - 1 if source.format == "csv" else 0
                    return run_import(conn, source, options, digest, progress, expected)
            except ReaderRestart as restart:
                mode = "noquote" if mode == "python" else restart.next_mode
            except BaseException:
                with engine.begin() as conn:  # a failed bulk import's stage table, if any
                    drop_stage(conn, options.municipality_code)
                raise


def ingest_frame(conn: Connection, frame: pd.DataFrame, options: ImportOptions) -> ImportReport:
    """Import rows already in memory (the observations API) through the same pipeline."""
    _validate_options(options)
    text_frame = frame.astype(TEXT).fillna("")
    text_frame.index = pd.RangeIndex(1, len(frame) + 1)
    source = Source(format="json", columns=list(text_frame.columns), chunks=iter([text_frame]))
    return run_import(conn, source, options, None, None)


def _sha256_lines(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its number of line breaks (an upper bound on CSV rows)."""
    h = hashlib.sha256()
    lines = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
            lines += block.count(b"\n")
    return h.hexdigest(), lines


def run_import(
    conn: Connection,
    source: Source,
    options: ImportOptions,
    digest: str | None,
    progress: Progress | None,
    expected_rows: int = 0,
) -> ImportReport:
    """Import every chunk of an opened source; returns the report (already stored)."""
    mc = options.municipality_code
    if options.kind not in EVENT_KINDS:
        raise GeoServiceError("invalid_kind", f"Okänd typ {options.kind!r}.")
    boundary_wkb = conn.execute(
        text("SELECT ST_AsBinary(boundary) FROM municipality WHERE municipality_code = :mc"),
        {"mc": mc},
    ).one_or_none()
    if boundary_wkb is None:
        raise NotFoundError("municipality", mc)
    import_lock(conn, mc)
    mapping = _source_mapping(conn, options)
    resolved = mapping_mod.resolve_columns(source.columns, mapping)
    mapping_mod.check_required(resolved, source.columns, source.has_geometry)
    categories = _category_lookup(conn, mc, mapping)
    boundary = shapely.from_wkb(bytes(boundary_wkb[0])) if boundary_wkb[0] else None
    margin = get_settings().outside_margin_m
    zone = shapely.buffer(boundary, margin) if boundary is not None else None
    if zone is not None:
        shapely.prepare(zone)
    centroid = shapely.centroid(boundary) if boundary is not None else None
    batch_id = conn.execute(
        text(
            "INSERT INTO ingest_batch (municipality_code, source, kind, filename, file_sha256, "
            "created_by) VALUES (:mc, :src, :kind, :fn, :sha, :by) RETURNING id"
        ),
        {"mc": mc, "src": options.source, "kind": options.kind, "fn": options.filename,
         "sha": digest, "by": options.created_by},
    ).scalar_one()  # fmt: skip
    ctx = Context(
        options=options, batch_id=batch_id, columns=resolved, categories=categories,
        places=load_places(conn, mc), boundary=zone,
        target=(centroid.x, centroid.y) if centroid is not None else None,
        crs=options.crs or mapping.crs, police_feed=source.police_feed,
        file_columns=source.columns, check_shape=source.format == "csv",
    )  # fmt: skip
    report = ImportReport(
        batch_id=batch_id, municipality_code=mc, source=options.source, kind=options.kind,
        filename=options.filename, format=source.format, columns=resolved,
        warnings=list(source.warnings),
    )  # fmt: skip
    unused = [c for c in source.columns if c not in resolved.values()]
    if unused:
        report.warnings.append(f"Kolumner som inte används: {', '.join(unused)}.")
    stage = None
    if should_bulk_load(conn, mc, expected_rows, options.bulk):
        constants = {"kind": options.kind, "source": options.source, "batch_id": batch_id,
                     "created_by": options.created_by}  # fmt: skip
        stage = StagedPartition(conn, mc, constants)
    try:
        counts = _load_chunks(conn, source, ctx, report, progress, stage)
        if stage is None:
            _finish_import(conn, source, ctx, report, counts)
        else:
            stage.build_indexes()  # on every core
            with ThreadPoolExecutor(max_workers=1) as checker:  # one core checks the keys,
                checked = checker.submit(stage.add_keys)  # the import's connection the rest
                ensure_h3_cells(conn, stage.cells)
                _finish_import(conn, source, ctx, report, counts)
                checked.result()
            stage.attach(conn)  # last, so nothing after it can fail but the commit
    finally:
        if stage is not None:
            stage.close()
    return report


def _finish_import(
    conn: Connection, source: Source, ctx: Context, report: ImportReport, counts: UpsertCounts
) -> None:
    """Quarantine the rows the reader could not split, complete the report and store it."""
    mc = ctx.options.municipality_code
    if source.bad_rows:
        bad = pd.DataFrame({
            "row_number": [r.row_number for r in source.bad_rows],
            "raw": raw_records(pd.DataFrame({"fields": [" | ".join(map(str, r.fields))
                                                       for r in source.bad_rows]})),
            "reason_code": "wrong_field_count",
            "message": [f"Raden har {len(r.fields)} fält, rubriken {len(source.columns)}."
                        for r in source.bad_rows],
        })  # fmt: skip
        write_quarantine(conn, mc, ctx.batch_id, bad)
        report.rows_read += len(bad)
        report.count_reasons({"wrong_field_count": len(bad)})
    if report.rows_read == 0:
        raise GeoServiceError("no_rows", "Filen har en rubrikrad men inga rader med data.")
    report.stored, report.updated = counts.stored, counts.updated
    report.unchanged = counts.unchanged
    report.warnings += sorted(ctx.warnings)
    _finish_batch(conn, report, ctx.options)


def _load_chunks(
    conn: Connection,
    source: Source,
    ctx: Context,
    report: ImportReport,
    progress: Progress | None,
    stage: StagedPartition | None,
) -> UpsertCounts:
    """Process and write every chunk: into the stage table on the bulk path, else upserted.

    The database writes chunk i while Python prepares chunk i+1 (`conn` is never used by both
    threads at once: address matching waits for the pending write).
    """
    mc, batch_id = ctx.options.municipality_code, ctx.batch_id

    def write(events: pd.DataFrame, rejected: pd.DataFrame) -> UpsertCounts:
        if stage is None:
            written = upsert_events(conn, mc, events)
        else:
            stage.copy(events)  # its cells' polygons are added while it is indexed
            written = UpsertCounts(stored=len(events))  # a municipality without events
        write_quarantine(conn, mc, batch_id, rejected)
        return written

    counts = UpsertCounts()
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[UpsertCounts] | None = None
        for chunk in source.chunks:
            if chunk.empty:
                continue
            if pending is not None and "address" in ctx.columns:
                counts += pending.result()
                pending = None
            events, rejected = process_chunk(conn, chunk, ctx)
            if pending is not None:
                counts += pending.result()
            pending = writer.submit(write, events, rejected)
            report.rows_read += len(chunk)
            report.count_reasons(rejected["reason_code"].value_counts().to_dict())
            report.count_methods(events["geocode_method"].value_counts().to_dict())
            if progress:
                progress(len(chunk))
        if pending is not None:
            counts += pending.result()
    return counts


def _finish_batch(conn: Connection, report: ImportReport, options: ImportOptions) -> None:
    import json

    stored_report = report.as_dict() | {
        "options": {"crs": options.crs, "sheet": options.sheet,
                    "mapping": options.mapping.to_json() if options.mapping else None},
    }  # fmt: skip
    conn.execute(
        text(
            "UPDATE ingest_batch SET finished_at = now(), rows_read = :r, stored = :s, "
            "updated = :u, unchanged = :n, quarantined = :q, report = CAST(:rep AS jsonb) "
            "WHERE municipality_code = :mc AND id = :id"
        ),
        {"r": report.rows_read, "s": report.stored, "u": report.updated, "n": report.unchanged,
         "q": report.quarantined, "rep": json.dumps(stored_report, default=str),
         "mc": report.municipality_code, "id": report.batch_id},
    )  # fmt: skip


def _source_mapping(conn: Connection, options: ImportOptions) -> Mapping:
    """Create the source if new; store a given mapping on it, else use the stored one."""
    import json

    kind = SOURCE_KIND_FOR.get(options.kind, "other")
    conn.execute(
        text(
            "INSERT INTO source (municipality_code, code, name, kind) VALUES (:mc, :code, :name, "
            ":kind) ON CONFLICT DO NOTHING"
        ),
        {
            "mc": options.municipality_code,
            "code": options.source,
            "name": options.source,
            "kind": kind,
        },
    )
    if options.mapping is not None:
        conn.execute(
            text(
                "UPDATE source SET mapping = CAST(:m AS jsonb) "
                "WHERE municipality_code = :mc AND code = :code"
            ),
            {"m": json.dumps(options.mapping.to_json()), "mc": options.municipality_code,
             "code": options.source},
        )  # fmt: skip
        return options.mapping
    stored = conn.execute(
        text("SELECT mapping FROM source WHERE municipality_code = :mc AND code = :code"),
        {"mc": options.municipality_code, "code": options.source},
    ).scalar()
    return mapping_mod.parse_mapping(stored) if stored else Mapping()


def _category_lookup(conn: Connection, mc: str, mapping: Mapping) -> dict[str, str]:
    """Folded label → taxonomy code: the mapping's labels first, then codes, labels, aliases."""
    rows = conn.execute(
        text(
            "SELECT code, label_sv, label_en, aliases FROM taxonomy WHERE municipality_code = :mc"
        ),
        {"mc": mc},
    ).all()
    codes = {r[0] for r in rows}
    unknown = sorted(set(mapping.categories.values()) - codes)
    if unknown:
        raise GeoServiceError(
            "invalid_mapping",
            f"Mappningen pekar på kategorier som inte finns: {', '.join(unknown)}. "
            f"Kommunens kategorier: {', '.join(sorted(codes))}.",
        )
    lookup: dict[str, str] = {}
    for code, sv, en, aliases in rows:
        for label in [code, sv, en, *(aliases or [])]:
            lookup.setdefault(fold(label), code)
    lookup.update(mapping.categories)
    return lookup


class _Rejections:
    """Collects the first reason per row (a row is quarantined for one reason)."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = np.full(len(index), "", dtype=object)
        self.message = np.full(len(index), "", dtype=object)
        self.ok = np.ones(len(index), dtype=bool)

    def add(
        self,
        mask: pd.Series | np.ndarray,
        reason: str,
        message: str | np.ndarray | Callable[[np.ndarray], list[str]],
    ) -> None:
        """Quarantine the rows of `mask` not quarantined yet. `message` is one text, one per
        row, or a function giving the texts of the rows it is given (positions)."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool) & self.ok)
        if not rows.size:
            return
        self.ok[rows] = False
        self.reason[rows] = reason
        if isinstance(message, str):
            self.message[rows] = message
        elif callable(message):
            self.message[rows] = message(rows)
        else:
            self.message[rows] = np.asarray(message, dtype=object)[rows]


def _col(m: pd.DataFrame, name: str) -> pd.Series:
    return m[name] if name in m else pd.Series(pd.NA, index=m.index, dtype="string")


def process_chunk(
    conn: Connection, chunk: pd.DataFrame, ctx: Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One chunk → (events in the loader's layout, quarantined rows)."""
    from geo_service.ingest.redact import redacted_texts

    o = ctx.options
    m = mapping_mod.apply(chunk, ctx.columns)
    n = len(chunk)
    rej = _Rejections(chunk.index)
    if ctx.check_shape:
        short = np.zeros(n, dtype=bool)
        for column in ctx.file_columns:
            short |= chunk[column].isna().to_numpy()
        rej.add(short, "wrong_field_count", "Raden har färre fält än rubriken.")

    def values_at(values: pd.Series) -> Callable[[np.ndarray], list[str]]:
        """The values ('' for missing) at the given positions."""
        return lambda rows: values.iloc[rows].fillna("").astype(str).tolist()

    # time
    raw_date = _col(m, "occurred_at")
    dates = values_at(raw_date)
    occurred = datetimes(raw_date, m.get("time"))
    utc = occurred.dt.tz_convert(None).to_numpy()
    blank_date = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(as_arrow(raw_date)), ""), True)
    rej.add(blank_date, "missing_date", "Datum saknas.")
    rej.add(
        np.isnat(utc),
        "invalid_date",
        lambda rows: [f"Datumet {v} kan inte tolkas eller finns inte." for v in dates(rows)],
    )
    now = pd.Timestamp(datetime.now(UTC))
    tolerance = timedelta(hours=get_settings().future_tolerance_hours)
    rej.add(
        utc > (now + tolerance).tz_convert(None).to_datetime64(),
        "date_in_future",
        lambda rows: [f"Datumet {v} ligger i framtiden." for v in dates(rows)],
    )
    rej.add(utc < EARLIEST.tz_convert(None).to_datetime64(), "date_too_old",
            lambda rows: [f"Datumet {v} är före 1990." for v in dates(rows)])  # fmt: skip
    reported = datetimes(_col(m, "reported_at")) if "reported_at" in m else None

    # category
    label_codes, labels = distinct(_col(m, "category"))
    known = [ctx.categories.get(fold(v)) for v in labels]
    unknown = np.array([k is None for k in known], dtype=bool)[label_codes]
    rej.add(unknown, "unknown_category",
            lambda rows: [f"Kategorin '{labels[c]}' är okänd; lägg till den i mappningen "
                          "(categories) eller som alias i kommunens kategorilista."
                          for c in label_codes[rows]])  # fmt: skip

    # severity
    severity, bad_sev = np.full(n, np.nan), np.zeros(n, dtype=bool)
    if "severity" in m:
        severity_values, not_number = numbers(m["severity"])
        severity = severity_values.to_numpy()
        bad_sev = np.asarray(not_number.fillna(False), dtype=bool)
    bad_sev |= ~np.isnan(severity) & (severity != 1) & (severity != 2) & (severity != 3)
    rej.add(bad_sev, "invalid_severity", "Allvarlighetsgraden ska vara 1, 2 eller 3.")

    # geocode
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    located = np.zeros(n, dtype=bool)
    method = np.full(n, "", dtype=object)
    score = np.zeros(n)
    epsg = np.zeros(n, dtype=np.int32)
    loc_reason = np.full(n, "", dtype=object)
    loc_message = np.full(n, "", dtype=object)
    geometry_note = chunk["__geometry_note"].to_numpy() if "__geometry_note" in chunk else None
    if GEOM_X in chunk:
        gx, _ = numbers(chunk[GEOM_X])
        gy, _ = numbers(chunk[GEOM_Y])
        have = gx.notna().to_numpy()
        x[have], y[have] = gx[have], gy[have]
        located |= have
        method[have] = "coordinates"
        score[have] = np.where(geometry_note[have] == "point_on_surface", 0.9, 1.0)
        epsg[have] = 3006
    pair = ("lat", "lon") if {"lat", "lon"} <= ctx.columns.keys() else ("north", "east")
    if set(pair) <= ctx.columns.keys():
        first_values, bad1 = numbers(m[pair[0]])
        second_values, bad2 = numbers(m[pair[1]])
        first, second = first_values.to_numpy(), second_values.to_numpy()
        not_number = np.asarray(bad1, dtype=bool) | np.asarray(bad2, dtype=bool)
        todo = ~located
        given = todo & (~np.isnan(first) | ~np.isnan(second) | not_number)
        text_bad = np.flatnonzero(todo & not_number)
        loc_reason[text_bad] = "invalid_coordinates"
        written = zip(values_at(m[pair[0]])(text_bad), values_at(m[pair[1]])(text_bad), strict=True)
        loc_message[text_bad] = [f"Koordinaterna är inte tal: {a}, {b}" for a, b in written]
        zero = todo & (first == 0) & (second == 0)
        loc_reason[zero] = "zero_coordinates"
        loc_message[zero] = "Koordinaterna är (0, 0), inte en plats."
        candidates = given & ~not_number & ~zero & ~np.isnan(first) & ~np.isnan(second)
        if candidates.any():
            p = project(first[candidates], second[candidates], ctx.crs, ctx.target)
            ctx.warnings.update(p.warnings)
            idx = np.flatnonzero(candidates)
            good = idx[p.ok]
            x[good], y[good], epsg[good] = p.x[p.ok], p.y[p.ok], p.epsg[p.ok]
            located[good] = True
            if ctx.police_feed:
                method[good] = "municipality_centroid"
                score[good] = SCORES["municipality_centroid"]
            else:
                swapped = p.swapped[p.ok]
                method[good] = "coordinates"
                method[good[swapped]] = "coordinates_swapped"
                score[good] = np.where(swapped, SCORES["coordinates_swapped"], 1.0)
            if p.swapped[p.ok].any() and not ctx.police_feed:
                ctx.warnings.add("Rader med omkastade koordinater (lat/lon eller N/E) rättades; "
                                 "geokodmetoden är coordinates_swapped.")  # fmt: skip
            failed = idx[~p.ok]
            loc_reason[failed] = "invalid_coordinates"
            loc_message[failed] = [
                f"Koordinaterna ({a}, {b}) passar inget svenskt koordinatsystem."
                for a, b in zip(first[failed], second[failed], strict=True)
            ]
        missing_pair = given & ~not_number & ~zero & ~candidates
        loc_reason[missing_pair] = "invalid_coordinates"
        loc_message[missing_pair] = "Bara en av två koordinater finns."
    if "address" in ctx.columns:
        todo = ~located
        if todo.any():
            found = match_addresses(conn, o.municipality_code, m["address"][todo],
                                    m["town"][todo] if "town" in m else None)  # fmt: skip
            idx = np.flatnonzero(todo)
            hit = found.method != ""
            x[idx[hit]], y[idx[hit]] = found.x[hit], found.y[hit]
            method[idx[hit]], score[idx[hit]] = found.method[hit], found.score[hit]
            epsg[idx[hit]] = 3006
            located[idx[hit]] = True
            miss = (found.reason != "") & (loc_reason[idx] == "")
            loc_reason[idx[miss]], loc_message[idx[miss]] = found.reason[miss], found.message[miss]
    if "place" in ctx.columns:
        todo = ~located
        if todo.any():
            names = m["place"][todo]
            ids, px, py = ctx.places.lookup(names)
            idx = np.flatnonzero(todo)
            hit = ids >= 0
            x[idx[hit]], y[idx[hit]] = px[hit], py[hit]
            method[idx[hit]], score[idx[hit]] = "place", SCORES["place"]
            epsg[idx[hit]] = 3006
            located[idx[hit]] = True
            named = (names.fillna("").str.strip() != "").to_numpy() & ~hit
            named &= loc_reason[idx] == ""
            loc_reason[idx[named]] = "place_not_found"
            loc_message[idx[named]] = [
                f"Platsen {v!r} finns inte bland kommunens platser eller alias."
                for v in names.to_numpy()[named]
            ]
    no_point = np.flatnonzero(~located)
    reasons = loc_reason[no_point]
    reasons[reasons == ""] = "no_location"
    messages = loc_message[no_point]
    messages[messages == ""] = "Raden saknar koordinater, adress och platsnamn."
    for reason in np.unique(reasons):
        sel = np.zeros(n, dtype=bool)
        sel[no_point[reasons == reason]] = True
        rej.add(sel, str(reason), lambda rows: messages[np.searchsorted(no_point, rows)])
    if ctx.boundary is not None:
        inside = np.ones(n, dtype=bool)
        inside[located] = shapely.contains_xy(ctx.boundary, x[located], y[located])
        rej.add(~inside, "outside_area", lambda rows: [
            f"Punkten ({a:.0f}, {b:.0f}) i SWEREF 99 TM ligger utanför kommunen."
            for a, b in zip(x[rows], y[rows], strict=True)])  # fmt: skip

    # redaction and identity
    text_codes, descriptions = redacted_texts(_col(m, "description"))
    descriptions = [d or None for d in descriptions]  # an empty text is no description
    if ctx.police_feed and "name" in chunk:  # else the redacted place name
        rows = np.array(descriptions, dtype=object)[text_codes]
        missing = pd.isna(rows)
        rows[missing] = redact(chunk["name"]).to_numpy()[missing]
        text_codes, uniques = pd.factorize(rows)
        descriptions = [*uniques.tolist(), None]
        text_codes[text_codes < 0] = len(descriptions) - 1
    occurred_text = utc_text(occurred)
    content_hash = _hash_rows([
        (np.zeros(n, dtype=np.intp), [o.kind]), (label_codes, [c or "" for c in known]),
        occurred_text.to_numpy(), np.round(x, 1), np.round(y, 1),
        (text_codes, ["" if d is None else d for d in descriptions]),
        np.nan_to_num(severity, nan=0.0),
    ])  # fmt: skip
    sid = pc.fill_null(pc.utf8_trim_whitespace(as_arrow(_col(m, "source_id"))), "")
    hashed_id = pc.binary_join_element_wise("h:", content_hash, "")
    source_id = pc.if_else(pc.equal(sid, ""), hashed_id, sid)
    _reject_duplicates(source_id.to_numpy(zero_copy_only=False), chunk.index, rej, ctx)

    ok = rej.ok
    lat, lon = to_wgs84(x[ok], y[ok])
    r10 = latlng_to_cells(lat, lon, 10)
    notes = None  # attributes: only a polygon's point on the surface is noted
    if geometry_note is not None:
        polygon = geometry_note[ok] == "point_on_surface"
        notes = np.where(polygon, '{"geometry": "point_on_surface"}', None)
    events = pd.DataFrame({  # text columns in Arrow, as COPY takes them
        "kind": o.kind, "category": _texts(known, label_codes[ok]), "source": o.source,
        "source_id": _arrow_text(source_id.filter(ok)),
        "content_hash": _arrow_text(content_hash.filter(ok)),
        "occurred_at": occurred_text.array[ok],
        "reported_at": _or_null(utc_text(reported).array[ok]) if reported is not None else None,
        "severity": pd.arrays.IntegerArray(np.nan_to_num(severity[ok]).astype(np.int64),
                                           np.isnan(severity[ok])), "x": x[ok], "y": y[ok],
        "h3_r8": parent_cells(r10, 8), "h3_r9": parent_cells(r10, 9), "h3_r10": r10,
        "geocode_method": _arrow_text(pa.array(method[ok], pa.string())),
        "geocode_score": np.clip(score[ok], 0, 1), "source_crs": epsg[ok].astype(np.int16),
        "description": _texts(descriptions, text_codes[ok]),
        "attributes": _arrow_text(pa.array(notes, pa.string())) if notes is not None else None,
        "batch_id": ctx.batch_id, "created_by": o.created_by,
        "place_id": pd.arrays.IntegerArray(ctx.places.containing(x[ok], y[ok]),
                                           np.zeros(int(ok.sum()), dtype=bool)),
    }, copy=False)  # fmt: skip
    if not o.created_by:
        events["created_by"] = None
    bad = ~ok
    rejected = pd.DataFrame({
        "row_number": chunk.index[bad],
        "raw": raw_records(chunk.loc[bad, [c for c in chunk.columns if c != "__geometry_note"]]),
        "reason_code": rej.reason[bad], "message": rej.message[bad],
    })  # fmt: skip
    return events, rejected


def _arrow_text(values: pa.Array) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(values)


def _texts(distinct: list[str | None], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Each row's text, given as its index into a few distinct texts (None: missing)."""
    return _arrow_text(pa.array(distinct, pa.string()).take(codes))


def _or_null(values: pd.arrays.ArrowStringArray) -> pd.arrays.ArrowStringArray:
    """Text with '' as missing, so COPY stores NULL (a quoted empty string is no timestamp)."""
    arrow = pa.array(values)
    return _arrow_text(pc.if_else(pc.equal(arrow, ""), pa.scalar(None, pa.string()), arrow))


def _hash_rows(columns: list[np.ndarray | tuple[np.ndarray, list[str]]]) -> pa.StringArray:
    """A stable 64-bit content hash per row (pandas' keyed SipHash), as 16 hex chars.

    The value `pd.util.hash_pandas_object(frame, index=False, hash_key=...)` gives for a frame
    of these columns; a text column given as (codes, distinct texts) is hashed once per text.
    Enough to tell a changed row within one source; the identity itself is the source id.
    """
    key = "geo_service_ingt"
    out: np.ndarray | None = None
    mult = np.uint64(1000003)
    for i, column in enumerate(columns):
        if isinstance(column, tuple):
            codes, uniques = column
            unique_texts = np.array(uniques, dtype=object)
            hashed = pd.util.hash_array(unique_texts, hash_key=key, categorize=False)[codes]
        else:
            hashed = pd.util.hash_array(column, hash_key=key, categorize=False)
        if out is None:
            out = np.full(len(hashed), 0x345678, dtype=np.uint64)
        out ^= hashed  # combined as pandas does (CPython's tuple hash)
        out *= mult
        mult += np.uint64(82520 + 2 * (len(columns) - i))
    assert out is not None
    out += np.uint64(97531)
    hexed = pa.py_buffer(out.astype(">u8").tobytes().hex().encode("ascii"))
    hexes = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), len(out), [None, hexed])
    return pc.cast(pc.cast(hexes, pa.binary()), pa.string())


def _reject_duplicates(
    source_id: np.ndarray, rows: pd.Index, rej: _Rejections, ctx: Context
) -> None:
    """Rows whose identity appeared earlier in the file go to quarantine, not over the first.

    Identities are 64-bit hashes (Python's, the same throughout one import); earlier chunks'
    are kept in `ctx.seen` as sorted runs, a run merged into the one before when it grows as
    large, so a file keeps O(log n) runs.
    """
    keys = np.fromiter(map(hash, source_id), dtype=np.int64, count=len(source_id))
    order = np.argsort(keys, kind="stable")  # equal keys stay in row order
    ordered = keys[order]
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    seen = np.zeros(len(keys), dtype=bool)
    for run in ctx.seen:
        seen |= run[np.searchsorted(run, ordered).clip(max=len(run) - 1)] == ordered
    in_chunk = np.zeros(len(keys), dtype=bool)
    in_chunk[order[repeat]] = True
    if repeat.any() or seen.any():
        earlier = np.zeros(len(keys), dtype=bool)
        earlier[order] = seen
        start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(keys))))
        first_row = np.empty(len(keys), dtype=rows.dtype)
        first_row[order] = rows.to_numpy()[order[start]]
        rej.add(in_chunk | earlier, "duplicate_in_file", lambda at: [
            f"Samma id som rad {first_row[i]} i filen." if in_chunk[i]
            else "Samma id som en tidigare rad i filen." for i in at])  # fmt: skip
    run = ordered[~repeat]
    while ctx.seen and len(ctx.seen[-1]) <= len(run):
        run = np.sort(np.concatenate([ctx.seen.pop(), run]), kind="stable")  # merges two runs
    if len(run):
        ctx.seen.append(run)


def iter_report_rows(report: ImportReport) -> Iterator[tuple[str, str]]:
    """(label, value) pairs for printing the report as a table."""
    yield "rader lästa", str(report.rows_read)
    yield "nya", str(report.stored)
    yield "uppdaterade", str(report.updated)
    yield "oförändrade", str(report.unchanged)
    yield "i karantän", str(report.quarantined)
    for reason, count in sorted(report.quarantine_reasons.items()):
        yield f"  {reason}", str(count)
