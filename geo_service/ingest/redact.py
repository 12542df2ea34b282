"""Redaction of free text before storage (DESIGN.md §5): identity numbers, phones, e-mails.

Personnummer and samordningsnummer are recognised with or without century and dash and only
when the Luhn check digit holds, so ordinary numbers (dates, case numbers) survive.
"""

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo_service.geocode.text import as_arrow, distinct
from geo_service.ingest.parse import TEXT

REDACTED = "[redacted]"
_PNR = re.compile(r"(?<![\d-])(?:(?:19|20)(\d{6})|(\d{6}))[-+ ]?(\d{4})(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]?\(?\d{1,3}\)?(?:[\s-]?\d){5,9}(?!\d)")
_CANDIDATE = re.compile(r"@|\d\d[\s-]?\d\d")


def luhn_ok(digits: str) -> bool:
    """The Luhn check on a 10-digit personnummer (YYMMDDNNNC)."""
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _pnr(match: re.Match[str]) -> str:
    digits = (match.group(1) or match.group(2)) + match.group(3)
    return REDACTED if luhn_ok(digits) else match.group(0)


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return REDACTED if 8 <= digits <= 13 else match.group(0)


def redact_text(text: str) -> str:
    """One string with personnummer, e-mail addresses and phone numbers replaced."""
    text = _PNR.sub(_pnr, text)
    text = _EMAIL.sub(REDACTED, text)
    return _PHONE.sub(_phone, text)


def redact(values: pd.Series) -> pd.Series:
    """A text column redacted; only values that could hold a match are looked at, each once."""
    text = values.astype(TEXT)
    array = as_arrow(text)
    candidate = pc.fill_null(pc.match_substring_regex(array, _CANDIDATE.pattern), False)
    if not pc.any(candidate).as_py():
        return text
    rows = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
    codes, uniques = distinct(pd.Series(pd.arrays.ArrowStringArray(array.take(rows))))
    fixed = pa.array(map(redact_text, uniques), array.type, size=len(uniques)).take(codes)
    redacted = pc.replace_with_mask(array, candidate, fixed)
    return pd.Series(pd.arrays.ArrowStringArray(redacted), index=values.index)


def redacted_texts(values: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """A text column redacted, as its distinct texts (each redacted once) and each row's index
    into them; missing values share one index, whose text is None."""
    encoded = pc.dictionary_encode(as_arrow(values))
    texts = redact(pd.Series(pd.arrays.ArrowStringArray(encoded.dictionary))).tolist()
    return encoded.indices.fill_null(len(texts)).to_numpy(zero_copy_only=False), [*texts, None]
