"""The import pipeline: read → map → validate → geocode → H3 → redact → hash → upsert.

A survey file (kind `survey`) goes to its own loader from here, so every caller imports any
file the same way. The stages of one chunk live in `chunk`, the batch row in `batches`.

Every row read ends either in `event` (new, updated or unchanged) or in `quarantine` with a
reason code; the report's numbers add up to the rows read. One import is one transaction
and one `ingest_batch` row; chunks keep memory bounded for files of any size.
"""

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, text

from geo_service.db.constants import EVENT_KINDS
from geo_service.db.copy import ensure_h3_cells
from geo_service.errors import GeoServiceError, NotFoundError
from geo_service.geocode.crs import SUPPORTED
from geo_service.geocode.places import load_places
from geo_service.ingest import mapping as mapping_mod
from geo_service.ingest.batches import finish_batch, open_batch
from geo_service.ingest.bulk import (
    StagedPartition,
    drop_stage,
    import_lock,
    should_bulk_load,
)
from geo_service.ingest.chunk import Context, process_chunk
from geo_service.ingest.csv_modes import CsvMode, ReaderRestart
from geo_service.ingest.loader import UpsertCounts, upsert_events
from geo_service.ingest.mapping import Mapping, fold
from geo_service.ingest.options import ImportOptions
from geo_service.ingest.parse import TEXT
from geo_service.ingest.quarantine import raw_records, write_quarantine
from geo_service.ingest.readers import Source, open_source
from geo_service.ingest.redact import redact_json, redact_text
from geo_service.ingest.report import ImportReport
from geo_service.ingest.survey import ingest_survey

SOURCE_KIND_FOR = {
    "incident": "police",
    "observation": "rapportor",
    "tip": "public",
    "fault_report": "municipality",
    "walk_finding": "municipality",
}
Progress = Callable[[int], None]


