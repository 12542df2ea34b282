"""Report charts and words without a database: integer count axes, part years, one caution."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo_service.reports.charts import bar_figure, line_figure, plt
from geo_service.reports.texts import TEXTS, caution_sentence
from geo_service.reports.yearly import per_month_by_year, year_label, year_span


def _ticks_are_whole(fig: plt.Figure) -> bool:
    ticks = fig.axes[0].get_yticks()
    plt.close(fig)
    return bool(np.allclose(ticks, np.round(ticks)))


def test_small_counts_get_integer_ticks() -> None:
    assert _ticks_are_whole(bar_figure(["mån", "tis", "ons"], [0, 1, 2], "Per veckodag", "n"))
    frame = pd.DataFrame({"Klotter": [0, 1, 1, 2], "Stöld": [1, 0, 2, 1]})
    assert _ticks_are_whole(line_figure(frame, "Per period", "rapporter"))


def test_rates_keep_their_decimals() -> None:
    frame = pd.DataFrame({"Klotter": [0.2, 0.4, 0.3]})
    fig = line_figure(frame, "Per månad", "rapporter per månad", counts=False)
    assert not _ticks_are_whole(fig)


def test_part_years_are_marked_and_counted_per_month_of_data() -> None:
    first, last = date(2024, 11, 18), date(2026, 11, 14)
    assert year_span(first, last, 2023) is None
    assert year_label(2025, year_span(first, last, 2025), "sv") == "2025"
    assert year_label(2024, year_span(first, last, 2024), "sv") == "2024 (18 nov–31 dec)"
    assert year_label(2026, year_span(first, last, 2026), "en") == "2026 (1 Jan–14 Nov)"
    counts = pd.DataFrame({"Klotter": [44, 365, 318]}, index=[2024, 2025, 2026])
    per_month = per_month_by_year(counts, first, last, "sv")["Klotter"]
    # one report a day is about 30 a month whether the year is whole or not
    assert per_month.tolist() == pytest.approx([30.4, 30.4, 30.4], abs=0.1)
    assert list(per_month.index) == ["2024 (18 nov–31 dec)", "2025", "2026 (1 jan–14 nov)"]


def test_the_coordinator_reads_at_most_one_plain_sentence_of_caution() -> None:
    chance = {"code": "chance_change_labels", "message_sv": "Med de här inställningarna …"}
    data = {"code": "missing_time", "message_sv": "3 händelser saknar tidpunkt."}
    assert caution_sentence([], "sv") == ""
    assert caution_sentence([data, chance], "sv") == TEXTS["sv"]["caution_chance"]
    assert caution_sentence([data], "en") == TEXTS["en"]["caution_data"]
    for lang in ("sv", "en"):
        for key in ("caution_chance", "caution_data"):
            sentence = TEXTS[lang][key]
            assert sentence.count(".") == 1 and sentence.endswith(".")
            assert "p-värde" not in sentence and "permut" not in sentence


def test_unresolved_quarantine_rows_are_olosta() -> None:
    assert "olösta" in TEXTS["sv"]["quarantined"].lower()
    assert "ej lästa" not in " ".join(TEXTS["sv"].values())
