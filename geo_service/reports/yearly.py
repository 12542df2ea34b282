"""The yearly lägesbild the law asks for (Lag 2023:196): where, what, when, trends, survey.

Per area and category; patterns by time of day, weekday and month (the årshjul); counts over
the years; the trygghetsmätning's problem index per area alongside; near repeats per category
group and the backtest of the hot spot methods.
"""

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM
from geo_service.db.tenants import require_municipality
from geo_service.errors import GeoServiceError
from geo_service.priorities.inputs import category_labels
from geo_service.reports.charts import bar_chart, line_chart, year_wheel
from geo_service.reports.evidence import yearly_evidence
from geo_service.reports.meeting import ENV

KINDS = ["incident", "observation", "tip", "fault_report"]
WEEKDAYS = {
    "sv": ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
MONTHS = {
    "sv": ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
TEXTS = {
    "sv": {
        "title": "Årlig lägesbild",
        "by_area": "Per område och kategori",
        "area": "Område",
        "outside": "utanför områden",
        "patterns": "När händer det?",
        "hour": "Rapporter per timme",
        "weekday": "Rapporter per veckodag",
        "wheel": "Årshjul: rapporter per månad",
        "trends": "Utveckling över åren",
        "trend_chart": "Rapporter per år och kategori",
        "survey": "Trygghetsmätningen",
        "survey_note": "Problemindex 0 (problemet finns nästan inte) till 6 (mycket tydligt).",
        "question": "Fråga",
        "year": "År",
        "total": "Totalt",
        "reports": "rapporter",
        "generated": "Skapad",
        "no_survey": "Inga resultat från trygghetsmätningen.",
    },
    "en": {
        "title": "Yearly situation report",
        "by_area": "By area and category",
        "area": "Area",
        "outside": "outside areas",
        "patterns": "When does it happen?",
        "hour": "Reports by hour",
        "weekday": "Reports by weekday",
        "wheel": "Year wheel: reports by month",
        "trends": "Trends over the years",
        "trend_chart": "Reports per year and category",
        "survey": "The safety survey",
        "survey_note": "Problem index 0 (almost non-existent) to 6 (alarmingly obvious).",
        "question": "Question",
        "year": "Year",
        "total": "Total",
        "reports": "reports",
        "generated": "Generated",
        "no_survey": "No safety survey results.",
    },
}

_EVENTS = text("""
SELECT e.category, coalesce(a.name, '') AS area,
       extract(year FROM e.occurred_at AT TIME ZONE 'Europe/Stockholm')::int AS year,
       extract(month FROM e.occurred_at AT TIME ZONE 'Europe/Stockholm')::int AS month,
       extract(isodow FROM e.occurred_at AT TIME ZONE 'Europe/Stockholm')::int AS dow,
       extract(hour FROM e.occurred_at AT TIME ZONE 'Europe/Stockholm')::int AS hour,
       count(*) AS n
FROM event e
LEFT JOIN area a ON a.municipality_code = e.municipality_code AND ST_Intersects(a.geom, e.geom)
WHERE e.municipality_code = :mc AND e.kind = ANY(:kinds)
  AND e.occurred_at < make_timestamptz(:year + 1, 1, 1, 0, 0, 0, 'Europe/Stockholm')
GROUP BY 1, 2, 3, 4, 5, 6
""")


def yearly_context(session: Session, mc: str, year: int, lang: str = "sv") -> dict[str, Any]:
    """Everything the yearly template shows."""
    municipality = require_municipality(session, mc)
    t = TEXTS[lang]
    idx = 0 if lang == "sv" else 1
    labels = {c: v[idx] for c, v in category_labels(session, mc).items()}
    frame = pd.DataFrame(
        session.execute(_EVENTS, {"mc": mc, "kinds": KINDS, "year": year}).all(),
        columns=["category", "area", "year", "month", "dow", "hour", "n"],
    )
    this = frame[frame["year"] == year]
    if this.empty:
        raise GeoServiceError("no_events_in_year", f"Municipality {mc} has no events in {year}.")
    this = this.assign(area=this["area"].replace("", t["outside"]))
    by_area = this.pivot_table(
        index="area", columns="category", values="n", aggfunc="sum", fill_value=0
    )
    leading = by_area.sum().sort_values(ascending=False).index[:8]
    by_area = by_area[leading]
    by_area[t["total"]] = by_area.sum(axis=1)
    by_area = by_area.sort_values(t["total"], ascending=False)
    by_area.columns = [labels.get(c, c) for c in by_area.columns]
    hours = this.groupby("hour")["n"].sum().reindex(range(24), fill_value=0)
    dows = this.groupby("dow")["n"].sum().reindex(range(1, 8), fill_value=0)
    months = this.groupby("month")["n"].sum().reindex(range(1, 13), fill_value=0)
    yearly = frame.pivot_table(
        index="year", columns="category", values="n", aggfunc="sum", fill_value=0
    )
    yearly = yearly[yearly.sum().sort_values(ascending=False).index[:6]]
    yearly.columns = [labels.get(c, c) for c in yearly.columns]
    yearly.index = yearly.index.astype(str)
    survey = pd.DataFrame(
        session.execute(
            text(
                "SELECT a.name AS area, s.question, s.year, s.index_value FROM survey_result s "
                "JOIN area a ON a.municipality_code = s.municipality_code AND a.id = s.area_id "
                "WHERE s.municipality_code = :mc AND s.year <= :year"
            ),
            {"mc": mc, "year": year},
        ).all(),
        columns=["area", "question", "year", "index_value"],
    )
    survey_table = (
        survey.pivot_table(index=["area", "question"], columns="year", values="index_value")
        if not survey.empty
        else None
    )
    return {
        "t": t,
        "lang": lang,
        "municipality": municipality.name,
        "year": year,
        "generated": datetime.now(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        "by_area": by_area,
        "hour_image": bar_chart(
            [str(h) for h in range(24)], hours.tolist(), t["hour"], t["reports"]
        ),
        "weekday_image": bar_chart(WEEKDAYS[lang], dows.tolist(), t["weekday"], t["reports"]),
        "wheel_image": year_wheel(MONTHS[lang], months.tolist(), t["wheel"]),
        "trend_image": line_chart(yearly, t["trend_chart"], t["reports"]),
        "survey": survey_table,
        **yearly_evidence(session, mc, year, lang),
    }


def yearly_report_html(session: Session, mc: str, year: int, lang: str = "sv") -> str:
    """The yearly lägesbild as one self-contained HTML page."""
    if lang not in TEXTS:
        raise GeoServiceError("invalid_language", "Language must be 'sv' or 'en'.")
    return ENV.get_template("yearly.html").render(**yearly_context(session, mc, year, lang))
