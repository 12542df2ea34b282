"""The CSV reader's modes, from fastest to most tolerant, and when it starts over in which.

A file is first read by Arrow's parser. When a reader meets something it cannot handle it
raises `ReaderRestart` with the problem it found, and the import starts over in the mode the
table `NEXT_MODE` gives for (mode, problem); the last mode, `NOQUOTE`, has no next one.
"""

from enum import Enum, StrEnum


class CsvMode(StrEnum):
    """How a CSV file is read."""

    ARROW = "arrow"
    """Arrow's multi-threaded parser; Windows-1252 files read as bytes, decoded per column."""
    ARROW_UTF8 = "arrow_utf8"
    """Arrow's parser on a UTF-8 copy, so it can hand over rows with the wrong field count."""
    C = "c"
    """pandas' C parser (duplicate column names, rows Arrow cannot split)."""
    PYTHON = "python"
    """pandas' python parser: rows it cannot split go to quarantine."""
    NOQUOTE = "noquote"
    """The python parser without quoting: an unclosed quote no longer swallows the rest."""


class CsvProblem(Enum):
    """What made a reader give up."""

    UNDECODED_ROW = "a broken row of a file read as bytes, which Arrow cannot hand over"
    BROKEN_ROW = "a row the parser could not split"
    DUPLICATE_COLUMNS = "column names that repeat"
    UNCLOSED_QUOTE = "a quote left open, swallowing the lines after it"


_ARROWS = (CsvMode.ARROW, CsvMode.ARROW_UTF8)
NEXT_MODE: dict[tuple[CsvMode, CsvProblem], CsvMode] = {
    (CsvMode.ARROW, CsvProblem.UNDECODED_ROW): CsvMode.ARROW_UTF8,
    **{(mode, CsvProblem.BROKEN_ROW): CsvMode.C for mode in _ARROWS},
    **{(mode, CsvProblem.DUPLICATE_COLUMNS): CsvMode.C for mode in _ARROWS},
    **{(mode, CsvProblem.UNCLOSED_QUOTE): CsvMode.NOQUOTE for mode in _ARROWS},
    (CsvMode.C, CsvProblem.BROKEN_ROW): CsvMode.PYTHON,
    (CsvMode.C, CsvProblem.UNCLOSED_QUOTE): CsvMode.NOQUOTE,
    (CsvMode.PYTHON, CsvProblem.BROKEN_ROW): CsvMode.NOQUOTE,
    (CsvMode.PYTHON, CsvProblem.UNCLOSED_QUOTE): CsvMode.NOQUOTE,
}
"""The mode to start over in, by the mode that gave up and the problem it met."""


class ReaderRestart(Exception):
    """A CSV reader met a problem its mode cannot handle; the import starts over."""

    def __init__(self, message: str, problem: CsvProblem) -> None:
        super().__init__(message)
        self.problem = problem

    def next_mode(self, mode: CsvMode) -> CsvMode:
        """The mode to read the file in next, after `mode` gave up."""
        return NEXT_MODE[(mode, self.problem)]


def parser_problem(exc: Exception) -> CsvProblem:
    """The problem behind a pandas parser error.

    pandas raises one error type for every tokenizing error, so an unclosed quote is told
    apart by the C parser's text for it ("EOF inside string"); there is no type to go by.
    """
    return CsvProblem.UNCLOSED_QUOTE if "inside string" in str(exc) else CsvProblem.BROKEN_ROW
