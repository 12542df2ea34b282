"""Place priority scores: a sum of listed components, a rank and a level.

Pure: takes per-place inputs already aggregated from the database, returns ranked priorities
with every component's value, weight and contribution and a one-line reason in Swedish and
English. Same inputs, same ranking: ties break on place id.
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geo_service.analysis.categories import CATEGORY_LABELS
from geo_service.analysis.change import rate_change
from geo_service.palette import recurrence_words
from geo_service.priorities.config import EMERGING_POINTS, PriorityConfig
from geo_service.priorities.numbers import finite_or_none, fmt_number, fmt_p

LISTED_LEVELS = ("yellow", "red")
"""A place is 'on the list' for the meeting when its level is yellow or red."""

COMPONENT_LABELS: dict[str, tuple[str, str]] = {
    "incidents": ("Incidenter (skadeviktade)", "Incidents (harm-weighted)"),
    "observations": ("Observationer (efter allvar)", "Observations (by severity)"),
    "change": ("Förändring mot normalnivån", "Change against the usual level"),
    "emerging": ("Hotspotmönster", "Emerging hot spot pattern"),
    "scan_clusters": ("Aktuella kluster", "Live scan clusters"),
    "open_measures": ("Pågående åtgärder", "Open measures"),
    "survey": ("Trygghetsmätning (problemindex)", "Safety survey (problem index)"),
}


@dataclass(frozen=True)
class ScanSummary:
    """The most unusual scan alarm touching a place: its events, the expected, the interval."""

    observed: int
    expected: float
    recurrence_days: float


@dataclass(frozen=True)
class PlaceInputs:
    """What the database says about one place for one meeting."""

    place_id: int
    name: str
    kind: str
    incident_harm: float
    observation_severity: float
    current: int
    baseline: int
    category_counts: dict[str, int] = field(default_factory=dict)
    emerging: str | None = None
    scan_clusters: int = 0
    scan_cluster: ScanSummary | None = None
    open_measures: int = 0
    survey_index: float | None = None


def _emerging_label(category: str | None, lang: str) -> str | None:
    if not category or EMERGING_POINTS.get(category, 0) == 0:
        return None
    return CATEGORY_LABELS.get(category, {}).get(lang, category)


def _scan_words(scan: ScanSummary, lang: str) -> str:
    """ "ovanlig ansamling: 6 rapporter mot 1,2 väntade, slumpen ger sådant ungefär vart 4:e år"."""
    expected = fmt_number(scan.expected, lang)
    chance = recurrence_words(scan.recurrence_days, lang)
    if lang == "sv":
        return f"ovanlig ansamling: {scan.observed} rapporter mot {expected} väntade, {chance}"
    return f"unusual cluster: {scan.observed} reports against {expected} expected, {chance}"


def top_categories(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The leading category, and the second when it has at least half as many reports."""
    ranked = sorted(((c, n) for c, n in counts.items() if n > 0), key=lambda t: (-t[1], t[0]))
    if len(ranked) >= 2 and ranked[1][1] * 2 >= ranked[0][1]:
        return ranked[:2]
    return ranked[:1]


def reason(
    inputs: PlaceInputs,
    change: dict[str, Any],
    labels: dict[str, tuple[str, str]],
    period_days: int,
    lang: str,
) -> str:
    """One line: categories, count, ratio to the usual level with p, emerging pattern."""
    sv = lang == "sv"
    cats = top_categories(inputs.category_counts)
    idx = 0 if sv else 1
    names = [labels.get(c, (c, c))[idx] for c, _ in cats]
    head = (" och " if sv else " and ").join(
        [names[0], *(n.lower() for n in names[1:])] if names else []
    )
    c = inputs.current
    if c == 0:
        body = (
            f"inga rapporter de senaste {period_days} dagarna"
            if sv
            else f"no reports in the last {period_days} days"
        )
    else:
        word = ("rapport" if c == 1 else "rapporter") if sv else ("report" if c == 1 else "reports")
        last = f"de senaste {period_days} dagarna" if sv else f"in the last {period_days} days"
        body = f"{c} {word} {last}"
        p = fmt_p(change["p_increase"], lang)
        if change["rate_ratio"] is None:
            body += (
                f", inga de {change['baseline_periods']} perioderna innan ({p})"
                if sv
                else f", none in the {change['baseline_periods']} periods before ({p})"
            )
        else:
            ratio = fmt_number(change["rate_ratio"], lang)
            body += f", {ratio} × normalnivån ({p})" if sv else f", {ratio}× the usual level ({p})"
    text = f"{head}: {body}" if head else body[0].upper() + body[1:]
    pattern = _emerging_label(inputs.emerging, lang)
    if pattern:
        text += f"; {pattern.lower()}"
    if inputs.scan_cluster is not None:
        text += "; " + _scan_words(inputs.scan_cluster, lang)
    if inputs.open_measures:
        text += "; åtgärd pågår" if sv else "; measure ongoing"
    return text


