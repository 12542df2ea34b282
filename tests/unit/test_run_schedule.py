"""What the worker runs: a first run, new data, a period boundary, and no retry spam."""

from datetime import UTC, date, datetime, timedelta

from geo_service.runs.schedule import RunState, due, period_boundary, retention_due

ANCHOR = date(2024, 1, 1)
NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)
DATA = {"events": 1146, "last_batch_id": None, "last_change": "2026-12-05T07:00:00+00:00"}


def completed(data_end: date, watermark: dict = DATA) -> RunState:
    return RunState("completed", data_end, watermark, NOW - timedelta(hours=1))


def test_the_boundary_is_the_last_period_start_on_or_before_the_day() -> None:
    assert period_boundary(ANCHOR, 14, date(2026, 11, 16)) == date(2026, 11, 16)
    assert period_boundary(ANCHOR, 14, date(2026, 11, 17)) == date(2026, 11, 16)
    assert period_boundary(ANCHOR, 14, date(2026, 11, 29)) == date(2026, 11, 16)
    assert period_boundary(ANCHOR, 14, date(2026, 11, 30)) == date(2026, 11, 30)
    assert period_boundary(ANCHOR, 7, date(2023, 12, 31)) == date(2023, 12, 25)


def test_what_is_due_and_why() -> None:
    end = date(2026, 11, 16)
    assert due("1275", end, DATA, None, None, NOW).reason == "first_run"
    assert due("1275", end, DATA, completed(end), completed(end), NOW) is None
    newer = DATA | {"events": 1147}
    assert due("1275", end, newer, completed(end), completed(end), NOW).reason == "new_data"
    later = due("1275", date(2026, 11, 30), DATA, completed(end), completed(end), NOW)
    assert later is not None and later.reason == "period_boundary"
    assert later.data_end == date(2026, 11, 30)


def test_a_failure_on_the_same_data_waits_a_day_new_data_does_not() -> None:
    end = date(2026, 11, 16)
    failed = RunState("failed", end, DATA, NOW - timedelta(hours=2))
    assert due("0999", end, DATA, None, failed, NOW) is None
    assert due("0999", end, DATA, None, failed, NOW + timedelta(days=1)).reason == "first_run"
    assert due("0999", end, DATA | {"events": 3}, None, failed, NOW).reason == "first_run"


def test_retention_once_a_day() -> None:
    assert retention_due(None, date(2026, 12, 5))
    assert not retention_due(date(2026, 12, 5), date(2026, 12, 5))
    assert retention_due(date(2026, 12, 5), date(2026, 12, 6))
