"""Free text is redacted before storage: personnummer (Luhn-checked), phones and e-mails."""

import pandas as pd
import pytest

from geo_service.ingest.redact import luhn_ok, redact, redact_json, redact_text, redacted_texts


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


AWKWARD_PERSONNUMMER = [
    "811218\u20109876",  # hyphen
    "811218\u20119876",  # non-breaking hyphen
    "811218\u20129876",  # figure dash
    "811218\u20139876",  # en dash
    "811218\u20149876",  # em dash
    "811218\u22129876",  # minus sign
    "811218\u00a09876",  # no-break space
    "811218\u20099876",  # thin space
    "811218\u202f9876",  # narrow no-break space
    "811218 - 9876",
    "811218\u00a0\u2013\u00a09876",
    "19811218 \u2013 9876",
]
AWKWARD_PHONES = [
    "070 123 45 67",
    "070.123.45.67",
    "+46 70-123 45 67",
    "+46\u00a070\u00a0123\u00a045\u00a067",
    "070\u2013123 45 67",
    "0413-123 45",
]


@pytest.mark.parametrize("number", AWKWARD_PERSONNUMMER)
def test_personnummer_with_unicode_dashes_and_spaces_is_redacted(number: str) -> None:
    expected = "Målsägande [redacted] hördes."
    assert redact_text(f"Målsägande {number} hördes.") == expected
    assert redact(pd.Series([f"Målsägande {number} hördes."]))[0] == expected


@pytest.mark.parametrize("phone", AWKWARD_PHONES)
def test_spaced_and_dotted_phone_numbers_are_redacted(phone: str) -> None:
    assert redact_text(f"Ring {phone} ikväll") == "Ring [redacted] ikväll"
    assert redact(pd.Series([f"Ring {phone} ikväll"]))[0] == "Ring [redacted] ikväll"


def test_the_luhn_check_still_spares_dates_decimals_and_case_numbers() -> None:
    text = "811218 \u2013 9875, 2025-03-14 kl 21:30, 55.0123456789 13.4, 1.2345678, 5000-K12-25"
    assert redact_text(text) == text


def test_json_values_and_keys_are_redacted() -> None:
    value = {"Anmälare 811218-9876": ["ring 070.123.45.67", 3], "fil": "a@b.se.csv"}
    assert redact_json(value) == {
        "Anmälare [redacted]": ["ring [redacted]", 3],
        "fil": "[redacted]",
    }


def test_a_number_without_a_real_birth_date_is_no_personnummer() -> None:
    # both pass the Luhn check; month 24 and day 32 exist in no calendar
    assert luhn_ok("2024000016") and luhn_ok("8501329802")
    text = "Ärende 2024000016, löpnummer 850132-9802"
    assert redact_text(text) == text
    assert redact(pd.Series([text]))[0] == text
