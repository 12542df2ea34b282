"""Which rows of a chunk go to quarantine, and why: the first reason found for a row wins."""

from collections.abc import Callable

import numpy as np
import pandas as pd

Message = str | np.ndarray | Callable[[np.ndarray], list[str]]
"""One text for all rows, one per row, or a function giving the texts of the rows it is given."""


class Rejections:
    """Collects the first reason per row (a row is quarantined for one reason)."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = np.full(len(index), "", dtype=object)
        self.message = np.full(len(index), "", dtype=object)
        self.ok = np.ones(len(index), dtype=bool)

    def add(self, mask: pd.Series | np.ndarray, reason: str, message: Message) -> None:
        """Quarantine the rows of `mask` not quarantined yet. `message` is one text, one per
        row, or a function giving the texts of the rows it is given (positions)."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool) & self.ok)
        if not rows.size:
            return
        self.ok[rows] = False
        self.reason[rows] = reason
        if isinstance(message, str):
            self.message[rows] = message
        elif callable(message):
            self.message[rows] = message(rows)
        else:
            self.message[rows] = np.asarray(message, dtype=object)[rows]


def reject_duplicates(
    source_id: np.ndarray, rows: pd.Index, rejections: Rejections, seen: list[np.ndarray]
) -> None:
    """Rows whose identity appeared earlier in the file go to quarantine, not over the first.

    Identities are 64-bit hashes (Python's, the same throughout one import); earlier chunks'
    are kept in `seen` as sorted runs, a run merged into the one before when it grows as
    large, so a file keeps O(log n) runs.
    """
    keys = np.fromiter(map(hash, source_id), dtype=np.int64, count=len(source_id))
    order = np.argsort(keys, kind="stable")  # equal keys stay in row order
    ordered = keys[order]
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[1:] = ordered[1:] == ordered[:-1]
    earlier_chunk = np.zeros(len(keys), dtype=bool)
    for run in seen:
        earlier_chunk |= run[np.searchsorted(run, ordered).clip(max=len(run) - 1)] == ordered
    in_chunk = np.zeros(len(keys), dtype=bool)
    in_chunk[order[repeat]] = True
    if repeat.any() or earlier_chunk.any():
        earlier = np.zeros(len(keys), dtype=bool)
        earlier[order] = earlier_chunk
        start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(keys))))
        first_row = np.empty(len(keys), dtype=rows.dtype)
        first_row[order] = rows.to_numpy()[order[start]]

        def messages(at: np.ndarray) -> list[str]:
            return [
                f"Samma id som rad {first_row[i]} i filen."
                if in_chunk[i]
                else "Samma id som en tidigare rad i filen."
                for i in at
            ]

        rejections.add(in_chunk | earlier, "duplicate_in_file", messages)
    run = ordered[~repeat]
    while seen and len(seen[-1]) <= len(run):
        run = np.sort(np.concatenate([seen.pop(), run]), kind="stable")  # merges two runs
    if len(run):
        seen.append(run)
