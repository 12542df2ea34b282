"""Measure follow-up: events at the place before and after a measure against comparison places.

Ratio of rate ratios (a difference-in-differences on the log scale): RoRR = (a1/a0)/(c1/c0) with
equal before/after windows; its interval is Wald on log RoRR with SE = √(1/a0+1/a1+1/c0+1/c1)
(0.5 added to every count when one is zero). RoRR < 1 means fewer events than the comparison
places would predict; a reduction is reported when the whole interval lies below 1.
"""

import math
from datetime import date, datetime, timedelta
from typing import Any

from scipy import stats
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM, TIMEZONE
from geo_service.db.models import Measure
from geo_service.errors import Conflict, GeoServiceError, NotFoundError
from geo_service.priorities.inputs import PLACE_GEOM
from geo_service.priorities.numbers import fmt_number

MAX_WINDOW_DAYS = 365
DEFAULT_KINDS = ["incident", "observation", "tip", "fault_report"]


def ratio_of_rate_ratios(
    a0: int, a1: int, c0: int, c1: int, confidence: float = 0.95
) -> dict[str, Any]:
    """Place before/after (a0, a1) against comparison before/after (c0, c1), with a CI."""
    counts = [a0, a1, c0, c1]
    if any(n < 0 for n in counts):
        raise GeoServiceError("invalid_counts", "Counts must be non-negative.")
    corrected = any(n == 0 for n in counts)
    x0, x1, y0, y1 = (n + 0.5 if corrected else float(n) for n in counts)
    log_ratio = math.log((x1 / x0) / (y1 / y0))
    se = math.sqrt(1 / x0 + 1 / x1 + 1 / y0 + 1 / y1)
    zq = stats.norm.ppf(0.5 + confidence / 2)
    ratio, low, high = (math.exp(log_ratio + k * zq * se) for k in (0, -1, 1))
    return {
        "ratio": ratio,
        "ci_low": low,
        "ci_high": high,
        "confidence": confidence,
        "p_two_sided": float(2 * stats.norm.sf(abs(log_ratio) / se)),
        "place_rate_ratio": x1 / x0,
        "comparison_rate_ratio": y1 / y0,
        "continuity_corrected": corrected,
        "change_percent": (ratio - 1) * 100,
        "reduction": high < 1,
        "increase": low > 1,
    }


_SENTENCE = {
    "sv": "{ratio} % jämfört med jämförelseplatserna ({level} % KI {low} till {high} %): {verdict}",
    "en": "{ratio}% relative to the comparison places ({level}% CI {low} to {high}%): {verdict}",
}
_VERDICTS = {  # reduction, increase, neither
    "sv": ("minskning", "ökning", "ingen säker förändring"),
    "en": ("reduction", "increase", "no clear change"),
}


def followup_sentence(result: dict[str, Any], lang: str = "sv") -> str:
    """'−85 % jämfört med jämförelseplatserna (95 % KI −93 till −70 %)'."""

    def pct(x: float) -> str:
        text = f"{(x - 1) * 100:+.0f}"
        return text.replace("-", "−")

    reduction, increase, neither = _VERDICTS[lang]
    verdict = reduction if result["reduction"] else (increase if result["increase"] else neither)
    return _SENTENCE[lang].format(
        ratio=pct(result["ratio"]),
        level=fmt_number(result["confidence"] * 100, lang, 0),
        low=pct(result["ci_low"]),
        high=pct(result["ci_high"]),
        verdict=verdict,
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), STOCKHOLM)


_LAST_DAY = text(
    "SELECT max((occurred_at AT TIME ZONE :tz)::date) FROM event WHERE municipality_code = :mc"
)


def data_end(session: Session, mc: str) -> date:
    """The day after the tenant's latest event (follow-up windows end there by default)."""
    last = session.execute(_LAST_DAY, {"mc": mc, "tz": TIMEZONE}).scalar()
    return (last or date.today()) + timedelta(days=1)


_COUNT = text(f"""
SELECT count(DISTINCT e.id) FILTER (WHERE e.occurred_at >= :b0 AND e.occurred_at < :b1),
       count(DISTINCT e.id) FILTER (WHERE e.occurred_at >= :a0 AND e.occurred_at < :a1)
FROM place p JOIN event e ON e.municipality_code = p.municipality_code
 AND (e.place_id = p.id OR ST_Intersects({PLACE_GEOM}, e.geom))
WHERE p.municipality_code = :mc AND p.id = ANY(:ids) AND e.kind = ANY(:kinds)
  AND e.occurred_at >= :b0 AND e.occurred_at < :a1
""")

_COMPARISON = text("""
SELECT p.id FROM place p WHERE p.municipality_code = :mc AND p.id <> :place
AND NOT EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = p.municipality_code
  AND m.place_id = p.id AND m.status <> 'cancelled' AND m.start_date < :until
  AND coalesce(m.end_date, :until) >= :since)
ORDER BY p.id
""")


def measure_followup(
    session: Session,
    mc: str,
    measure_id: int,
    as_of: date | None = None,
    comparison: list[int] | None = None,
    kinds: list[str] | None = None,
) -> dict[str, Any]:
    """Before/after counts at the place and at comparison places, the RoRR and its interval.

    After: from the measure's end (its start while ongoing) to `as_of` (default: the day after
    the latest data), at most a year; before: a window of equal length ending at its start.
    Comparison places: the other places with no measure in those windows, unless given.
    """
    measure = session.get(Measure, (mc, measure_id))
    if measure is None:
        raise NotFoundError("measure", measure_id)
    as_of = as_of or data_end(session, mc)
    after_start = measure.end_date or measure.start_date
    days = min((as_of - after_start).days, MAX_WINDOW_DAYS)
    if days < 1:
        raise Conflict(
            "measure_too_recent",
            f"Measure {measure_id} ends on {after_start.isoformat()}; there are no data after it "
            f"yet (data up to {as_of.isoformat()}), so it cannot be followed up.",
        )
    before = (measure.start_date - timedelta(days=days), measure.start_date)
    after = (after_start, after_start + timedelta(days=days))
    if comparison is None:
        comparison = list(
            session.execute(
                _COMPARISON,
                {"mc": mc, "place": measure.place_id, "since": before[0], "until": after[1]},
            ).scalars()
        )
    if not comparison:
        raise Conflict(
            "no_comparison_places",
            "No comparison places without measures in the follow-up windows; add places or "
            "name comparison places.",
        )
    bounds = {
        "b0": _midnight(before[0]),
        "b1": _midnight(before[1]),
        "a0": _midnight(after[0]),
        "a1": _midnight(after[1]),
        "mc": mc,
        "kinds": kinds or DEFAULT_KINDS,
    }
    a0, a1 = session.execute(_COUNT, bounds | {"ids": [measure.place_id]}).one()
    c0, c1 = session.execute(_COUNT, bounds | {"ids": comparison}).one()
    result = ratio_of_rate_ratios(int(a0), int(a1), int(c0), int(c1))
    return {
        "measure_id": measure.id,
        "place_id": measure.place_id,
        "title": measure.title,
        "window_days": days,
        "before": {"start": before[0], "end": before[1]},
        "after": {"start": after[0], "end": after[1]},
        "place_before": int(a0),
        "place_after": int(a1),
        "comparison_place_ids": comparison,
        "comparison_before": int(c0),
        "comparison_after": int(c1),
        **result,
        "summary_sv": followup_sentence(result, "sv"),
        "summary_en": followup_sentence(result, "en"),
    }
