"""The category palette and vocabulary that every output draws from.

One colour per emerging hot spot category, the Swedish and English labels, and the uncertain
variant: a new or consecutive label that the space-time scan has not confirmed is drawn with the
same colour, lighter and hatched, and named "(osäker)"/"(uncertain)". The dashboard, the report
maps, the QGIS styles and the legends are all generated from here.
"""

from __future__ import annotations

from typing import Any, Literal

from geo_service.analysis.categories import CATEGORIES, CATEGORY_LABELS
from geo_service.palette.explanations import CATEGORY_EXPLANATIONS, gi_bins_json

Lang = Literal["sv", "en"]

CATEGORY_COLOURS: dict[str, str] = {
    "new_hot": "#7f0000",
    "consecutive_hot": "#c2121b",
    "intensifying_hot": "#e0301e",
    "persistent_hot": "#f0592b",
    "sporadic_hot": "#f98e52",
    "oscillating_hot": "#fbb06a",
    "diminishing_hot": "#fdd08a",
    "historical_hot": "#f3c9b2",
    "new_cold": "#08306b",
    "consecutive_cold": "#08519c",
    "intensifying_cold": "#2171b5",
    "persistent_cold": "#4292c6",
    "sporadic_cold": "#6baed6",
    "oscillating_cold": "#9ecae1",
    "diminishing_cold": "#c6dbef",
    "historical_cold": "#dbe6f1",
    "no_pattern": "#ffffff",
}
UNCERTAIN_OPACITY = 0.35  # an uncertain label's fill, against 0.75 for a sure one
CERTAIN_OPACITY = 0.75
UNCERTAIN_WORD: dict[str, str] = {"sv": "osäker", "en": "uncertain"}
UNCERTAIN_NOTE: dict[str, str] = {
    "sv": "Ljus och streckad: ny eller sammanhängande hotspot som skanningen inte bekräftar "
    "(kan vara slumpen).",
    "en": "Light and hatched: a new or consecutive hot spot that the scan does not confirm "
    "(may be chance).",
}
CLUSTER_COLOURS: dict[str, str] = {"scan_alarm": "#6a1b9a", "scan": "#9e9ac8", "points": "#1b7837"}
LEVEL_COLOURS: dict[str, str] = {"green": "#2e8b3d", "yellow": "#e0b000", "red": "#c62828"}
LEVEL_LABELS: dict[str, dict[str, str]] = {
    "red": {"sv": "röd", "en": "red"},
    "yellow": {"sv": "gul", "en": "yellow"},
    "green": {"sv": "grön", "en": "green"},
}
CLUSTER_LABELS: dict[str, dict[str, str]] = {
    "scan_alarm": {"sv": "ovanlig ansamling", "en": "unusual cluster"},
    "scan": {"sv": "skanningskluster", "en": "scan cluster"},
    "points": {"sv": "punktkluster", "en": "point cluster"},
}
# Counts per cell (the yearly map), light to dark; the same hues as the hot categories.
COUNT_RAMP: tuple[str, ...] = ("#fdd08a", "#fbb06a", "#f0592b", "#c2121b", "#7f0000")


def level_label(level: str, lang: str = "sv") -> str:
    """'röd'/'red', 'gul'/'yellow', 'grön'/'green'."""
    return LEVEL_LABELS.get(level, {}).get(lang, level)


def category_label(category: str, lang: str = "sv", uncertain: bool = False) -> str:
    """The category's label in `lang`, with "(osäker)"/"(uncertain)" when unconfirmed."""
    label = CATEGORY_LABELS.get(category, {}).get(lang, category)
    return f"{label} ({UNCERTAIN_WORD.get(lang, 'uncertain')})" if uncertain else label


def rgba(hex_colour: str, opacity: float) -> str:
    """'#rrggbb' → 'r,g,b,a' with a in 0–255, as QGIS styles write colours."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(opacity * 255)}"


def palette_json() -> dict[str, Any]:
    """Everything a client needs to draw and explain the categories, in both languages."""
    return {
        "categories": [
            {
                "category": name,
                "colour": CATEGORY_COLOURS[name],
                "label": {lang: category_label(name, lang) for lang in ("sv", "en")},
                "uncertain_label": {
                    lang: category_label(name, lang, uncertain=True) for lang in ("sv", "en")
                },
                "explanation": CATEGORY_EXPLANATIONS[name],
            }
            for name in CATEGORIES
        ],
        "opacity": {"certain": CERTAIN_OPACITY, "uncertain": UNCERTAIN_OPACITY},
        "uncertain_note": UNCERTAIN_NOTE,
        "clusters": CLUSTER_COLOURS,
        "levels": LEVEL_COLOURS,
        "period_bins": gi_bins_json(),
    }


def recurrence_words(days: float | None, lang: str = "sv") -> str:
    """A scan cluster's recurrence interval as a coordinator reads it.

    "slumpen ger sådant ungefär vart 4:e år" / "would happen by chance about once in 4 years".
    """
    if days is None or days != days:
        return ""
    years = days / 365.25
    if years >= 1.5:
        n = round(years)
        return (
            f"slumpen ger sådant ungefär vart {n}:e år"
            if lang == "sv"
            else f"would happen by chance about once in {n} years"
        )
    if years >= 0.75:
        return (
            "slumpen ger sådant ungefär en gång om året"
            if lang == "sv"
            else ("would happen by chance about once a year")
        )
    months = max(round(days / 30.4), 1)
    return (
        f"slumpen ger sådant ungefär var {months}:e månad"
        if lang == "sv"
        else f"would happen by chance about once in {months} months"
    )