def _components(
    inputs: PlaceInputs, change: dict[str, Any], config: PriorityConfig
) -> list[dict[str, Any]]:
    w = config.weights
    increase = change["rate_ratio"] is None or change["rate_ratio"] > 1
    change_value = (
        min(-math.log10(max(change["p_increase"], 1e-300)), config.change_cap)
        if inputs.current > 0 and increase
        else 0.0
    )
    survey_value = (
        max(0.0, inputs.survey_index - config.survey_reference)
        if inputs.survey_index is not None
        else 0.0
    )
    values = {
        "incidents": (inputs.incident_harm, w.incidents),
        "observations": (inputs.observation_severity, w.observations),
        "change": (change_value, w.change),
        "emerging": (EMERGING_POINTS.get(inputs.emerging or "", 0.0), w.emerging),
        "scan_clusters": (float(min(inputs.scan_clusters, 2)), w.scan_clusters),
        "open_measures": (float(inputs.open_measures), w.open_measures),
        "survey": (survey_value, w.survey),
    }
    return [
        {
            "key": key,
            "label_sv": COMPONENT_LABELS[key][0],
            "label_en": COMPONENT_LABELS[key][1],
            "value": round(value, 4),
            "weight": weight,
            "contribution": round(value * weight, 4) + 0.0,
        }
        for key, (value, weight) in values.items()
    ]


def level_for(score: float, config: PriorityConfig) -> str:
    """green / yellow / red by the documented thresholds."""
    if score >= config.thresholds.red:
        return "red"
    if score >= config.thresholds.yellow:
        return "yellow"
    return "green"


def score_places(
    places: list[PlaceInputs],
    config: PriorityConfig,
    labels: dict[str, tuple[str, str]],
    period_days: int,
) -> list[dict[str, Any]]:
    """Ranked priorities (rank 1 = most urgent), each with components, level and reasons."""
    if not places:
        return []
    test = rate_change(
        np.array([p.current for p in places]),
        np.array([p.baseline for p in places]),
        steps=config.baseline_periods,
    )
    out = []
    for i, place in enumerate(places):
        change = {
            "current": place.current,
            "baseline": place.baseline,
            "baseline_periods": config.baseline_periods,
            "rate_ratio": finite_or_none(test.rate_ratio[i]),
            "ci_low": finite_or_none(test.ci_low[i]),
            "ci_high": finite_or_none(test.ci_high[i]),
            "p_increase": float(test.p_increase[i]),
        }
        components = _components(place, change, config)
        score = round(sum(c["contribution"] for c in components), 4)
        level = level_for(score, config)
        out.append(
            {
                "place_id": place.place_id,
                "name": place.name,
                "kind": place.kind,
                "score": score,
                "level": level,
                "listed": level in LISTED_LEVELS,
                "components": components,
                "change": change,
                "top_categories": [
                    {
                        "code": c,
                        "label_sv": labels.get(c, (c, c))[0],
                        "label_en": labels.get(c, (c, c))[1],
                        "count": n,
                    }
                    for c, n in top_categories(place.category_counts)
                ],
                "emerging_category": place.emerging,
                "reason_sv": reason(place, change, labels, period_days, "sv"),
                "reason_en": reason(place, change, labels, period_days, "en"),
            }
        )
    out.sort(key=lambda item: (-item["score"], item["place_id"]))
    for rank, item in enumerate(out, start=1):
        item["rank"] = rank
    return out
