"""The pipeline's row bookkeeping: first reason wins, content hashes, duplicate identities."""

from datetime import timedelta

import numpy as np
import pandas as pd

from geo_service.geocode.places import PlaceIndex
from geo_service.ingest.chunk import Context
from geo_service.ingest.identity import hash_rows
from geo_service.ingest.options import ImportOptions
from geo_service.ingest.rejections import Rejections, reject_duplicates


def context() -> Context:
    return Context(
        options=ImportOptions("1275", "test", "incident"),
        batch_id=1,
        columns={},
        categories={},
        places=PlaceIndex({}),
        zone=None,
        target=None,
        crs=None,
        police_feed=False,
        file_columns=[],
        check_shape=False,
        future_tolerance=timedelta(hours=24),
    )


def test_the_first_reason_wins_and_messages_are_made_for_new_rows_only() -> None:
    rej = Rejections(pd.RangeIndex(1, 5))
    rej.add(np.array([True, False, False, False]), "missing_date", "Datum saknas.")
    asked: list[list[int]] = []

    def message(rows: np.ndarray) -> list[str]:
        asked.append(rows.tolist())
        return [f"rad {r}" for r in rows]

    rej.add(np.array([True, True, False, False]), "invalid_date", message)
    per_row = np.array(["a", "b", "c", "d"])
    rej.add(np.array([False, False, True, False]), "unknown_category", per_row)
    assert asked == [[1]]
    assert rej.reason.tolist() == ["missing_date", "invalid_date", "unknown_category", ""]
    assert rej.message.tolist() == ["Datum saknas.", "rad 1", "c", ""]
    assert rej.ok.tolist() == [False, False, False, True]


def test_content_hash_is_pandas_hash_of_the_row() -> None:
    rng = np.random.default_rng(1)
    n = 500
    codes = rng.integers(0, 3, n)
    labels = ["klotter", "", "brand"]
    t = np.array([f"2025-03-{d:02d}T10:00:00Z" for d in rng.integers(1, 29, n)], dtype=object)
    x = np.round(rng.normal(400000, 1000, n), 1)
    x[:5] = np.nan
    frame = pd.DataFrame(
        {
            "kind": "incident",
            "category": np.array(labels, dtype=object)[codes],
            "t": t,
            "x": x,
            "s": rng.integers(0, 4, n).astype(float),
        }
    )
    expected = pd.util.hash_pandas_object(frame, index=False, hash_key="geo_service_ingt")
    hashed = hash_rows(
        [(np.zeros(n, dtype=np.intp), ["incident"]), (codes, labels), t, x, frame["s"].to_numpy()]
    )
    assert hashed.to_pylist() == [format(v, "016x") for v in expected]


def test_duplicates_within_and_across_chunks() -> None:
    rng = np.random.default_rng(2)
    ids = np.array([f"id{v}" for v in rng.integers(0, 3000, 20_000)], dtype=object)
    ctx, start, reasons, messages, expected = context(), 0, [], [], []
    seen: set[str] = set()
    for size in rng.integers(1, 1500, 100).tolist() + [20_000]:
        chunk = ids[start : start + size]
        if not len(chunk):
            break
        rows = pd.RangeIndex(start + 1, start + 1 + len(chunk))
        rej = Rejections(rows)
        reject_duplicates(chunk, rows, rej, ctx.seen)
        reasons += rej.reason.tolist()
        messages += rej.message.tolist()
        first_here: dict[str, int] = {}
        for row, value in zip(rows, chunk.tolist(), strict=True):
            if value in first_here:
                expected.append(f"Samma id som rad {first_here[value]} i filen.")
            elif value in seen:
                expected.append("Samma id som en tidigare rad i filen.")
            else:
                expected.append("")
            first_here.setdefault(value, row)
        seen |= set(chunk.tolist())
        start += len(chunk)
    assert len(ctx.seen) < 20  # a few sorted runs, not one per chunk
    assert messages == expected
    assert reasons == ["duplicate_in_file" if m else "" for m in expected]
