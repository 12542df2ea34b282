"""Vectorised parsing of the text values Swedish files carry: numbers and dates."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo_service.config import TIMEZONE
from geo_service.geocode.text import as_arrow

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
_LONG_EXPONENT = r"^.*[eE][+-]?\d{18,}.*$"
_HUGE_EXPONENT = r"([eE][+-]?)0*[1-9]\d{9,}"
_PLAIN_MAX_CHARS = 15
"""Up to 15 digits: pandas' parser and Arrow's both round such a decimal correctly."""
_NUMBER_BYTES = np.full(256, 1 << 24, dtype=np.uint32)
_NUMBER_BYTES[ord("0") : ord("9") + 1] = 1
_NUMBER_BYTES[[ord(","), ord(".")]] = 1 << 8
_NUMBER_BYTES[[ord("+"), ord("-")]] = 1 << 16
"""What a byte of a number is: a digit, separator, sign or other, counted in 8 bits each."""
_SV_MONTHS = {
    "januari": "jan",
    "februari": "feb",
    "mars": "mar",
    "april": "apr",
    "maj": "may",
    "juni": "jun",
    "juli": "jul",
    "augusti": "aug",
    "september": "sep",
    "oktober": "oct",
    "november": "nov",
    "december": "dec",
    "okt": "oct",
}


_TENS = np.array([ord("0") + i // 10 for i in range(100)], dtype=np.uint8)
_ONES = np.array([ord("0") + i % 10 for i in range(100)], dtype=np.uint8)
"""The ASCII digits of 0–99."""


def utc_text(times: pd.Series) -> pd.Series:
    """UTC timestamps as ISO text ('2025-03-14T20:30:00Z'), '' for NaT; vectorised."""
    naive = times.dt.tz_convert(None).to_numpy()
    missing = np.isnat(naive)
    days, second = np.divmod(naive[~missing].astype("datetime64[s]").astype(np.int64), 86400)
    year, month, day = _civil_from_days(days)
    chars = np.empty((len(days), 20), dtype=np.uint8)
    chars[:] = np.frombuffer(b"0000-00-00T00:00:00Z", dtype=np.uint8)
    hour, minute, second = second // 3600, second // 60 % 60, second % 60
    fields = {0: year // 100, 2: year % 100, 5: month, 8: day, 11: hour, 14: minute, 17: second}
    for at, value in fields.items():  # two digits each
        chars[:, at], chars[:, at + 1] = _TENS[value], _ONES[value]
    offsets = np.zeros(len(naive) + 1, dtype=np.int64)
    np.cumsum(np.where(missing, 0, 20), out=offsets[1:])
    text = pa.LargeStringArray.from_buffers(len(naive), pa.py_buffer(offsets), pa.py_buffer(chars))
    return pd.Series(pd.arrays.ArrowStringArray(text.cast(pa.string())), index=times.index)


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days from 1970-01-01 (H. Hinnant's civil_from_days), vectorised."""
    z = days + 719468
    era = z // 146097
    of_era = z - era * 146097
    year_of_era = (of_era - of_era // 1460 + of_era // 36524 - of_era // 146096) // 365
    of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted = (5 * of_year + 2) // 153
    day = of_year - (153 * shifted + 2) // 5 + 1
    month = np.where(shifted < 10, shifted + 3, shifted - 9)
    return year_of_era + era * 400 + (month <= 2), month, day


def numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats from text with decimal comma or point and spaces as thousands separators.

    Returns the numbers and a mask of values that were present but not numbers (text, NaN).
    """
    plain = _plain_numbers(pc.utf8_trim_whitespace(as_arrow(values)))
    if plain is not None:
        return (
            pd.Series(plain, index=values.index),
            pd.Series(False, index=values.index, dtype="bool[pyarrow]"),
        )
    text = values.astype(TEXT).str.strip()
    blank = text.isna() | (text == "")
    cleaned = text.str.replace("[\\s\u00a0\u202f]", "", regex=True).str.replace(",", ".")
    out = pd.to_numeric(_tame_exponents(cleaned), errors="coerce").astype(float)
    bad = ~blank & (out.isna() | ~np.isfinite(out.fillna(0.0)))
    out[bad] = np.nan
    return out, bad


def _tame_exponents(text: pd.Series) -> pd.Series:
    """Exponents pandas' parser could overflow on (the process crashes) made harmless.

    It reads 17 exponent digits at most: more is not a number, and a value of ten digits or
    more reads as 999 does (too large: not a number, too small: 0).
    """
    tamed = pc.replace_substring_regex(as_arrow(text), _LONG_EXPONENT, "nan")
    tamed = pc.replace_substring_regex(tamed, _HUGE_EXPONENT, r"\1999")
    return pd.Series(pd.arrays.ArrowStringArray(tamed), index=text.index)


def _plain_numbers(text: pa.Array) -> np.ndarray | None:
    """Floats (NaN for blanks) when every value is blank or a plain decimal, else None.

    Plain: an optional leading sign, digits and at most one '.' or ',', 15 characters at most;
    Arrow reads such a value to the double pandas' parser gives. Anything else (spaces inside,
    exponents, text, a negative zero that pandas reads as 0 among integers) is left to pandas.
    """
    validity, offsets_buffer, data_buffer = text.buffers()
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[text.offset :][: len(text) + 1]
    lengths = np.diff(offsets)
    filled = lengths > 0
    present = filled & text.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return np.full(len(text), np.nan)
    if lengths[present].max() > _PLAIN_MAX_CHARS:
        return None
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    per_byte = _NUMBER_BYTES[data[offsets[0] : offsets[-1]]]
    counts = np.add.reduceat(per_byte, offsets[:-1][filled] - offsets[0])[present[filled]]
    digits, separators, signs, others = ((counts >> shift) & 255 for shift in (0, 8, 16, 24))
    first = data[offsets[:-1][present]]
    leading = (first == ord("+")) | (first == ord("-"))
    if not ((others == 0) & (separators <= 1) & (digits >= 1) & (signs == leading)).all():
        return None
    points = pa.py_buffer(np.where(data == ord(","), np.uint8(ord(".")), data))
    decimal = pa.Array.from_buffers(
        text.type, len(text), [validity, offsets_buffer, points], offset=text.offset
    )
    if not present.all():
        decimal = pc.if_else(pa.array(present), decimal, pa.scalar(None, text.type))
    out = pc.cast(decimal, pa.float64()).to_numpy(zero_copy_only=False)
    if np.signbit(out[out == 0]).any():
        return None
    return out


def datetimes(values: pd.Series, time: pd.Series | None = None) -> pd.Series:
    """UTC timestamps from many date formats; naive times are Europe/Stockholm. NaT = unparsable.

    `time` is an optional separate time-of-day column (Datum + Tid); a date that carries its
    own time (a ':') keeps it.
    """
    text = values.astype(TEXT).str.strip()
    if time is not None:
        t = time.astype(TEXT).str.strip().fillna("")
        t = t.str.replace(r"^(\d{1,2})\.(\d{2})", r"\1:\2", regex=True)
        timed = text.str.contains(":", regex=False, na=False)
        text = text.fillna("").where(timed, (text.fillna("") + " " + t).str.strip())
    text = text.replace("", pd.NA)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    plain = _plain_iso(as_arrow(text))
    is_plain = ~np.isnat(plain)
    if text.index.equals(values.index) and (is_plain | text.isna().to_numpy()).all():
        return _from_stockholm(pd.Series(plain, index=values.index))  # the common case
    rest = text[~is_plain]
    has_offset = rest.str.contains(_OFFSET, regex=True, na=False)
    if has_offset.any():
        aware = rest[has_offset].str.replace(r"^(\d{4}-\d{2}-\d{2}) (\d):", r"\1 0\2:", regex=True)
        parsed = pd.to_datetime(aware, format="ISO8601", utc=True, errors="coerce")
        missing = parsed.isna()
        if missing.any():
            parsed[missing] = pd.to_datetime(
                aware[missing], format="%Y-%m-%d %H:%M:%S %z", utc=True, errors="coerce"
            )
        out[aware.index] = parsed
    naive = rest[~has_offset & rest.notna()]
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
        serial = pd.to_numeric(_tame_exponents(naive[todo].str.replace(",", ".")), errors="coerce")
        # as plain floats: a masked (nullable) array keeps 1e10 or inf under its mask, and
        # to_timedelta converts those too and overflows
        serial = serial.astype("float64")
        serial = serial.where((serial > 32874) & (serial < 73051))
        local[todo] = pd.to_datetime("1899-12-30") + pd.to_timedelta(serial, unit="D")
    if is_plain.any():
        local = pd.concat([pd.Series(plain[is_plain], index=text.index[is_plain]), local])
    if local.size:
        out[local.index] = _from_stockholm(local)
    return out


def _from_stockholm(local: pd.Series) -> pd.Series:
    """Naive Stockholm times in UTC; the repeated hour of the autumn night reads as summer
    time (the first one), a time the spring skips moves forward."""
    return local.dt.tz_localize(
        TIMEZONE, ambiguous=np.ones(len(local), dtype=bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC")


_ISO_FORMS = {10: "dddd-dd-dd", 16: "dddd-dd-dd?dd:dd", 19: "dddd-dd-dd?dd:dd:dd"}
"""The forms read directly: '?' is ' ' or 'T', 'd' a digit (anything else goes to pandas)."""


def _plain_iso(text: pa.Array) -> np.ndarray:
    """Naive times of the values written 'YYYY-MM-DD[ HH:MM[:SS]]' (or with 'T'), else NaT.

    The values of one width are taken out with Arrow's filter, so their bytes lie end to end
    and read as a table of one row per value.
    """
    out = np.full(len(text), np.datetime64("NaT", "ns"))
    lengths = pc.binary_length(text)
    for width, form in _ISO_FORMS.items():
        fits = pc.fill_null(pc.equal(lengths, width), False)
        rows = np.flatnonzero(fits.to_numpy(zero_copy_only=False))
        if not len(rows):
            continue
        same = text if len(rows) == len(text) else text.filter(fits)
        _, offsets_buffer, data_buffer = same.buffers()
        offset_type = np.int64 if pa.types.is_large_string(same.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=offset_type)[same.offset :]
        start, end = offsets[0], offsets[len(same)]
        chars = np.frombuffer(data_buffer, dtype=np.uint8)[start:end].reshape(-1, width)
        out[rows] = _iso_times(chars, form)
    return out


def _iso_times(chars: np.ndarray, form: str) -> np.ndarray:
    """Naive times of fixed-width values (a row of bytes each) in one form, NaT where one does
    not fit: what pandas' ISO 8601 parser reads, for years 1700–2200 and no leap seconds."""
    digits = chars - np.uint8(ord("0"))  # other bytes wrap around to 10 or more
    ok = np.ones(len(chars), dtype=bool)
    for i, kind in enumerate(form):
        if kind == "d":
            ok &= digits[:, i] <= 9
        elif kind == "?":
            ok &= (chars[:, i] == ord(" ")) | (chars[:, i] == ord("T"))
        else:
            ok &= chars[:, i] == ord(kind)

    def number(at: int, size: int) -> np.ndarray:
        value = digits[:, at].astype(np.int64)
        for i in range(at + 1, at + size):
            value = value * 10 + digits[:, i]
        return value

    zero = np.zeros(len(chars), dtype=np.int64)
    year, month, day = number(0, 4), number(5, 2), number(8, 2)
    hour, minute = (number(11, 2), number(14, 2)) if len(form) > 10 else (zero, zero)
    second = number(17, 2) if len(form) > 16 else zero
    ok &= (year >= 1700) & (year <= 2200) & (month >= 1) & (month <= 12) & (day >= 1)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    month = np.where(ok, month, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    ok &= day <= _MONTH_DAYS[month - 1] + ((month == 2) & leap)
    seconds = (_days_since_1970(year, month, day) * 24 + hour) * 3600 + minute * 60 + second
    return np.where(ok, seconds * 10**9, np.datetime64("NaT", "ns").astype(np.int64)).view(
        "datetime64[ns]"
    )


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_since_1970(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 to a Gregorian date (H. Hinnant's days_from_civil), vectorised."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
