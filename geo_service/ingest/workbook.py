"""XLSX sheets read as a stream of text rows (openpyxl's read-only mode), so that a workbook
costs memory per chunk, not per file: cells become text as pandas' Excel reader writes them
(whole numbers without '.0', times ISO-style, blanks and NA words as ''), and the header's
names are pandas' too ('Unnamed: 2' for a blank one, 'Lat.1' for a repeated one).
"""

import math
from collections.abc import Iterator
from datetime import datetime
from typing import Any

NA_TEXTS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN"}
    | {"<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
"""Cell texts read as blank (pandas' default NA values)."""


def cell_text(value: Any) -> str:
    """One cell as text."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "" if text in NA_TEXTS else text


def header_names(cells: tuple[Any, ...]) -> list[str]:
    """Column names from a header row: trailing blanks dropped, blanks named by position,
    repeats numbered."""
    texts = [cell_text(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        name = text or f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        seen.setdefault(name, 0)
        names.append(name)
    return names


def text_rows(rows: Iterator[tuple[Any, ...]], width: int) -> Iterator[list[str]]:
    """The non-blank rows as `width` texts each (cells past the header are left out)."""
    for cells in rows:
        texts = [cell_text(c) for c in cells[:width]]
        if any(texts):
            yield texts + [""] * (width - len(texts))


def outline(rows: Iterator[tuple[Any, ...]]) -> tuple[list[str], bool]:
    """A sheet's column names (its first non-blank row) and whether a non-blank row follows."""
    header: list[str] = []
    for cells in rows:
        header = header_names(cells)
        if header:
            break
    return header, next(text_rows(rows, len(header)), None) is not None if header else False
