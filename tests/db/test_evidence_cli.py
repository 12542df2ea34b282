"""`geo-service near-repeats` and `geo-service backtest` on the Perstorp demo."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from geo_service.cli import app
from geo_service.config import get_settings
from geo_service.evidence.texts import METHOD_LABELS
from tests.api.priorities_data import MC, PriorityDb, prio_db_fixture  # noqa: F401

RUNNER = CliRunner()


@pytest.fixture
def demo_db(prio_db: PriorityDb, monkeypatch: pytest.MonkeyPatch) -> Iterator[PriorityDb]:
    """The commands' settings point at the priorities database (demo and runs)."""
    monkeypatch.setenv("GEO_SERVICE_DATABASE_URL", prio_db.url)
    monkeypatch.setenv("COLUMNS", "160")
    get_settings.cache_clear()
    yield prio_db
    monkeypatch.undo()
    get_settings.cache_clear()


def test_near_repeats_prints_the_heat_table_and_the_sentence(demo_db: PriorityDb) -> None:
    result = RUNNER.invoke(app, ["near-repeats", "--municipality", MC, "--group", "vandalism"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Skadegörelse och klotter" in out
    for header in ("0–7", "8–14", "15–28", "29–56", "0–100", "400–800"):
        assert header in out
    assert " *" in out  # significant bands are marked
    assert "Efter skadegörelse eller klotter är risken förhöjd inom" in out


def test_near_repeats_of_an_unknown_group_is_a_domain_error(demo_db: PriorityDb) -> None:
    result = RUNNER.invoke(app, ["near-repeats", "--municipality", MC, "--group", "pickpocketing"])
    assert result.exit_code != 0
    assert getattr(result.exception, "code", None) == "unknown_group"


def test_backtest_prints_every_method_and_the_winner(demo_db: PriorityDb) -> None:
    result = RUNNER.invoke(app, ["backtest", "--municipality", MC, "--lang", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    for label in METHOD_LABELS["en"].values():
        assert label in out
    assert "PEI*" in out and "12 periods predicted" in out
    assert "On your own data over the last 12 periods," in out
