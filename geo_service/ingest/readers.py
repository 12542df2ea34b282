"""Readers per file format, each yielding chunks of text columns with 1-based row numbers.

CSV: delimiter, encoding (UTF-8, UTF-8 with BOM, UTF-16, Windows-1252) and broken rows are
detected; rows with the wrong number of fields are handed back for quarantine, not dropped.
Spatial formats (GeoJSON, GeoPackage, Shapefile) come through pyogrio with their points
in EPSG:3006 as columns `__x`, `__y`; polygons give a point on their surface.
"""

import codecs
import csv
import itertools
import json
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo_service.errors import GeoServiceError, NotFound
from geo_service.ingest.csv_modes import CsvMode, CsvProblem, ReaderRestart, parser_problem
from geo_service.ingest.limits import (
    check_archive,
    check_columns,
    check_json_file,
    csv_header_columns,
)
from geo_service.ingest.parse import TEXT
from geo_service.ingest.workbook import outline, text_rows

SPATIAL = {".geojson", ".gpkg", ".shp", ".zip", ".fgb"}
GEOM_X, GEOM_Y = "__x", "__y"
_BLOCK = 1 << 20
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
"""The only bytes Windows-1252 does not define: a file without them decodes (found by memchr)."""


@dataclass
class BadRow:
    """A row the parser could not split into the header's columns."""

    row_number: int | None
    fields: list[str]


@dataclass
class Source:
    """An opened input: its columns, chunks, and what was noticed while reading."""

    format: str
    columns: list[str]
    chunks: Iterator[pd.DataFrame]
    warnings: list[str] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    police_feed: bool = False
    has_geometry: bool = False


def _empty() -> GeoServiceError:
    return GeoServiceError("empty_file", "Filen är tom.")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252; else an error."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    raise GeoServiceError(
        "unreadable_encoding",
        "Filen är varken UTF-8 eller Windows-1252. Spara den som CSV (UTF-8).",
    )


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes; a NUL byte met before any bad byte refuses the file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while block := f.read(_BLOCK):
                if b"\x00" in block:
                    raise GeoServiceError(
                        "unreadable_encoding",
                        "Filen innehåller binära tecken (NUL); den är inte en textfil "
                        "i UTF-8 eller Windows-1252. Spara den som CSV (UTF-8).",
                    )
                if encoding != "cp1252":
                    decoder.decode(block)
                elif any(b in block for b in _CP1252_UNDEFINED):
                    return False
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_delimiter(header: str) -> str:
    """The most frequent of `;`, `,` and tab outside quotes in the header line."""
    counts = {}
    for sep in (";", ",", "\t"):
        row = next(csv.reader([header], delimiter=sep), [])
        counts[sep] = len(row) - 1
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] > 0 else ";"


