"""The lägesbild for one EST meeting: context gathered from the database, rendered by jinja2."""

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM, TIMEZONE
from geo_service.db.engine import get_engine
from geo_service.db.models import AnalysisRun
from geo_service.db.tenants import require_municipality
from geo_service.errors import GeoServiceError
from geo_service.palette import LEVEL_COLOURS, level_label
from geo_service.priorities.disclosure import disclose_followup, disclose_items
from geo_service.priorities.followup import measure_followup
from geo_service.priorities.inputs import category_labels
from geo_service.priorities.service import priorities_for_meeting
from geo_service.priorities.snapshots import comparison_for_meeting, get_snapshot
from geo_service.privacy import FULL, Disclosure, complementary
from geo_service.reports.charts import line_chart
from geo_service.reports.evidence import evaluation_text
from geo_service.reports.mapimage import meeting_map
from geo_service.reports.texts import TEXTS, caution_sentence
from geo_service.results.clusters import ClusterSelection, list_clusters

TREND_PERIODS = 13
TREND_CATEGORIES = 6
ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


def _num(value: float | None, lang: str, decimals: int = 1) -> str:
    if value is None:
        return "–"
    text_value = f"{value:.{decimals}f}"
    return text_value.replace(".", ",") if lang == "sv" else text_value


def _css_string(value: str) -> Markup:
    """A quoted CSS string (for the page margin boxes), with quotes and backslashes escaped."""
    escaped = (
        str(value)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", " ")
        .replace("<", "\\3c ")
    )
    return Markup(f'"{escaped}"')


ENV.filters["num"] = _num
ENV.filters["css_string"] = _css_string
ENV.filters["level"] = level_label
ENV.globals["level_colours"] = LEVEL_COLOURS
ENV.filters["shown"] = lambda value, fewer: fewer if value is None else value


def disclose_report(context: dict[str, Any], disclosure: Disclosure, lang: str) -> dict[str, Any]:
    """The lägesbild's figures as a suppressed reader (viewer) may see them: ranked places,
    follow-ups and cluster sizes without counts below k, sources with complementary
    suppression, the trend chart without small cells, no quarantine count."""
    if not disclosure.suppressed:
        return context | {"fewer": ""}
    coverage = context["coverage"]
    events = {s["name"]: s["events"] for s in coverage["sources"]}
    hidden = complementary(events, disclosure)
    sources = [
        dict(s, events=None if s["name"] in hidden else s["events"]) for s in coverage["sources"]
    ]
    measures = [
        dict(m, followup=m["followup"] and disclose_followup(m["followup"], disclosure))
        for m in context["measures"]
    ]
    trends = context["trends"]
    return context | {
        "fewer": disclosure.fewer_than(lang),
        "items": disclose_items(context["items"], disclosure),
        "clusters": [dict(c, size=disclosure.count(c["size"])) for c in context["clusters"]],
        "measures": measures,
        "coverage": coverage
        | {"sources": sources, "total": disclosure.count(coverage["total"]), "quarantined": None},
        "trends": trends.mask((trends > 0) & (trends < disclosure.k))
        if not trends.empty
        else trends,
    }


def _priorities(session: Session, mc: str, meeting: date) -> dict[str, Any]:
    """The snapshot when the meeting has one, else the priorities computed now."""
    snap = get_snapshot(session, mc, meeting)
    if snap is not None:
        return {
            "items": snap.priorities,
            "run_id": snap.run_id,
            "params": snap.params,
            "snapshot_id": snap.id,
        }
    result = priorities_for_meeting(session, mc, meeting)
    return {
        "items": result.items,
        "run_id": result.run_id,
        "params": result.params,
        "snapshot_id": None,
    }


