"""Numbers with decimal comma and dates in the formats Swedish files carry."""

import pandas as pd

from geo_service.ingest.parse import datetimes, numbers, utc_text


def test_decimal_comma_and_spaces() -> None:
    values, bad = numbers(pd.Series(["6 222 060,5", "13,383", "abc", "NaN", ""]))
    assert values[0] == 6222060.5 and values[1] == 13.383
    assert list(bad) == [False, False, True, True, False]


def test_naive_times_are_stockholm_and_offsets_are_kept() -> None:
    out = datetimes(
        pd.Series(
            [
                "2025-03-14 21:30",
                "2025-07-14 21:30",
                "14/03/2025",
                "2018-04-13 9:58:49 +02:00",
                "14 mars 2025",
                "2025-03-30 02:30",
            ]
        )
    )
    iso = [t.isoformat() for t in out]
    assert iso[0] == "2025-03-14T20:30:00+00:00"  # CET
    assert iso[1] == "2025-07-14T19:30:00+00:00"  # CEST
    assert iso[2] == "2025-03-13T23:00:00+00:00"
    assert iso[3] == "2018-04-13T07:58:49+00:00"
    assert iso[4] == "2025-03-13T23:00:00+00:00"
    assert iso[5] == "2025-03-30T01:00:00+00:00"  # a time skipped by DST moves forward


def test_separate_time_column_and_impossible_dates() -> None:
    out = datetimes(pd.Series(["2025-03-14", "31/02/2025", "igår"]), pd.Series(["21.30", "", ""]))
    assert out[0].isoformat() == "2025-03-14T20:30:00+00:00"
    assert out[1:].isna().all()


def test_the_repeated_autumn_hour_is_read_as_summer_time() -> None:
    out = datetimes(pd.Series(["2025-10-26 02:30"]))
    assert out[0].isoformat() == "2025-10-26T00:30:00+00:00"


def test_plain_decimals_and_the_rest_read_the_same() -> None:
    plain = pd.Series(["6219655,46", "398532.4", "-12", "+,5", "7.", "", None], dtype="string")
    values, bad = numbers(plain)
    assert values[:5].tolist() == [6219655.46, 398532.4, -12.0, 0.5, 7.0]
    assert values[5:].isna().all() and not bad.any()
    mixed = pd.Series(["6219655,46", "1e3", "6 219 655,5", "inf", "-"], dtype="string")
    values, bad = numbers(mixed)
    assert values[:3].tolist() == [6219655.46, 1000.0, 6219655.5]
    assert list(bad) == [False, False, False, True, True]


def test_a_negative_zero_among_integers_reads_as_zero() -> None:
    values, _ = numbers(pd.Series(["-0", "5"], dtype="string"))
    assert str(values[0]) == "0.0"


def test_utc_text() -> None:
    times = pd.Series(pd.to_datetime(["2025-03-14 20:30:05", None, "1969-07-20 20:17:00"]))
    times = times.dt.tz_localize("UTC")
    assert utc_text(times).tolist() == ["2025-03-14T20:30:05Z", "", "1969-07-20T20:17:00Z"]


def test_plain_iso_dates_and_the_rest_in_one_column() -> None:
    out = datetimes(
        pd.Series(
            [
                "2024-02-29 12:00",
                "2023-02-29 12:00",
                "2025-03-14T21:30:15",
                "2025-03-14",
                "14/03/2025",
                "2025-03-14 21:30+01:00",
                "2025-13-01",
                "1650-01-01",
                None,
            ]
        )
    )
    iso = [None if pd.isna(t) else t.isoformat() for t in out]
    assert iso == [
        "2024-02-29T11:00:00+00:00",
        None,
        "2025-03-14T20:30:15+00:00",
        "2025-03-13T23:00:00+00:00",
        "2025-03-13T23:00:00+00:00",
        "2025-03-14T20:30:00+00:00",
        None,
        None,
        None,
    ]


def test_exponents_that_overflow_pandas_parser_are_not_numbers() -> None:
    text = ["1e2147483648", "0e59123456785", "-2E+99999999999999999999", "1e-1000000000", "7,5e2"]
    values, bad = numbers(pd.Series(text))
    assert values[:3].isna().all() and values[3] == 0.0 and values[4] == 750.0
    assert list(bad) == [True, True, True, False, False]
    assert datetimes(pd.Series(text)).isna().all()


def test_a_separate_time_column_joins_dates_without_a_time_of_their_own() -> None:
    out = datetimes(
        pd.Series(["2025-03-14", "2025-03-14T21:30+01:00", "2025-03-14 21:30", "14.03.2025"]),
        pd.Series(["21.30", "08:00", "08:00", "21:30"]),
    )
    utc = [t.isoformat() for t in out]
    assert utc == ["2025-03-14T20:30:00+00:00"] * 4  # 21:30 in Stockholm (CET) every time
