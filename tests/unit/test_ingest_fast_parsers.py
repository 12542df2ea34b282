"""The byte-level fast paths of ingest give what the plain library call gives, on random input.

Each fast parser is checked against the pandas, pyarrow, Python or shapely call it stands in
for: dates and times, decimals, the UTC timestamp text, Windows-1252 text and EWKB points.
"""

from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_service.db.copy import ewkb_points
from geo_service.ingest.parse import TEXT, _civil_from_days, _plain_iso, numbers, utc_text
from geo_service.ingest.readers import _decoded

PROPERTY = settings(max_examples=150, deadline=None)
SECONDS_1700_2200 = (int(datetime(1700, 1, 1).timestamp()), int(datetime(2200, 1, 1).timestamp()))


def _texts(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=TEXT)


@PROPERTY
@given(st.lists(st.one_of(st.none(), st.integers(*SECONDS_1700_2200)), max_size=40))
def test_utc_text_is_what_pandas_strftime_writes(seconds: list[int | None]) -> None:
    times = pd.Series(pd.to_datetime(seconds, unit="s", utc=True))
    expected = times.dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
    assert utc_text(times).tolist() == expected.tolist()


@PROPERTY
@given(st.lists(st.integers(-100_000, 100_000), max_size=40))
def test_civil_dates_from_day_numbers_are_numpys(days: list[int]) -> None:
    year, month, day = _civil_from_days(np.array(days, dtype=np.int64))
    dates = pd.DatetimeIndex(np.array(days, dtype="datetime64[D]"))
    assert year.tolist() == dates.year.tolist()
    assert month.tolist() == dates.month.tolist()
    assert day.tolist() == dates.day.tolist()


iso_values = st.builds(
    lambda y, mo, d, h, mi, s, sep, width: f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}"[
        :width
    ],
    st.integers(1700, 2199),
    st.integers(1, 12),
    st.integers(1, 31),  # days past a month's end are not dates: both give NaT
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from([" ", "T"]),
    st.sampled_from([10, 16, 19]),
)


@PROPERTY
@given(st.lists(st.one_of(st.none(), iso_values), max_size=40))
def test_plain_iso_times_are_what_pandas_iso8601_parser_reads(values: list[str | None]) -> None:
    text = _texts(values)
    fast = _plain_iso(pa.array(text.array).cast(pa.large_string()))
    expected = pd.to_datetime(text, format="ISO8601", errors="coerce")
    assert pd.Series(fast).equals(pd.Series(expected.to_numpy(dtype="datetime64[ns]")))


plain_decimals = st.from_regex(r"[+-]?[0-9]{1,8}([.,][0-9]{1,6})?", fullmatch=True)


@PROPERTY
@given(st.lists(st.one_of(st.none(), st.just(""), plain_decimals), max_size=40))
def test_plain_decimals_are_what_pandas_to_numeric_reads(values: list[str | None]) -> None:
    text = _texts(values)
    parsed, not_number = numbers(text)
    expected = pd.to_numeric(text.str.replace(",", "."), errors="coerce").astype(float)
    assert np.array_equal(parsed.to_numpy(), expected.to_numpy(), equal_nan=True)
    assert np.array_equal(np.signbit(parsed.to_numpy()), np.signbit(expected.to_numpy()))
    assert not not_number.any()


cp1252_bytes = st.binary(max_size=12).map(
    lambda raw: bytes(b for b in raw if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
)


@PROPERTY
@given(st.lists(st.one_of(st.none(), cp1252_bytes), max_size=40))
def test_windows_1252_columns_decode_as_python_decodes_each_value(
    values: list[bytes | None],
) -> None:
    decoded = _decoded(pa.array(values, pa.binary()), "cp1252")
    assert decoded.to_pylist() == [None if v is None else v.decode("cp1252") for v in values]


coordinates = st.one_of(st.just(float("nan")), st.floats(-1e7, 1e7, allow_nan=False))


@PROPERTY
@given(st.lists(st.tuples(coordinates, coordinates), max_size=40))
def test_ewkb_points_are_the_bytes_shapely_writes(points: list[tuple[float, float]]) -> None:
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    geoms = shapely.set_srid(shapely.points(x, y), 3006)
    geoms[np.isnan(x) | np.isnan(y)] = None
    expected = shapely.to_wkb(geoms, include_srid=True, flavor="extended", output_dimension=2)
    assert ewkb_points(x, y, 3006).to_pylist() == list(expected)