def category_trends(
    session: Session, mc: str, run: AnalysisRun, labels: dict[str, tuple[str, str]], lang: str
) -> pd.DataFrame:
    """Reports per period of the leading categories over the last periods (whole municipality)."""
    days = int(run.params.get("period_days", 14))
    anchor = date.fromisoformat(str(run.params.get("anchor", "2024-01-01")))
    start = run.period_end - timedelta(days=days * TREND_PERIODS)
    rows = session.execute(
        text(
            "SELECT floor(((occurred_at AT TIME ZONE :tz)::date - :anchor)::float8"
            " / :days)::int AS k, category, count(*) AS n FROM event "
            "WHERE municipality_code = :mc AND occurred_at >= :start AND occurred_at < :end "
            "AND kind = ANY(:kinds) GROUP BY 1, 2"
        ),
        {
            "tz": TIMEZONE,
            "anchor": anchor,
            "days": days,
            "mc": mc,
            "start": start,
            "end": run.period_end,
            "kinds": run.params.get("kinds") or ["incident", "observation", "tip", "fault_report"],
        },
    ).all()
    frame = pd.DataFrame(rows, columns=["k", "category", "n"])
    if frame.empty:
        return pd.DataFrame()
    table = frame.pivot_table(index="k", columns="category", values="n", fill_value=0)
    first = int(table.index.min())
    last = int(table.index.max())
    table = table.reindex(range(first, last + 1), fill_value=0)
    leading = table.sum().sort_values(ascending=False).index[:TREND_CATEGORIES]
    table = table[leading]
    table.index = [anchor + timedelta(days=days * int(k)) for k in table.index]
    idx = 0 if lang == "sv" else 1
    table.columns = [labels.get(c, (c, c))[idx] for c in table.columns]
    return table


def coverage(session: Session, mc: str, run: AnalysisRun) -> dict[str, Any]:
    """Events per source in the run's time span, and unresolved quarantined rows."""
    sources = session.execute(
        text(
            "SELECT s.name, count(e.id) AS n FROM source s LEFT JOIN event e "
            "ON e.municipality_code = s.municipality_code AND e.source = s.code "
            "AND e.occurred_at >= :start AND e.occurred_at < :end "
            "WHERE s.municipality_code = :mc GROUP BY s.name ORDER BY n DESC, s.name"
        ),
        {"mc": mc, "start": run.period_start, "end": run.period_end},
    ).all()
    quarantined = session.execute(
        text(
            "SELECT count(*) FROM quarantine WHERE municipality_code = :mc AND resolved_at IS NULL"
        ),
        {"mc": mc},
    ).scalar_one()
    return {
        "sources": [{"name": n, "events": c} for n, c in sources],
        "total": sum(c for _, c in sources),
        "quarantined": quarantined,
        "from": run.period_start.astimezone(STOCKHOLM).date(),
        "to": (run.period_end.astimezone(STOCKHOLM) - timedelta(days=1)).date(),
    }


def measures_with_followup(session: Session, mc: str, as_of: date) -> list[dict[str, Any]]:
    """Open measures and those ended within the last year, each with its follow-up (or why not)."""
    rows = session.execute(
        text(
            "SELECT m.id, m.title, m.kind, m.status, m.start_date, m.end_date, m.responsible_org,"
            " p.name AS place FROM measure m JOIN place p ON p.municipality_code = "
            "m.municipality_code AND p.id = m.place_id WHERE m.municipality_code = :mc "
            "AND m.status <> 'cancelled' AND m.start_date <= :day "
            "AND (m.end_date IS NULL OR m.end_date >= :day - 365) ORDER BY m.start_date, m.id"
        ),
        {"mc": mc, "day": as_of},
    ).mappings()
    out = []
    for row in rows:
        item = dict(row)
        try:
            item["followup"] = measure_followup(session, mc, row["id"], as_of=as_of)
        except GeoServiceError as exc:
            item["followup"] = None
            item["followup_note"] = exc.message
        out.append(item)
    return out


def alarm_clusters(session: Session, mc: str, run_id: int) -> list[dict[str, Any]]:
    """The run's scan clusters with an alarm, their window as Stockholm dates (end inclusive)."""
    alarms = ClusterSelection(method="scan", alarm_only=True)
    found = list_clusters(session, mc, run_id, alarms, suppress=False, k=0)
    for item in found:
        item["first_day"] = item["start"].astimezone(STOCKHOLM).date()
        item["last_day"] = item["end"].astimezone(STOCKHOLM).date() - timedelta(days=1)
    return found


