"""Vectorised parsing of the text values Swedish files carry: numbers and dates."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STOCKHOLM = "Europe/Stockholm"
TEXT = pd.StringDtype("pyarrow")
"""Text columns are Arrow-backed: string operations run vectorised in C++, not per row."""


_DATE_FORMATS = (
    "ISO8601",  # pandas' fast C path; the formats below catch what it leaves
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H.%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d %H%M",
    "%Y%m%d",
    "%d %b %Y",
)
_OFFSET = r"(?:[+-]\d{2}:?\d{2}|Z)$"
_PLAIN_NUMBER = r"^[+-]?(?:\d+[.,]?\d*|[.,]\d+)$"
_PLAIN_MAX_CHARS = 15
"""Up to 15 digits: pandas' parser and Arrow's both round such a decimal correctly."""
_SV_MONTHS = {
    "januari": "jan", "februari": "feb", "mars": "mar", "april": "apr", "maj": "may",
    "juni": "jun", "juli": "jul", "augusti": "aug", "september": "sep", "oktober": "oct",
    "november": "nov", "december": "dec", "okt": "oct",
}  # fmt: skip


def utc_text(times: pd.Series) -> pd.Series:
    """UTC timestamps as ISO text ('2025-03-14T20:30:00Z'), '' for NaT; vectorised."""
    seconds = pa.array(times.dt.tz_convert(None).to_numpy().astype("datetime64[s]"))
    text = pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T", max_replacements=1)
    text = pc.binary_join_element_wise(text, "Z", "").fill_null("")
    return pd.Series(text.to_numpy(zero_copy_only=False), index=times.index, dtype=object)


def numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats from text with decimal comma or point and spaces as thousands separators.

    Returns the numbers and a mask of values that were present but not numbers (text, NaN).
    """
    text = values.astype(TEXT).str.strip()
    plain = _plain_numbers(pa.array(text.array))
    if plain is not None:
        return (pd.Series(plain, index=values.index),
                pd.Series(False, index=values.index, dtype="bool[pyarrow]"))  # fmt: skip
    blank = text.isna() | (text == "")
    cleaned = text.str.replace("[\\s\u00a0\u202f]", "", regex=True).str.replace(",", ".")
    out = pd.to_numeric(cleaned, errors="coerce").astype(float)
    bad = ~blank & (out.isna() | ~np.isfinite(out.fillna(0.0)))
    out[bad] = np.nan
    return out, bad


def _plain_numbers(text: pa.Array) -> np.ndarray | None:
    """Floats (NaN for blanks) when every value is blank or a short plain decimal, else None.

    The common case, parsed by Arrow; anything else (spaces inside, exponents, text, long
    digit strings, a negative zero that pandas reads as 0 among integers) is left to pandas.
    """
    plain = pc.and_(
        pc.match_substring_regex(text, _PLAIN_NUMBER),
        pc.less_equal(pc.utf8_length(text), _PLAIN_MAX_CHARS),
    )
    if not pc.all(pc.fill_null(pc.or_(plain, pc.equal(text, "")), True)).as_py():
        return None
    decimal = pc.replace_substring(text, ",", ".")
    parsed = pc.cast(pc.if_else(plain, decimal, pa.scalar(None, text.type)), pa.float64())
    out = parsed.to_numpy(zero_copy_only=False)
    if np.signbit(out[out == 0]).any():
        return None
    return out


def datetimes(values: pd.Series, time: pd.Series | None = None) -> pd.Series:
    """UTC timestamps from many date formats; naive times are Europe/Stockholm. NaT = unparsable.

    `time` is an optional separate time-of-day column (Datum + Tid).
    """
    text = values.astype(TEXT).str.strip()
    if time is not None:
        t = time.astype(TEXT).str.strip().fillna("")
        t = t.str.replace(r"^(\d{1,2})\.(\d{2})", r"\1:\2", regex=True)
        text = (text.fillna("") + " " + t).str.strip()
    text = text.replace("", pd.NA)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    has_offset = text.str.contains(_OFFSET, regex=True, na=False)
    if has_offset.any():
        aware = text[has_offset].str.replace(r"^(\d{4}-\d{2}-\d{2}) (\d):", r"\1 0\2:", regex=True)
        parsed = pd.to_datetime(aware, format="ISO8601", utc=True, errors="coerce")
        missing = parsed.isna()
        if missing.any():
            parsed[missing] = pd.to_datetime(
                aware[missing], format="%Y-%m-%d %H:%M:%S %z", utc=True, errors="coerce"
            )
        out[has_offset] = parsed
    naive = text[~has_offset & text.notna()]
    local = pd.Series(pd.NaT, index=naive.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = local.isna()
        if not todo.any():
            break
        if fmt == "%d %b %Y":  # month names: written out in Swedish only where needed
            naive = naive.copy()
            naive[todo] = naive[todo].str.lower().replace(_SV_MONTHS, regex=True)
        local[todo] = pd.to_datetime(naive[todo], format=fmt, errors="coerce")
    todo = local.isna()
    if todo.any():  # Excel serial day numbers (1990–2100)
        serial = pd.to_numeric(naive[todo].str.replace(",", "."), errors="coerce")
        serial = serial.where((serial > 32874) & (serial < 73051))
        local[todo] = pd.to_datetime("1899-12-30") + pd.to_timedelta(serial, unit="D")
    if local.size:
        # the repeated hour of the autumn night reads as summer time (the first one)
        out[local.index] = local.dt.tz_localize(
            STOCKHOLM, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
        ).dt.tz_convert("UTC")
    return out
