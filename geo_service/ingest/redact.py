"""Redaction of every stored or returned text: identity numbers, phone numbers, e-mails.

Personnummer and samordningsnummer are recognised with or without century, with a hyphen, a
plus, any Unicode dash or minus, or spaces (also no-break and thin spaces) between date and
number ("850709-9805", "850709 – 9805", "19850709 9805"), and only when the date has a real
month and day and the Luhn check digit holds, so ordinary numbers (dates, case numbers, most
numeric ids) survive. Phone numbers are Swedish numbers
written together or grouped by spaces, dashes or dots ("070 123 45 67", "070.123.45.67",
"+46 70-123 45 67").
"""

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo_service.geocode.text import as_arrow, distinct
from geo_service.ingest.parse import TEXT

REDACTED = "[redacted]"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212-"
"""Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign, hyphen-minus (last,
so that it stays a literal in a character class)."""
_DASH = f"[{DASHES}]"
_SEPARATOR = rf"(?:\s{{0,3}}[+{DASHES}]\s{{0,3}}|\s{{1,3}})?"
"""Between a personnummer's date and number: a dash or plus, spaces around it, or spaces alone
(Python's whitespace class takes no-break and thin spaces too)."""
_YYMMDD = r"\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
"""A birth date: a month 01–12 and a day 01–31, or 61–91 (a samordningsnummer's day + 60)."""
_PNR = re.compile(
    rf"(?<![\d{DASHES}])(?:(?:19|20)({_YYMMDD})|({_YYMMDD})){_SEPARATOR}(\d{{4}})(?![\d{DASHES}])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_GAP = rf"(?:\s{{0,2}}{_DASH}\s{{0,2}}|[\s.])?"
_PHONE = re.compile(
    rf"(?<![\w+.,])(?:\+46|0046|0){_PHONE_GAP}\(?\d{{1,3}}\)?(?:{_PHONE_GAP}\d){{5,9}}(?!\d)"
)
_CANDIDATE = re.compile(rf"@|{_YYMMDD}\D{{0,7}}\d{{4}}|\+46|0046|(?:^|[^\d.,])0\D{{0,6}}\d")
"""Texts that could hold a match, a superset of the patterns above in syntax RE2 (Arrow) reads
too; the rest are not looked at. Case numbers like 5000-K12345-23 are not candidates."""


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


def redact_json(value: Any) -> Any:
    """A JSON-like value with every string in it redacted, keys included."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact_json(k): redact_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(v) for v in value]
    return value


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
