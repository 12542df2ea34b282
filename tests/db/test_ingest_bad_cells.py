"""Cells no date can come from (`1e10`, `1e400`, year 1 or 9999, Excel serials far past any
calendar) are quarantined row by row with a reason; the import itself goes on, the good rows
are stored and the report adds up. As CSV and as XLSX (where numbers arrive as numbers)."""

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from geo_service.ingest.pipeline import ImportOptions, ingest_file
from tests.conftest import fetch
from tests.db.test_ingest_files import make_tenant

MC = "9875"
GOOD = "2025-05-12 21:30"
BAD_TEXT = ["1e10", "99999999999", "1e400", "-1e10", "0001-01-01", "9999-12-31 10:00", "nan", "inf"]
BAD_NUMBERS = [1e10, 99999999999, -1e10, 1e300, float("inf")]


def _rows(dates: list[object]) -> list[list[object]]:
    header: list[object] = ["Diarienummer", "Datum", "Brottstyp", "Lat", "Lon"]
    return [header] + [
        [f"R{i}", date, "Skadegörelse", 56.133, 13.383] for i, date in enumerate(dates)
    ]


def _csv(path: Path, dates: list[object]) -> Path:
    path.write_text("\n".join(";".join(map(str, row)) for row in _rows(dates)) + "\n")
    return path


def _xlsx(path: Path, dates: list[object]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in _rows(dates):
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "write", "bad"),
    [("dates.csv", _csv, BAD_TEXT), ("dates.xlsx", _xlsx, BAD_NUMBERS + BAD_TEXT)],
)
def test_impossible_date_cells_are_quarantined_and_the_import_goes_on(
    engine: Engine, tmp_path: Path, name: str, write: object, bad: list[object]
) -> None:
    make_tenant(engine, MC)
    path = write(tmp_path / name, [GOOD, *bad])  # type: ignore[operator]
    source = f"bad_dates_{Path(name).suffix[1:]}"
    report = ingest_file(engine, path, ImportOptions(MC, source, "incident"))
    assert report.adds_up, report
    assert (report.rows_read, report.stored, report.quarantined) == (1 + len(bad), 1, len(bad))
    rows = fetch(
        engine,
        "SELECT row_number, reason_code, message FROM quarantine WHERE batch_id = :b "
        "ORDER BY row_number",
        b=report.batch_id,
    )
    assert [r["row_number"] for r in rows] == list(range(2, 2 + len(bad)))
    assert all(r["reason_code"] and r["message"] for r in rows), rows
    stored = fetch(engine, "SELECT source_id FROM event WHERE source = :s", s=source)
    assert [r["source_id"] for r in stored] == ["R0"]
