"""Time steps: anchor + k·length in Europe/Stockholm, the last one complete."""

import datetime as dt

import pandas as pd
import pytest

from geo_service.analysis import AnalysisError, periods


def test_periods_follow_stockholm_midnight_not_utc():
    # 2024-03-31 22:30 UTC is 00:30 on 1 April in Stockholm (summer time, UTC+2):
    # with anchor 18 March and 14 days, that is period 1, though the UTC date is 31 March.
    ts = pd.to_datetime(["2024-03-31T22:30:00Z", "2024-03-31T21:30:00Z"])
    assert periods.period_index(ts, "2024-03-18", 14).tolist() == [1, 0]


def test_naive_timestamps_are_utc():
    assert periods.period_index(["2024-01-14 23:30"], "2024-01-01", 14).tolist() == [
        1
    ]  # 00:30 local


def test_period_starts_are_local_midnights_across_dst():
    starts = periods.period_start([0, 1, 2], dt.date(2024, 3, 18), 14)
    assert [s.isoformat() for s in starts] == [
        "2024-03-18T00:00:00+01:00",
        "2024-04-01T00:00:00+02:00",
        "2024-04-15T00:00:00+02:00",
    ]


def test_events_before_the_anchor_get_negative_indices():
    # floor, not truncation: one day before the anchor is period −1
    assert periods.period_index(["2024-01-01T12:00:00Z"], "2024-01-02", 7).tolist() == [-1]


def test_default_end_and_anchor_align_the_last_period_to_the_data():
    latest = pd.Timestamp("2024-05-10T13:00:00Z")  # 15:00 in Stockholm
    end = periods.default_end(latest)
    assert end.isoformat() == "2024-05-11T00:00:00+02:00"
    anchor = periods.default_anchor(end)
    assert anchor == dt.date(2024, 5, 11)
    last = periods.last_complete_index(end, anchor, 14)
    assert periods.period_start(last, anchor, 14).isoformat() == "2024-04-27T00:00:00+02:00"
    assert periods.period_index([latest], anchor, 14).tolist() == [last]  # the latest event counts


def test_only_complete_periods_with_a_tenant_anchor():
    starts = periods.period_starts(
        first=pd.Timestamp("2024-01-03T10:00Z"),
        end=pd.Timestamp("2024-02-20T10:00Z"),
        anchor="2024-01-01",
        length_days=14,
    )
    # periods start 1 Jan, 15 Jan, 29 Jan; the one from 12 Feb ends 26 Feb > end: left out
    assert [s.date().isoformat() for s in starts] == ["2024-01-01", "2024-01-15", "2024-01-29"]


def test_parse_period():
    assert periods.parse_period("14D") == 14
    assert periods.parse_period("7d") == 7
    assert periods.parse_period("2W") == 14
    assert periods.parse_period(28) == 28
    for bad in ("fortnight", "0D", "-3D", True):
        with pytest.raises(AnalysisError) as err:
            periods.parse_period(bad)
        assert err.value.code == "invalid_period"
