"""Free text is redacted before storage: personnummer (Luhn-checked), phones and e-mails."""

import pandas as pd
import pytest

from geo_service.ingest.redact import luhn_ok, redact, redact_text, redacted_texts


@pytest.mark.parametrize(
    "number",
    ["811218-9876", "8112189876", "19811218-9876", "198112189876", "811218+9876"],
)
def test_personnummer_in_every_spelling_is_redacted(number: str) -> None:
    assert redact_text(f"Målsägande {number} hördes.") == "Målsägande [redacted] hördes."


def test_numbers_that_fail_the_luhn_check_stay() -> None:
    assert not luhn_ok("8112189875")
    text = "Ärende 811218-9875, datum 2025-03-14 kl 21:30, 5000-K123456-25, Storgatan 12"
    assert redact_text(text) == text


@pytest.mark.parametrize(
    "phone", ["070-123 45 67", "0701234567", "+46 70 123 45 67", "08-123 456 78", "0046701234567"]
)
def test_phone_numbers_are_redacted(phone: str) -> None:
    assert redact_text(f"Ring {phone} ikväll") == "Ring [redacted] ikväll"


def test_email_and_a_column_of_text() -> None:
    column = pd.Series(
        ["mejla anna.svensson@example.se", None, "inget känsligt", "284 31 Perstorp"]
    )
    out = redact(column)
    assert out[0] == "mejla [redacted]"
    assert pd.isna(out[1]) and out[2] == "inget känsligt" and out[3] == "284 31 Perstorp"


def test_redacted_texts_are_distinct_texts_and_codes() -> None:
    codes, texts = redacted_texts(pd.Series(["Ring 0701234567", None, "hej", "Ring 0701234567"]))
    assert texts == ["Ring [redacted]", "hej", None]
    assert codes.tolist() == [0, 2, 1, 0]
