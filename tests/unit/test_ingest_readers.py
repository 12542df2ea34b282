"""Encoding detection and the read-ahead of CSV chunks."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from geo_service.errors import GeoServiceError
from geo_service.ingest.readers import _read_ahead, detect_encoding


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("Ärende;Ort\n1;Malmö\n".encode("cp1252"), "cp1252"),
        ("Ärende;Ort\n1;Malmö\n".encode(), "utf-8"),
        ("Ärende;Ort\n1;Malmö\n".encode("utf-8-sig"), "utf-8-sig"),
        (b"id;text\n1;\x80 euro\n", "cp1252"),
    ],
)
def test_encodings(tmp_path: Path, content: bytes, encoding: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    assert detect_encoding(path) == encoding


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"id;text\n1;\x81\xff\n", "varken"),
        (b"id;text\n1;\x00\n", "NUL"),
        (b"id;text\n1;\xe5\x00\n", "NUL"),
    ],
)
def test_undecodable_and_binary_files_are_refused(
    tmp_path: Path, content: bytes, phrase: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(GeoServiceError, match=phrase):
        detect_encoding(path)


def test_read_ahead_keeps_order_and_errors() -> None:
    assert list(_read_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("broken block")

    items = _read_ahead(failing())
    assert next(items) == 1
    with pytest.raises(ValueError, match="broken block"):
        next(items)


def test_every_csv_mode_but_the_last_has_a_next_mode_for_every_problem_it_can_meet() -> None:
    from geo_service.ingest.csv_modes import NEXT_MODE, CsvMode, CsvProblem

    tolerant = [CsvMode.C, CsvMode.PYTHON]
    for mode in tolerant:
        assert NEXT_MODE[(mode, CsvProblem.UNCLOSED_QUOTE)] == CsvMode.NOQUOTE
    assert NEXT_MODE[(CsvMode.ARROW, CsvProblem.UNDECODED_ROW)] == CsvMode.ARROW_UTF8
    assert NEXT_MODE[(CsvMode.C, CsvProblem.BROKEN_ROW)] == CsvMode.PYTHON
    assert NEXT_MODE[(CsvMode.PYTHON, CsvProblem.BROKEN_ROW)] == CsvMode.NOQUOTE
    assert not any(mode == CsvMode.NOQUOTE for mode, _ in NEXT_MODE)
    order = list(CsvMode)
    assert all(order.index(to) > order.index(mode) for (mode, _), to in NEXT_MODE.items())