def _first_line(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as f:
        for line in f:
            if line.strip():
                return line.rstrip("\r\n")
    raise _empty()


def read_csv(path: Path, chunk_rows: int, mode: CsvMode = CsvMode.ARROW) -> Source:
    """A CSV file in chunks, read in `mode` (see `csv_modes`: from fastest to most tolerant)."""
    if path.stat().st_size == 0:
        raise _empty()
    encoding = detect_encoding(path)
    header = _first_line(path, encoding)
    sep = detect_delimiter(header)
    check_columns(csv_header_columns(header, sep))  # before any parser sizes its buffers
    if mode in (CsvMode.ARROW, CsvMode.ARROW_UTF8):
        in_bytes = mode == CsvMode.ARROW and encoding == "cp1252"
        return _read_csv_arrow(path, chunk_rows, encoding, sep, in_bytes)
    bad: list[BadRow] = []
    kwargs: dict[str, Any] = {
        "sep": sep,
        "encoding": encoding,
        "dtype": str,
        "keep_default_na": False,
        "na_values": [],
        "chunksize": chunk_rows,
        "skip_blank_lines": True,
    }
    if mode == CsvMode.C:
        kwargs |= {"engine": "c", "on_bad_lines": "error"}
    else:
        kwargs |= {"engine": "python", "on_bad_lines": lambda f: bad.append(BadRow(None, f))}
        if mode == CsvMode.NOQUOTE:
            kwargs["quoting"] = csv.QUOTE_NONE
    try:
        columns = [str(c) for c in pd.read_csv(path, sep=sep, encoding=encoding, nrows=0).columns]
        reader = pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError as exc:
        raise _empty() from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        raise _restart(exc, mode) from exc
    source = Source(format="csv", columns=columns, chunks=iter(()), bad_rows=bad)
    if mode != CsvMode.C:
        source.warnings.append(
            'Filen har rader med fel antal fält eller trasig citering ("); '
            "de rader som inte gick att dela upp ligger i karantänen."
        )
    source.chunks = _csv_chunks(reader, mode)
    return source


def _utf8_copy(path: Path, encoding: str) -> Path:
    """A temporary UTF-8 copy of a UTF-16 file (Python's codecs run at about 500 MB/s).
    Arrow reads UTF-8 itself; given another encoding it transcodes through Python from its
    own threads, which hangs the interpreter at exit when the file was not read to the end,
    as after a missing-columns error (apache/arrow#43892)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    fd, name = tempfile.mkstemp(prefix="geo_service_", suffix=".csv")
    with os.fdopen(fd, "wb") as out, path.open("rb") as f:
        while block := f.read(1 << 24):
            out.write(decoder.decode(block).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return Path(name)


def _read_csv_arrow(path: Path, chunk_rows: int, encoding: str, sep: str, in_bytes: bool) -> Source:
    """Arrow's multi-threaded streaming CSV reader; rows with the wrong field count are kept.

    `in_bytes`: a Windows-1252 file read as bytes, header included (it is not UTF-8), each
    chunk's columns decoded (`_decoded`): no copy of the file, and ASCII columns cost
    nothing. Arrow cannot hand over a broken row of it (it decodes the row as UTF-8 first),
    so such a file starts over in mode 'arrow_utf8', through a UTF-8 copy.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    columns = [str(c) for c in pd.read_csv(path, sep=sep, encoding=encoding, nrows=0).columns]
    if len(set(columns)) != len(columns):
        raise ReaderRestart("duplicate column names", CsvProblem.DUPLICATE_COLUMNS)
    bad: list[BadRow] = []

    def invalid(row: Any) -> str:
        bad.append(BadRow(row.number, (row.text or "").split(sep)))
        return "skip"

    with path.open("rb") as f:
        sample = f.read(1 << 16)
    line_bytes = max(1, len(sample) // max(1, sample.count(b"\n")))
    utf8 = path if encoding.startswith("utf-8") or in_bytes else _utf8_copy(path, encoding)
    broken = CsvProblem.UNDECODED_ROW if in_bytes else CsvProblem.BROKEN_ROW
    names = [f"f{i}" for i in range(len(columns))] if in_bytes else columns
    try:
        reader = pacsv.open_csv(
            utf8,
            read_options=pacsv.ReadOptions(
                encoding="utf8",
                autogenerate_column_names=in_bytes,
                block_size=max(1 << 20, min(chunk_rows * line_bytes, 1 << 28)),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                invalid_row_handler=None if in_bytes else invalid,
                newlines_in_values=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.binary() if in_bytes else pa.string() for c in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ReaderRestart(str(exc), broken) from exc
    finally:
        if utf8 != path:
            utf8.unlink()  # the reader holds the file open
    source = Source(format="csv", columns=columns, chunks=iter(()), bad_rows=bad)
    source.chunks = _arrow_chunks(reader, source, encoding if in_bytes else None, broken)
    return source


def _arrow_chunks(
    reader: Any, source: Source, in_bytes: str | None, broken: CsvProblem
) -> Iterator[pd.DataFrame]:
    """The reader's batches as frames of text; `in_bytes`: the encoding of a file read as
    bytes, whose first row is its header; `broken`: the problem a parse error means."""
    import pyarrow as pa

    start = 1
    header = in_bytes is not None
    try:
        for batch in _read_ahead(reader):
            if header and batch.num_rows:
                batch, header = batch.slice(1), False
            if batch.num_rows == 0:
                continue
            if in_bytes:
                batch = pa.RecordBatch.from_arrays(
                    [_decoded(c, in_bytes) for c in batch.columns], names=batch.schema.names
                )
            chunk = batch.to_pandas(types_mapper=lambda t: TEXT if t == pa.string() else None)
            chunk.columns = source.columns
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            yield chunk
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ReaderRestart(str(exc), broken) from exc
    if any("\n" in "".join(r.fields) for r in source.bad_rows):
        # a quote left open swallowed the lines after it: read again without quoting
        raise ReaderRestart("unclosed quote", CsvProblem.UNCLOSED_QUOTE)
    if source.bad_rows:
        source.warnings.append("Filen har rader med fel antal fält; de ligger i karantänen.")


def _decoded(column: Any, encoding: str) -> Any:
    """A column of bytes as text: ASCII as it is, else each distinct value decoded once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data = column.buffers()[2]
    if data is None or np.frombuffer(data, np.uint8).max(initial=0) < 0x80:
        return column.view(pa.string())  # ASCII is UTF-8
    encoded = pc.dictionary_encode(column)
    texts = [value.decode(encoding) for value in encoded.dictionary.to_pylist()]
    return pa.array(texts, pa.string()).take(encoded.indices)


def _read_ahead(items: Iterator[Any]) -> Iterator[Any]:
    """The items of an iterator, the next one read in a thread while the caller uses this one.

    Arrow parses CSV without holding the GIL, so reading overlaps the pipeline's work.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item


def _csv_chunks(reader: Any, mode: CsvMode) -> Iterator[pd.DataFrame]:
    start = 1
    try:
        for chunk in reader:
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            yield chunk
    except (pd.errors.ParserError, csv.Error) as exc:
        raise _restart(exc, mode) from exc


def _restart(exc: Exception, mode: CsvMode) -> Exception:
    """What a pandas parser error means in `mode`: start over, or, in the last mode, unreadable."""
    if mode == CsvMode.NOQUOTE:
        return GeoServiceError("unreadable_csv", f"CSV-filen kan inte läsas: {exc}")
    return ReaderRestart(str(exc), parser_problem(exc))


def _in_memory(
    fmt: str,
    frame: pd.DataFrame,
    chunk_rows: int,
    columns: list[str] | None = None,
    **extra: Any,
) -> Source:
    """A source over a frame read whole, in chunks; `columns`: the file's (default: all)."""
    columns = list(frame.columns) if columns is None else columns
    return Source(fmt, columns, _frames_in_chunks(frame, chunk_rows), **extra)


def _frames_in_chunks(frame: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    for start in range(0, len(frame), chunk_rows):
        yield frame.iloc[start : start + chunk_rows]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, with Excel dates written ISO-style and blanks as ''."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d %H:%M:%S")
        else:
            text = values.astype(TEXT)
        out[str(column)] = text.fillna("")
    return out


def _recognised(columns: list[str]) -> int:
    """How many column names are known event-field names (to find the data sheet)."""
    from geo_service.ingest.mapping import KNOWN_NAMES, fold

    known = {alias for aliases in KNOWN_NAMES.values() for alias in aliases}
    return sum(fold(c) in known for c in columns)


def read_xlsx(path: Path, chunk_rows: int, sheet: str | None = None) -> Source:
    """An Excel workbook: the named sheet, else the sheet with rows whose header has the most
    known column names; streamed, so memory goes with the chunk, not the workbook."""
    import openpyxl

    check_archive(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise GeoServiceError("unreadable_xlsx", f"Excel-filen kan inte läsas: {exc}") from exc
    names = list(book.sheetnames)
    try:
        if sheet is not None and sheet not in names:
            raise GeoServiceError(
                "unknown_sheet",
                f"Bladet {sheet!r} finns inte; bladen heter {', '.join(names)}.",
            )
        wanted = names if sheet is None else [sheet]
        outlines = {n: outline(book[n].iter_rows(values_only=True)) for n in wanted}
        with_rows = [n for n, (_, has_rows) in outlines.items() if has_rows]
        if sheet is None and not with_rows:
            raise GeoServiceError("no_rows", "Arbetsboken har inga rader med data.")
    except Exception as exc:
        book.close()
        if isinstance(exc, GeoServiceError):
            raise
        raise GeoServiceError("unreadable_xlsx", f"Excel-filen kan inte läsas: {exc}") from exc
    chosen = sheet or max(with_rows, key=lambda n: _recognised(outlines[n][0]))
    columns = outlines[chosen][0]
    check_columns(len(columns))
    warnings = []
    others = [n for n in names if n != chosen]
    if others:
        warnings.append(
            f"Arbetsboken har flera blad; bladet {chosen!r} lästes, inte "
            f"{', '.join(repr(n) for n in others)}. Välj ett annat med --sheet."
        )
    rows = book[chosen].iter_rows(values_only=True)
    return Source("xlsx", columns, _sheet_chunks(book, rows, columns, chunk_rows), warnings)


def _sheet_chunks(
    book: Any, rows: Iterator[tuple[Any, ...]], columns: list[str], chunk_rows: int
) -> Iterator[pd.DataFrame]:
    """The rows under the header in frames of text, numbered from 1 as non-blank rows."""
    body = text_rows(rows, len(columns))
    start = 1
    try:
        next(body, None)  # the header
        while block := list(itertools.islice(body, chunk_rows)):
            chunk = pd.DataFrame(block, columns=columns, dtype=TEXT)
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            yield chunk
    except Exception as exc:  # a sheet broken past its first rows
        raise GeoServiceError("unreadable_xlsx", f"Excel-filen kan inte läsas: {exc}") from exc
    finally:
        book.close()


def read_spatial(path: Path, chunk_rows: int) -> Source:
    """GeoJSON, GeoPackage or Shapefile via pyogrio; points (or points on surface) in 3006."""
    import pyogrio
    import shapely

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio's errors come from GDAL
        raise GeoServiceError("unreadable_file", f"Filen kan inte läsas: {exc}") from exc
    if frame.empty:
        raise GeoServiceError("no_rows", "Filen har inga objekt.")
    check_columns(len(frame.columns) - 1)  # the geometry is not a column of the file's
    warnings = []
    if frame.crs is None:
        warnings.append("Filen anger inget koordinatsystem; WGS84 antogs.")
        frame = frame.set_crs(4326)
    geoms = frame.geometry.to_crs(3006).array
    types = shapely.get_type_id(geoms)
    not_point = (types != 0) & ~shapely.is_missing(geoms)
    if not_point.any():
        warnings.append(
            f"{int(not_point.sum())} objekt är ytor eller linjer, inte punkter; "
            "en punkt på ytan (point on surface) användes för dem."
        )
    points = shapely.point_on_surface(geoms)
    x, y = shapely.get_x(points), shapely.get_y(points)
    table = _as_text(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    table[GEOM_X] = pd.Series(x, index=table.index).map(lambda v: "" if np.isnan(v) else repr(v))
    table[GEOM_Y] = pd.Series(y, index=table.index).map(lambda v: "" if np.isnan(v) else repr(v))
    table["__geometry_note"] = np.where(not_point, "point_on_surface", "")
    columns = [c for c in table.columns if not c.startswith("__")]
    fmt = path.suffix.lstrip(".").lower()
    return _in_memory(fmt, table, chunk_rows, columns, warnings=warnings, has_geometry=True)


def read_police_feed(items: list[Any], chunk_rows: int) -> Source:
    """The police events feed: id, datetime, type, summary, location.name and location.gps."""
    rows = []
    for item in items:
        item = item if isinstance(item, dict) else {"raw": item}
        location = item.get("location") if isinstance(item.get("location"), dict) else {}
        gps = str(location.get("gps") or "")
        lat, _, lon = gps.partition(",")
        rows.append(
            {
                "id": str(item.get("id", "")),
                "datetime": str(item.get("datetime", "")),
                "type": str(item.get("type", "")),
                "name": str(item.get("name", "")),
                "summary": str(item.get("summary", "")),
                "url": str(item.get("url", "")),
                "location_name": str(location.get("name", "")),
                "lat": lat.strip(),
                "lon": lon.strip(),
            }
        )
    frame = pd.DataFrame(rows, dtype="string")
    return _in_memory("police_feed", frame, chunk_rows, police_feed=True)


def read_json(path: Path, chunk_rows: int) -> Source:
    """A JSON file: the police feed (a list of events) or GeoJSON."""
    try:
        data = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise GeoServiceError("unreadable_json", f"JSON-filen är trasig: {exc}") from exc
    if isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
        return read_spatial(path, chunk_rows)
    if isinstance(data, list):
        if not data:
            raise GeoServiceError("no_rows", "JSON-filen är en tom lista.")
        return read_police_feed(data, chunk_rows)
    raise GeoServiceError(
        "unknown_format",
        "JSON-filen är varken polisens händelseflöde (en lista) eller GeoJSON.",
    )


def open_source(
    path: Path, chunk_rows: int, mode: CsvMode = CsvMode.ARROW, sheet: str | None = None
) -> Source:
    """The reader for the file's format, chosen by its extension (and content for JSON)."""
    if not path.exists():
        raise NotFound("file_not_found", f"Filen {path} finns inte.")
    if path.stat().st_size == 0:
        raise _empty()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, chunk_rows, sheet)
    if suffix in (".json", ".geojson"):
        check_json_file(path)
    if suffix == ".json":
        return read_json(path, chunk_rows)
    if suffix == ".zip":
        check_archive(path)
    if suffix in SPATIAL:
        return read_spatial(path, chunk_rows)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return read_csv(path, chunk_rows, mode)
    raise GeoServiceError(
        "unknown_format",
        f"Filformatet {suffix!r} stöds inte; använd CSV, XLSX, GeoJSON, GeoPackage, "
        "Shapefile eller polisens JSON.",
    )
