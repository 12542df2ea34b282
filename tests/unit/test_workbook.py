"""XLSX cells and headers as text, the way pandas' Excel reader wrote them (the streamed reader
must give imports the same values)."""

from datetime import datetime, time

import pytest

from geo_service.ingest.workbook import cell_text, header_names, outline


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (56.0, "56"),
        (56.133, "56.133"),
        (1e10, "10000000000"),
        (float("nan"), ""),
        (float("inf"), "inf"),
        (7, "7"),
        (True, "True"),
        (datetime(2025, 5, 12, 21, 30), "2025-05-12 21:30:00"),
        (time(10, 30), "10:30:00"),
        ("NA", ""),
        ("Klotter", "Klotter"),
    ],
)
def test_a_cell_reads_as_pandas_wrote_it(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_header_names_blank_and_repeated_columns_as_pandas_does() -> None:
    assert header_names(("Datum", None, "Lat", "Lat", 5, None, None)) == [
        "Datum",
        "Unnamed: 1",
        "Lat",
        "Lat.1",
        "5",
    ]


def test_a_sheet_outline_skips_blank_rows_and_needs_a_row_of_data() -> None:
    rows = [(None, None), ("Datum", "Kategori"), (None, "NA"), ("2025-01-01", "Klotter")]
    assert outline(iter(rows)) == (["Datum", "Kategori"], True)
    assert outline(iter(rows[:3])) == (["Datum", "Kategori"], False)
    assert outline(iter([(None,)])) == ([], False)