def calibration_text(run: AnalysisRun, t: dict[str, str], lang: str) -> str:
    """The method note's sentence on the run's resolution and its own false alarms."""
    calibration = run.calibration or {}
    if not calibration.get("runs"):
        return ""
    choice = calibration.get("resolution_choice")
    cells = calibration["mean_cells"]
    auto = t["calibration_auto"].format(limit=_num(choice["limit"], lang, 2)) if choice else ""
    return t["calibration_text"].format(
        resolution=run.resolution,
        auto=auto,
        runs=calibration["runs"],
        rate=_num(calibration["false_change_labels_per_run"], lang, 2),
        new=_num(cells["new_hot"] - cells.get("confirmed_new_hot", 0.0), lang, 1),
    )


def meeting_report_context(session: Session, mc: str, meeting: date, lang: str = "sv") -> dict:
    """Everything the meeting template shows."""
    municipality = require_municipality(session, mc)
    prio = _priorities(session, mc, meeting)
    run = session.get(AnalysisRun, (mc, prio["run_id"]))
    labels = category_labels(session, mc)
    t = TEXTS[lang]
    period_end_day = run.period_end.astimezone(STOCKHOLM).date()
    settings = prio["params"]["priorities"]
    comparison = comparison_for_meeting(session, mc, meeting)
    return {
        "t": t,
        "lang": lang,
        "municipality": municipality.name,
        "municipality_code": mc,
        "meeting": meeting,
        "period_from": (run.period_end - timedelta(days=int(run.params.get("period_days", 14))))
        .astimezone(STOCKHOLM)
        .date(),
        "period_to": period_end_day - timedelta(days=1),
        "run_id": run.id,
        "snapshot_id": prio["snapshot_id"],
        "generated": datetime.now(STOCKHOLM).strftime("%Y-%m-%d %H:%M"),
        "items": prio["items"],
        "levels_note": t["levels"].format(
            red=_num(settings["thresholds"]["red"], lang),
            yellow=_num(settings["thresholds"]["yellow"], lang),
        ),
        "map": meeting_map(session, mc, run.id, prio["items"], lang),
        "trends": category_trends(session, mc, run, labels, lang),
        "comparison": comparison,
        "changes": [c for c in comparison["changes"] if c["status"] != "off_list"],
        "measures": measures_with_followup(session, mc, period_end_day),
        "coverage": coverage(session, mc, run),
        "method_text": t["method_text"].format(baseline=settings["baseline_periods"]),
        "calibration_text": calibration_text(run, t, lang),
        "evaluation_text": evaluation_text(session, mc, run.id, lang),
        "clusters": alarm_clusters(session, mc, run.id),
        "caution": caution_sentence(run.warnings or [], lang),
        "warnings": [
            w.get(f"message_{lang}", w.get("message", ""))
            for w in run.warnings or []
            if isinstance(w, dict)
        ],
        "footer": f"{t['footer']} {meeting.isoformat()} · {municipality.name}",
    }


def meeting_report_html(
    session: Session, mc: str, meeting: date, lang: str = "sv", disclosure: Disclosure = FULL
) -> str:
    """The meeting's lägesbild as one self-contained HTML page (images as data URIs), as the
    reader may see it (a viewer gets its own rendering without counts below k)."""
    if lang not in TEXTS:
        raise GeoServiceError("invalid_language", "Language must be 'sv' or 'en'.")
    context = disclose_report(meeting_report_context(session, mc, meeting, lang), disclosure, lang)
    trends, t = context["trends"], context["t"]
    trend_image = line_chart(trends, t["trend_chart"], t["reports"]) if not trends.empty else None
    return ENV.get_template("meeting.html").render(**context, trend_image=trend_image)


def meeting_report_pdf(
    database_url: str, mc: str, meeting: date, lang: str, disclosure: Disclosure
) -> bytes:
    """The lägesbild as PDF, gathered and drawn in the calling process on its own connection
    (a renderer process, so that the server's process keeps its CPU time for requests)."""
    from geo_service.reports.pdf import html_to_pdf

    with Session(get_engine(database_url, pool_size=1, max_overflow=1)) as session:
        html = meeting_report_html(session, mc, meeting, lang, disclosure)
    return html_to_pdf(html)
