"""Trygghetsmätning results: index 0–6 per area, year and question (or in total).

Long files have one row per area, year and question; wide files one column per question.
Rows whose area is unknown or whose index is outside 0–6 go to quarantine like events do.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.errors import GeoServiceError
from geo_service.geocode.text import map_unique
from geo_service.ingest.batches import finish_batch, open_batch
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
}

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


_SOURCE = text(
    "INSERT INTO source (municipality_code, code, name, kind) VALUES "
    "(:mc, :code, 'Polisens trygghetsmätning', 'police') ON CONFLICT DO NOTHING"
)
_AREAS = text("SELECT id, name, aliases FROM area WHERE municipality_code = :mc")
_MESSAGES = {
    "unknown_area": "Området finns inte bland kommunens områden: ",
    "invalid_index": "Index ska vara mellan 0 och 6: ",
    "invalid_year": "Året kan inte tolkas: ",
}


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
    picked = _pick(source.columns)
    if "area" not in picked or "year" not in picked:
        raise GeoServiceError(
            "missing_columns",
            "Trygghetsmätningen behöver kolumnerna Område och År, och Fråga + Index eller en "
            f"kolumn per fråga. Filens kolumner: {', '.join(source.columns)}.",
        )
    long = _long_rows(pd.concat(list(source.chunks)), source.columns, picked)
    conn.execute(_SOURCE, {"mc": municipality_code, "code": SOURCE})
    batch_id = open_batch(conn, municipality_code, SOURCE, "survey", path.name)
    area_id = map_unique(long[picked["area"]], _area_lookup(conn, municipality_code))
    year, _ = numbers(long[picked["year"]])
    value, _ = numbers(long["__v"])
    reason = pd.Series("", index=long.index, dtype=object)
    reason[~value.between(0, 6)] = "invalid_index"
    reason[~year.between(1990, 2100)] = "invalid_year"
    reason[area_id.isna()] = "unknown_area"
    ok = (reason == "").to_numpy()
    respondents = numbers(long[picked["respondents"]])[0] if "respondents" in picked else None
    rows = pd.DataFrame(
        {
            "area_id": area_id[ok].astype(int),
            "year": year[ok].astype(int),
            "question": long["__q"][ok].astype(str).str.strip(),
            "index_value": value[ok],
            "respondents": respondents[ok].astype("Int64") if respondents is not None else None,
        }
    )
    params = {"mc": municipality_code, "rows": rows.to_json(orient="records")}
    inserted = conn.execute(text(_UPSERT), params).scalars().all()
    rejected = _rejected(long, reason, ok, picked)
    write_quarantine(conn, municipality_code, batch_id, rejected)
    report = ImportReport(
        batch_id=batch_id,
        municipality_code=municipality_code,
        source=SOURCE,
        kind="survey",
        filename=path.name,
        format=source.format,
        rows_read=len(long),
        stored=int(np.sum(inserted)),
        updated=len(inserted) - int(np.sum(inserted)),
        columns=picked,
        warnings=list(source.warnings),
    )
    report.unchanged = int(ok.sum()) - len(inserted)
    report.count_reasons(rejected["reason_code"].value_counts().to_dict())
    finish_batch(conn, report)
    return report


def _long_rows(frame: pd.DataFrame, columns: list[str], picked: dict[str, str]) -> pd.DataFrame:
    """One row per area, year and question (`__q`, index in `__v`, file row in `__row`)."""
    frame["__row"] = frame.index
    if "question" in picked and "index" in picked:
        long = frame.rename(columns={picked["question"]: "__q", picked["index"]: "__v"})
    else:
        questions = [c for c in columns if c not in picked.values()]
        long = frame.melt(
            id_vars=[c for c in frame.columns if c not in questions],
            value_vars=questions,
            var_name="__q",
            value_name="__v",
        )
    return long.reset_index(drop=True)


def _area_lookup(conn: Connection, municipality_code: str) -> Callable[[str], int | None]:
    """Area id by folded name or alias."""
    areas: dict[str, int] = {}
    for area_id, name, aliases in conn.execute(_AREAS, {"mc": municipality_code}):
        for label in [name, *(aliases or [])]:
            areas.setdefault(fold(label), area_id)
    return lambda value: areas.get(fold(value))


def _rejected(
    long: pd.DataFrame, reason: pd.Series, ok: np.ndarray, picked: dict[str, str]
) -> pd.DataFrame:
    """The rejected rows for the quarantine, each with its reason and the value at fault."""
    bad = long[~ok]
    detail = {
        "unknown_area": bad[picked["area"]].astype(str),
        "invalid_index": bad["__v"].astype(str),
        "invalid_year": bad[picked["year"]].astype(str),
    }
    raw = bad.drop(columns="__row").rename(columns={"__q": "fråga", "__v": "index"})
    return pd.DataFrame(
        {
            "row_number": bad["__row"].to_numpy(),
            "raw": raw_records(raw),
            "reason_code": reason[~ok].to_numpy(),
            "message": [
                _MESSAGES[r] + detail[r][i] for i, r in zip(bad.index, reason[~ok], strict=True)
            ],
        }
    )
