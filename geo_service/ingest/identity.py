"""A row's identity: the source's id where it has one, else a hash of the row's content."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo_service.ingest.redact import redact

HashColumn = np.ndarray | tuple[np.ndarray, list[str]]
"""Values per row, or a text column as (codes, distinct texts)."""


def hash_rows(columns: list[HashColumn]) -> pa.StringArray:
    """A stable 64-bit content hash per row (pandas' keyed SipHash), as 16 hex chars.

    The value `pd.util.hash_pandas_object(frame, index=False, hash_key=...)` gives for a frame
    of these columns; a text column given as (codes, distinct texts) is hashed once per text.
    Enough to tell a changed row within one source; the identity itself is the source id.
    """
    key = "geo_service_ingt"
    out: np.ndarray | None = None
    mult = np.uint64(1000003)
    for i, column in enumerate(columns):
        if isinstance(column, tuple):
            codes, uniques = column
            unique_texts = np.array(uniques, dtype=object)
            hashed = pd.util.hash_array(unique_texts, hash_key=key, categorize=False)[codes]
        else:
            hashed = pd.util.hash_array(column, hash_key=key, categorize=False)
        if out is None:
            out = np.full(len(hashed), 0x345678, dtype=np.uint64)
        out ^= hashed  # combined as pandas does (CPython's tuple hash)
        out *= mult
        mult += np.uint64(82520 + 2 * (len(columns) - i))
    assert out is not None
    out += np.uint64(97531)
    hexed = pa.py_buffer(out.astype(">u8").tobytes().hex().encode("ascii"))
    hexes = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), len(out), [None, hexed])
    return pc.cast(pc.cast(hexes, pa.binary()), pa.string())


def source_ids(given: pa.Array, content_hash: pa.StringArray) -> pa.StringArray:
    """The source's id where given (trimmed, not blank), else `h:<content hash>`.

    An id holding personal data (a personnummer, phone number or e-mail) is stored redacted
    with the content hash appended (`[redacted]#h:<hash>`): the same row imported again is
    still recognised, and the id itself is kept nowhere.
    """
    trimmed = pc.cast(pc.fill_null(pc.utf8_trim_whitespace(given), ""), pa.string())
    hashed = pc.binary_join_element_wise("h:", content_hash, "")
    redacted = pc.cast(
        pa.array(redact(pd.Series(pd.arrays.ArrowStringArray(trimmed))).array), trimmed.type
    )
    personal = pc.not_equal(redacted, trimmed)
    scrubbed = pc.if_else(personal, pc.binary_join_element_wise(redacted, hashed, "#"), trimmed)
    return pc.if_else(pc.equal(trimmed, ""), hashed, scrubbed)