def _validate_options(options: ImportOptions) -> None:
    if options.kind not in EVENT_KINDS:
        raise GeoServiceError(
            "invalid_kind",
            f"Typen måste vara en av {', '.join(EVENT_KINDS)}, inte {options.kind!r}.",
        )
    if redact_text(options.source) != options.source:
        raise GeoServiceError(
            "invalid_source", "Källans kod liknar ett personnummer eller telefonnummer."
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
    """Import one file in one transaction; broken CSV rows restart it in a tolerant mode.

    A survey file (kind `survey`) is loaded into the survey results instead of events.
    """
    if options.kind == "survey":
        with engine.begin() as conn:
            return ingest_survey(conn, options.municipality_code, path)
    _validate_options(options)
    chunk_rows = options.chunk_rows or options.settings.ingest_chunk_rows
    options.filename = options.filename or path.name
    mode = CsvMode.ARROW
    with ThreadPoolExecutor(max_workers=1) as scanner:  # beside the reader's first block
        scanned = scanner.submit(_sha256_lines, path)
        while True:
            # A stage table left by a killed import, or by this one before a reader restart.
            with engine.begin() as conn:
                drop_stage(conn, options.municipality_code)
            try:
                source = open_source(path, chunk_rows, mode, options.sheet)
                digest, lines = scanned.result()
                with engine.begin() as conn:
                    expected = lines - 1 if source.format == "csv" else 0
                    return run_import(conn, source, options, digest, progress, expected)
            except ReaderRestart as restart:
                mode = restart.next_mode(mode)
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
    boundary = _boundary(conn, mc)
    import_lock(conn, mc)
    mapping = _source_mapping(conn, options)
    resolved = mapping_mod.resolve_columns(source.columns, mapping)
    mapping_mod.check_required(resolved, source.columns, source.has_geometry)
    categories = _category_lookup(conn, mc, mapping)
    batch_id = open_batch(
        conn, mc, options.source, options.kind, options.filename, digest, options.created_by
    )
    ctx = Context(
        options=options,
        batch_id=batch_id,
        columns=resolved,
        categories=categories,
        places=load_places(conn, mc),
        zone=_zone(boundary, options.settings.outside_margin_m),
        target=_centroid(boundary),
        crs=options.crs or mapping.crs,
        police_feed=source.police_feed,
        file_columns=source.columns,
        check_shape=source.format == "csv",
        future_tolerance=timedelta(hours=options.settings.future_tolerance_hours),
    )
    report = ImportReport(
        batch_id=batch_id,
        municipality_code=mc,
        source=options.source,
        kind=options.kind,
        filename=options.filename,
        format=source.format,
        columns=resolved,
        warnings=list(source.warnings),
    )
    unused = [c for c in source.columns if c not in resolved.values()]
    if unused:
        report.warnings.append(f"Kolumner som inte används: {', '.join(unused)}.")
    stage = _stage(conn, ctx, expected_rows)
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


_BOUNDARY = text("SELECT ST_AsBinary(boundary) FROM municipality WHERE municipality_code = :mc")


def _boundary(conn: Connection, mc: str) -> shapely.Geometry | None:
    """The municipality's boundary (None when not stored); not found when no such tenant."""
    row = conn.execute(_BOUNDARY, {"mc": mc}).one_or_none()
    if row is None:
        raise NotFoundError("municipality", mc)
    return shapely.from_wkb(bytes(row[0])) if row[0] else None


def _zone(boundary: shapely.Geometry | None, margin_m: float) -> shapely.Geometry | None:
    """The boundary buffered by the outside margin, prepared for many point tests."""
    if boundary is None:
        return None
    zone = shapely.buffer(boundary, margin_m)
    shapely.prepare(zone)
    return zone


def _centroid(boundary: shapely.Geometry | None) -> tuple[float, float] | None:
    """Where coordinates of an unknown CRS should land: the municipality's centroid."""
    if boundary is None:
        return None
    centroid = shapely.centroid(boundary)
    return centroid.x, centroid.y


def _stage(conn: Connection, ctx: Context, expected_rows: int) -> StagedPartition | None:
    """A new partition to load into when the import should take the bulk path, else None."""
    options = ctx.options
    mc = options.municipality_code
    if not should_bulk_load(conn, mc, expected_rows, options.bulk):
        return None
    constants = {
        "kind": options.kind,
        "source": options.source,
        "batch_id": ctx.batch_id,
        "created_by": options.created_by,
    }
    return StagedPartition(conn, mc, constants)


def _finish_import(
    conn: Connection, source: Source, ctx: Context, report: ImportReport, counts: UpsertCounts
) -> None:
    """Quarantine the rows the reader could not split, complete the report and store it."""
    mc = ctx.options.municipality_code
    if source.bad_rows:
        bad = pd.DataFrame(
            {
                "row_number": [r.row_number for r in source.bad_rows],
                "raw": raw_records(
                    pd.DataFrame(
                        {"fields": [" | ".join(map(str, r.fields)) for r in source.bad_rows]}
                    )
                ),
                "reason_code": "wrong_field_count",
                "message": [
                    f"Raden har {len(r.fields)} fält, rubriken {len(source.columns)}."
                    for r in source.bad_rows
                ],
            }
        )
        write_quarantine(conn, mc, ctx.batch_id, bad)
        report.rows_read += len(bad)
        report.count_reasons({"wrong_field_count": len(bad)})
    if report.rows_read == 0:
        raise GeoServiceError("no_rows", "Filen har en rubrikrad men inga rader med data.")
    report.stored, report.updated = counts.stored, counts.updated
    report.unchanged = counts.unchanged
    report.warnings += sorted(ctx.warnings)
    _redact_report(report)
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


def _redact_report(report: ImportReport) -> None:
    """The file name, column headers and warnings (which quote headers) redacted."""
    report.filename = redact_text(report.filename) if report.filename else report.filename
    report.columns = redact_json(report.columns)
    report.warnings = redact_json(report.warnings)


def _finish_batch(conn: Connection, report: ImportReport, options: ImportOptions) -> None:
    """Store the report with the options a retry needs (CRS, sheet, mapping)."""
    mapping = options.mapping.to_json() if options.mapping else None
    stored = {"crs": options.crs, "sheet": options.sheet, "mapping": mapping}
    finish_batch(conn, report, {"options": stored})


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
            {
                "m": json.dumps(options.mapping.to_json()),
                "mc": options.municipality_code,
                "code": options.source,
            },
        )
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
