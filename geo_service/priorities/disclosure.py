"""Priorities and follow-ups as a suppressed caller (viewer, reporter, anonymous) may see them.

Works on the stored shape (a ranked item or a follow-up dict), so fresh priorities, frozen
meeting snapshots, the places tiles and the lägesbild pass through the same rule: no count in
1..k-1, and nothing that gives one back (a rate ratio, its interval and p, a component value,
the other part of a pair whose total is shown).
"""

import re
from typing import Any

from geo_service.privacy import Disclosure, complementary

_COUNT_WORDS = {
    "sv": re.compile(r"\b(\d+) (rapporter|rapport) ((?:de )?senaste \d+ dagarna)"),
    "en": re.compile(r"\b(\d+) (reports|report) (in the last \d+ days)"),
}
_RATIO_CLAUSE = {
    "sv": re.compile(r", (inga de \d+ perioderna innan|[\d,]+ × normalnivån) \([^)]*\)"),
    "en": re.compile(r", (none in the \d+ periods before|[\d.]+× the usual level) \([^)]*\)"),
}
_SCAN_WORDS = {
    "sv": re.compile(r"(ovanlig ansamling): (\d+) rapporter"),
    "en": re.compile(r"(unusual cluster): (\d+) reports"),
}
_CHANGE_DERIVED = ("rate_ratio", "ci_low", "ci_high", "p_increase")
_FOLLOWUP_COUNTS = ("place_before", "place_after", "comparison_before", "comparison_after")
_FOLLOWUP_DERIVED = (
    "ratio", "ci_low", "ci_high", "p_two_sided", "place_rate_ratio", "comparison_rate_ratio",
    "change_percent",
)  # fmt: skip
_FOLLOWUP_HIDDEN = {
    "sv": "För få händelser för att visa utfallet ({k}).",
    "en": "Too few events to show the outcome ({k}).",
}


def disclose_reason(reason: str, small: bool, disclosure: Disclosure, lang: str) -> str:
    """The reason text without small counts: "2 rapporter de senaste 14 dagarna" becomes "färre än
    3 rapporter de senaste 14 dagarna"; when `small`, the ratio and its p are left out too."""
    fewer = disclosure.fewer_than(lang)

    def count(match: re.Match[str]) -> str:
        if not disclosure.hides(int(match[1])):
            return match[0]
        noun = "rapporter" if lang == "sv" else "reports"
        return f"{fewer} {noun} {match[3]}"

    def scan(match: re.Match[str]) -> str:
        if not disclosure.hides(int(match[2])):
            return match[0]
        return f"{match[1]}: {fewer} {'rapporter' if lang == 'sv' else 'reports'}"

    text = _COUNT_WORDS[lang].sub(count, reason)
    if small:
        text = _RATIO_CLAUSE[lang].sub("", text)
    text = _SCAN_WORDS[lang].sub(scan, text)
    return text[:1].upper() + text[1:]


def disclose_item(item: dict[str, Any], disclosure: Disclosure) -> dict[str, Any]:
    """One ranked place as `disclosure` allows (unchanged for raw readers)."""
    if not disclosure.suppressed:
        return item
    change = dict(item["change"])
    small = disclosure.hides(change["current"]) or disclosure.hides(change["baseline"])
    if small:
        change.update(
            current=disclosure.count(change["current"]),
            baseline=disclosure.count(change["baseline"]),
            **dict.fromkeys(_CHANGE_DERIVED),
        )
    cats = {c["code"]: c["count"] or 0 for c in item["top_categories"]}
    hidden = complementary(cats, disclosure)
    out = dict(
        item,
        change=change,
        top_categories=[
            dict(c, count=None if c["code"] in hidden else c["count"])
            for c in item["top_categories"]
        ],
        reason_sv=disclose_reason(item["reason_sv"], small, disclosure, "sv"),
        reason_en=disclose_reason(item["reason_en"], small, disclosure, "en"),
    )
    if small:
        out["components"] = [dict(c, value=None, contribution=None) for c in item["components"]]
    return out


def disclose_items(items: list[dict[str, Any]], disclosure: Disclosure) -> list[dict[str, Any]]:
    return [disclose_item(item, disclosure) for item in items]


def disclose_followup(result: dict[str, Any], disclosure: Disclosure) -> dict[str, Any]:
    """A follow-up as `disclosure` allows: when any of its four counts is small, the counts,
    the ratios and their interval are all left out (each gives the others back)."""
    if not any(disclosure.hides(result[key]) for key in _FOLLOWUP_COUNTS):
        return result
    k = disclosure.fewer_than("sv"), disclosure.fewer_than("en")
    return (
        result
        | dict.fromkeys(_FOLLOWUP_COUNTS + _FOLLOWUP_DERIVED)
        | {
            "summary_sv": _FOLLOWUP_HIDDEN["sv"].format(k=k[0]),
            "summary_en": _FOLLOWUP_HIDDEN["en"].format(k=k[1]),
        }
    )
