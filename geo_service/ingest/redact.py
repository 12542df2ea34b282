"""Redaction of free text before storage (DESIGN.md §5): identity numbers, phones, e-mails.

Personnummer and samordningsnummer are recognised with or without century and dash and only
when the Luhn check digit holds, so ordinary numbers (dates, case numbers) survive.
"""

import re

import pandas as pd

from geo_service.geocode.text import map_unique
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
    """A text column redacted; only values that could hold a match are looked at."""
    text = values.astype(TEXT)
    candidate = text.str.contains(_CANDIDATE, na=False)
    if not candidate.any():
        return text
    out = text.copy()
    out[candidate] = map_unique(text[candidate], redact_text)  # repeated texts redacted once
    return out
