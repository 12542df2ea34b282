"""Rows that could not be stored, kept whole (text redacted) with a reason the user can act on."""

import csv
import io
import json
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from geo_service.ingest.parse import TEXT
from geo_service.ingest.redact import redact, redact_text

REASONS: dict[str, str] = {
    "wrong_field_count": "Raden har fel antal fält (saknade/extra kolumner, trasig citering).",
    "missing_date": "Datum saknas.",
    "invalid_date": "Datumet kan inte tolkas eller finns inte.",
    "date_in_future": "Datumet ligger i framtiden.",
    "date_too_old": "Datumet är före 1990.",
    "unknown_category": "Kategorin finns inte i kommunens kategorilista eller mappningen.",
    "invalid_severity": "Allvarlighetsgraden ska vara 1, 2 eller 3.",
    "invalid_coordinates": "Koordinaterna är inte tal eller passar inget svenskt koordinatsystem.",
    "zero_coordinates": "Koordinaterna är (0, 0), inte en plats.",
    "outside_area": "Punkten ligger utanför kommunen.",
    "address_not_found": "Adressen finns inte i adressregistret.",
    "ambiguous_address": "Adressen passar flera lika bra kandidater.",
    "place_not_found": "Platsnamnet finns inte bland kommunens platser.",
    "no_location": "Raden saknar koordinater, adress och platsnamn.",
    "duplicate_in_file": "Samma rad (samma id) förekommer tidigare i filen.",
}


def raw_records(chunk: pd.DataFrame) -> list[str]:
    """Each row as JSON text with every text value and column header redacted."""
    if chunk.columns.empty:
        return []
    n = len(chunk)
    stacked = pd.concat([chunk[c].astype(TEXT) for c in chunk.columns], ignore_index=True)
    texts = redact(stacked).fillna("").tolist()  # one pass over every column
    clean = {redact_text(str(c)): texts[i * n : (i + 1) * n] for i, c in enumerate(chunk.columns)}
    rows = zip(*clean.values(), strict=True)
    return [json.dumps(dict(zip(clean, r, strict=True)), ensure_ascii=False) for r in rows]


def write_quarantine(
    conn: Connection, municipality_code: str, batch_id: int, rows: pd.DataFrame
) -> int:
    """COPY rows (row_number, raw JSON text, reason_code, message) into quarantine; messages
    that quote a value are redacted."""
    if rows.empty:
        return 0
    rows = rows.assign(message=redact(rows["message"]).to_numpy())
    raw = conn.connection.dbapi_connection
    with raw.cursor().copy(
        "COPY quarantine (municipality_code, batch_id, row_number, raw, reason_code, message) "
        "FROM STDIN"
    ) as copy:
        for r in rows.itertuples(index=False):
            number = None if pd.isna(r.row_number) else int(r.row_number)
            copy.write_row((municipality_code, batch_id, number, r.raw, r.reason_code, r.message))
    return len(rows)


def list_quarantine(
    conn: Connection,
    municipality_code: str,
    batch_id: int | None = None,
    reason_code: str | None = None,
    include_resolved: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Quarantined rows, newest batch first, optionally for one batch or reason."""
    rows = conn.execute(
        text(
            "SELECT id, batch_id, row_number, reason_code, message, raw, created_at, resolved_at "
            "FROM quarantine WHERE municipality_code = :mc "
            "AND (CAST(:batch AS bigint) IS NULL OR batch_id = :batch) "
            "AND (CAST(:reason AS text) IS NULL OR reason_code = :reason) "
            "AND (:all OR resolved_at IS NULL) "
            "ORDER BY batch_id DESC, row_number NULLS LAST, id LIMIT :limit OFFSET :offset"
        ),
        {
            "mc": municipality_code,
            "batch": batch_id,
            "reason": reason_code,
            "all": include_resolved,
            "limit": limit,
            "offset": offset,
        },
    ).mappings()
    return [dict(r) for r in rows]


def _safe_cell(value: object) -> object:
    """Cells that a spreadsheet would run as formulas get a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(rows: list[dict[str, Any]]) -> str:
    """Quarantined rows as a semicolon CSV (Swedish Excel), raw columns spread out."""
    raw_columns: list[str] = []
    for r in rows:
        raw_columns += [c for c in r["raw"] if c not in raw_columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "batch_id", "row_number", "reason_code", "message", *raw_columns])
    for r in rows:
        writer.writerow(
            [
                _safe_cell(v)
                for v in (
                    r["id"],
                    r["batch_id"],
                    r["row_number"],
                    r["reason_code"],
                    r["message"],
                    *(r["raw"].get(c, "") for c in raw_columns),
                )
            ]
        )
    return out.getvalue()


_BATCH_REASONS = text(
    "SELECT row_number, reason_code, message FROM quarantine "
    "WHERE municipality_code = :mc AND batch_id = :b"
)


def quarantine_reasons(conn: Connection, mc: str, batch_id: int) -> dict[int, tuple[str, str]]:
    """Row number → (reason code, message) of the rows one import quarantined."""
    rows = conn.execute(_BATCH_REASONS, {"mc": mc, "b": batch_id}).all()
    return {row: (code, message) for row, code, message in rows}
