"""The yearly lägesbild the law asks for (Lag 2023:196): where, what, when, trends, survey.

Per area and category; patterns by time of day, weekday and month (the årshjul); counts over
the years; the trygghetsmätning's problem index per area alongside; near repeats per category
group and the backtest of the hot spot methods.
"""

from datetime import date, datetime
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
from geo_service.reports.yearlymap import yearly_map

KINDS = ["incident", "observation", "tip", "fault_report"]
AREA_CATEGORIES = 8
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
        "trend_chart": "Rapporter per månad, år för år och per kategori",
        "per_month": "rapporter per månad",
        "part_year": "Året är inte helt täckt av data: {label}.",
        "trend_note": (
            "Varje år visas som rapporter per månad med data, så att delår (markerade med "
            "datum) jämförs rättvist med hela år."
        ),
        "where": "Var händer det?",
        "map_note": (
            "Cellerna visar årets rapporter. Numret är platsens nummer i tabellen (1 = flest "
            "rapporter); ram A visar tätorten, platser längre bort har egna ramar."
        ),
        "number": "Nr",
        "place": "Plats",
        "frame": "Karta",
        "events": "Rapporter",
        "page": "Sida",
        "of": "av",
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
        "trend_chart": "Reports per month, year by year and by category",
        "per_month": "reports per month",
        "part_year": "The data do not cover the whole year: {label}.",
        "trend_note": (
            "Each year is shown as reports per month with data, so that part years (marked "
            "with their dates) compare fairly with whole years."
        ),
        "where": "Where does it happen?",
        "map_note": (
            "The cells show the year's reports. The number is the place's number in the table "
            "(1 = the most reports); frame A shows the town, places further away have frames "
            "of their own."
        ),
        "number": "No.",
        "place": "Place",
        "frame": "Map",
        "events": "Reports",
        "page": "Page",
        "of": "of",
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


_SPAN = text("""
SELECT min((occurred_at AT TIME ZONE 'Europe/Stockholm')::date),
       max((occurred_at AT TIME ZONE 'Europe/Stockholm')::date)
FROM event WHERE municipality_code = :mc AND kind = ANY(:kinds)
""")
_SURVEY = text(
    "SELECT a.name AS area, s.question, s.year, s.index_value FROM survey_result s "
    "JOIN area a ON a.municipality_code = s.municipality_code AND a.id = s.area_id "
    "WHERE s.municipality_code = :mc AND s.year <= :year"
)
DAYS_PER_MONTH = 365.25 / 12


def year_span(first: date, last: date, year: int) -> tuple[date, date] | None:
    """The days of `year` that the data cover (first and last day inclusive), if any."""
    start, end = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
    return (start, end) if start <= end else None


def year_label(year: int, span: tuple[date, date], lang: str) -> str:
    """'2025', or '2024 (18 nov–31 dec)' when the data cover only part of the year."""
    start, end = span
    if start == date(year, 1, 1) and end == date(year, 12, 31):
        return str(year)
    months = MONTHS[lang]
    return f"{year} ({start.day} {months[start.month - 1]}–{end.day} {months[end.month - 1]})"


def per_month_by_year(frame: pd.DataFrame, first: date, last: date, lang: str) -> pd.DataFrame:
    """Reports per month of data in each year (part years count only their covered days)."""
    spans = {int(y): year_span(first, last, int(y)) for y in frame.index}
    kept = [y for y in frame.index if spans[int(y)] is not None]
    months = [((spans[y][1] - spans[y][0]).days + 1) / DAYS_PER_MONTH for y in kept]
    out = frame.loc[kept].div(months, axis=0)
    out.index = [year_label(int(y), spans[int(y)], lang) for y in kept]
    return out


def area_table(this: pd.DataFrame, t: dict[str, str], labels: dict[str, str]) -> pd.DataFrame:
    """Reports per area (rows) and leading category (columns), with the total, largest first."""
    this = this.assign(area=this["area"].replace("", t["outside"]))
    by_area = this.pivot_table(
        index="area", columns="category", values="n", aggfunc="sum", fill_value=0
    )
    by_area = by_area[by_area.sum().sort_values(ascending=False).index[:AREA_CATEGORIES]]
    by_area[t["total"]] = by_area.sum(axis=1)
    by_area = by_area.sort_values(t["total"], ascending=False)
    by_area.columns = [labels.get(c, c) for c in by_area.columns]
    return by_area


def survey_table(session: Session, mc: str, year: int) -> pd.DataFrame | None:
    """The safety survey's problem index per area and question (rows) and year (columns)."""
    survey = pd.DataFrame(
        session.execute(_SURVEY, {"mc": mc, "year": year}).all(),
        columns=["area", "question", "year", "index_value"],
    )
    if survey.empty:
        return None
    return survey.pivot_table(index=["area", "question"], columns="year", values="index_value")


def pattern_images(
    this: pd.DataFrame, t: dict[str, str], lang: str, covered: str
) -> dict[str, str]:
    """By hour (every hour labelled), by weekday and the årshjul (titled with the days covered)."""
    hours = this.groupby("hour")["n"].sum().reindex(range(24), fill_value=0)
    dows = this.groupby("dow")["n"].sum().reindex(range(1, 8), fill_value=0)
    months = this.groupby("month")["n"].sum().reindex(range(1, 13), fill_value=0)
    return {
        "hour_image": bar_chart(
            [f"{h:02d}" for h in range(24)], hours.tolist(), t["hour"], t["reports"], width=7.5
        ),
        "weekday_image": bar_chart(
            WEEKDAYS[lang], dows.tolist(), t["weekday"], t["reports"], width=5.2
        ),
        "wheel_image": year_wheel(MONTHS[lang], months.tolist(), f"{t['wheel']}, {covered}"),
    }


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
    first, last = session.execute(_SPAN, {"mc": mc, "kinds": KINDS}).one()
    span = year_span(first, last, year)
    yearly = frame.pivot_table(
        index="year", columns="category", values="n", aggfunc="sum", fill_value=0
    )
    yearly = yearly[yearly.sum().sort_values(ascending=False).index[:6]]
    yearly.columns = [labels.get(c, c) for c in yearly.columns]
    trend = per_month_by_year(yearly, first, last, lang)
    map_image, places = yearly_map(session, mc, year, KINDS, lang)
    return {
        "t": t,
        "lang": lang,
        "municipality": municipality.name,
        "year": year,
        "year_label": year_label(year, span, lang),
        "part_year": year_label(year, span, lang) != str(year),
        "generated": datetime.now(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        "footer": f"{t['title']} {year} · {municipality.name}",
        "landscape": True,
        "map": map_image,
        "places": places,
        "by_area": area_table(this, t, labels),
        **pattern_images(this, t, lang, year_label(year, span, lang)),
        "trend_image": line_chart(trend, t["trend_chart"], t["per_month"], counts=False),
        "survey": survey_table(session, mc, year),
        **yearly_evidence(session, mc, year, lang),
    }


def yearly_report_html(session: Session, mc: str, year: int, lang: str = "sv") -> str:
    """The yearly lägesbild as one self-contained HTML page."""
    if lang not in TEXTS:
        raise GeoServiceError("invalid_language", "Language must be 'sv' or 'en'.")
    return ENV.get_template("yearly.html").render(**yearly_context(session, mc, year, lang))
