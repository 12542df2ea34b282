"""Trygghetsmätning results: index 0–6 per area, year and question (or in total).

Long files have one row per area, year and question; wide files one column per question.
Rows whose area is unknown or whose index is outside 0–6 go to quarantine like events do.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.errors import GeoServiceError
from geo_service.geocode.text import map_unique
from geo_service.ingest.mapping import fold
from geo_service.ingest.parse import numbers
from geo_service.ingest.quarantine import raw_records, write_quarantine
from geo_service.ingest.readers import open_source
from geo_service.ingest.report import ImportReport

SOURCE = "trygghetsmatning"
NAMES = {
    "area": ("omrade", "area", "delomrade", "namn", "kommundel"),
    "year": ("ar", "year", "matar"),
    "question": ("fraga", "question", "indikator"),
    "index": ("index", "indexvarde", "value", "varde", "problemindex"),
    "respondents": ("svarande", "antal_svar", "respondents", "antal_svarande", "n"),
}  # fmt: skip

_UPSERT = """
INSERT INTO survey_result (municipality_code, area_id, year, question, index_value, respondents)
SELECT :mc, r.area_id, r.year, r.question, r.index_value, r.respondents
FROM jsonb_to_recordset(CAST(:rows AS jsonb))
  AS r(area_id int, year int, question text, index_value float8, respondents int)
ON CONFLICT (municipality_code, area_id, year, question) DO UPDATE
  SET index_value = excluded.index_value, respondents = excluded.respondents
  WHERE (survey_result.index_value, survey_result.respondents)
        IS DISTINCT FROM (excluded.index_value, excluded.respondents)
RETURNING (xmax = 0) AS inserted
"""


def _pick(columns: list[str]) -> dict[str, str]:
    folded = {fold(c): c for c in columns}
    return {
        name: folded[alias]
        for name, aliases in NAMES.items()
        for alias in aliases[::-1]
        if alias in folded
    }


def ingest_survey(conn: Connection, municipality_code: str, path: Path) -> ImportReport:
    """Load a survey file into survey_result; returns the report (numbers add up)."""
    source = open_source(path, chunk_rows=10**9)
    frame = pd.concat(list(source.chunks))
    picked = _pick(source.columns)
    if "area" not in picked or "year" not in picked:
        raise GeoServiceError(
            "missing_columns",
            "Trygghetsmätningen behöver kolumnerna Område och År, och Fråga + Index eller en "
            f"kolumn per fråga. Filens kolumner: {', '.join(source.columns)}.",
        )
    frame["__row"] = frame.index
    if "question" in picked and "index" in picked:
        long = frame.rename(columns={picked["question"]: "__q", picked["index"]: "__v"})
    else:
        questions = [c for c in source.columns if c not in picked.values()]
        long = frame.melt(id_vars=[c for c in frame.columns if c not in questions],
                          value_vars=questions, var_name="__q", value_name="__v")  # fmt: skip
    long = long.reset_index(drop=True)
    conn.execute(
        text("INSERT INTO source (municipality_code, code, name, kind) VALUES "
             "(:mc, :code, 'Polisens trygghetsmätning', 'police') ON CONFLICT DO NOTHING"),
        {"mc": municipality_code, "code": SOURCE},
    )  # fmt: skip
    batch_id = conn.execute(
        text("INSERT INTO ingest_batch (municipality_code, source, kind, filename) "
             "VALUES (:mc, :src, 'survey', :fn) RETURNING id"),
        {"mc": municipality_code, "src": SOURCE, "fn": path.name},
    ).scalar_one()  # fmt: skip
    areas: dict[str, int] = {}
    for area_id, name, aliases in conn.execute(
        text("SELECT id, name, aliases FROM area WHERE municipality_code = :mc"),
        {"mc": municipality_code},
    ):
        for label in [name, *(aliases or [])]:
            areas.setdefault(fold(label), area_id)
    area_id = map_unique(long[picked["area"]], lambda v: areas.get(fold(v)))
    year, _ = numbers(long[picked["year"]])
    value, _ = numbers(long["__v"])
    respondents = numbers(long[picked["respondents"]])[0] if "respondents" in picked else None
    reason = pd.Series("", index=long.index, dtype=object)
    reason[~value.between(0, 6)] = "invalid_index"
    reason[~year.between(1990, 2100)] = "invalid_year"
    reason[area_id.isna()] = "unknown_area"
    messages = {
        "unknown_area": "Området finns inte bland kommunens områden: ",
        "invalid_index": "Index ska vara mellan 0 och 6: ",
        "invalid_year": "Året kan inte tolkas: ",
    }
    ok = (reason == "").to_numpy()
    rows = pd.DataFrame({
        "area_id": area_id[ok].astype(int), "year": year[ok].astype(int),
        "question": long["__q"][ok].astype(str).str.strip(), "index_value": value[ok],
        "respondents": respondents[ok].astype("Int64") if respondents is not None else None,
    })  # fmt: skip
    inserted = conn.execute(
        text(_UPSERT), {"mc": municipality_code, "rows": rows.to_json(orient="records")}
    ).scalars().all()  # fmt: skip
    bad = long[~ok]
    detail = {
        "unknown_area": bad[picked["area"]].astype(str),
        "invalid_index": bad["__v"].astype(str),
        "invalid_year": bad[picked["year"]].astype(str),
    }
    rejected = pd.DataFrame({
        "row_number": bad["__row"].to_numpy(),
        "raw": raw_records(bad.drop(columns="__row").rename(columns={"__q": "fråga",
                                                                   "__v": "index"})),
        "reason_code": reason[~ok].to_numpy(),
        "message": [messages[r] + detail[r][i]
                    for i, r in zip(bad.index, reason[~ok], strict=True)],
    })  # fmt: skip
    write_quarantine(conn, municipality_code, batch_id, rejected)
    report = ImportReport(
        batch_id=batch_id, municipality_code=municipality_code, source=SOURCE, kind="survey",
        filename=path.name, format=source.format, rows_read=len(long),
        stored=int(np.sum(inserted)), updated=len(inserted) - int(np.sum(inserted)),
        columns=picked, warnings=list(source.warnings),
    )  # fmt: skip
    report.unchanged = int(ok.sum()) - len(inserted)
    report.count_reasons(rejected["reason_code"].value_counts().to_dict())
    conn.execute(
        text("UPDATE ingest_batch SET finished_at = now(), rows_read = :r, stored = :s, "
             "updated = :u, unchanged = :n, quarantined = :q, report = CAST(:rep AS jsonb) "
             "WHERE municipality_code = :mc AND id = :id"),
        {"r": report.rows_read, "s": report.stored, "u": report.updated, "n": report.unchanged,
         "q": report.quarantined, "rep": json.dumps(report.as_dict(), default=str),
         "mc": municipality_code, "id": batch_id},
    )  # fmt: skip
    return report
