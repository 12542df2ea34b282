"""Per-place inputs of the priority score, aggregated in PostGIS for one run and meeting.

A place's events: those linked by place_id or whose point lies in its polygon (a point-only
place: within 100 m). Its cells: the run's H3 cells whose polygon intersects the place.
"""

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.db.models import AnalysisRun
from geo_service.priorities.config import EMERGING_POINTS, PriorityConfig
from geo_service.priorities.scoring import PlaceInputs, ScanSummary

PLACE_GEOM = "coalesce(p.geom, ST_Multi(ST_Buffer(p.point, 100)))"
DEFAULT_KINDS = ("incident", "observation", "tip", "fault_report")
"""The event kinds a run counts when its parameters name none."""
OPEN_MEASURE = (
    "m.status <> 'cancelled' AND m.start_date <= :day"
    " AND (m.end_date IS NULL OR m.end_date >= :day)"
)

_EVENTS = text(f"""
SELECT p.id AS place_id, e.category, e.kind, e.occurred_at >= :cur_start AS is_current,
       count(*) AS n, sum(coalesce(t.harm_weight, 1)) AS harm, sum(coalesce(e.severity, 1)) AS sev
FROM place p
JOIN event e ON e.municipality_code = p.municipality_code
 AND (e.place_id = p.id OR ST_Intersects({PLACE_GEOM}, e.geom))
LEFT JOIN taxonomy t ON t.municipality_code = e.municipality_code AND t.code = e.category
WHERE p.municipality_code = :mc AND e.occurred_at >= :base_start AND e.occurred_at < :end
  AND e.kind = ANY(:kinds)
GROUP BY 1, 2, 3, 4
""")

_EMERGING = text(f"""
SELECT DISTINCT p.id AS place_id, ac.category
FROM place p
JOIN h3_cell h ON h.resolution = :res AND ST_Intersects(h.geom, {PLACE_GEOM})
JOIN analysis_cell ac ON ac.municipality_code = p.municipality_code AND ac.run_id = :run
 AND ac.cell = h.cell AND NOT ac.uncertain
WHERE p.municipality_code = :mc
""")

# Scan clusters with an alarm that touch the place; the most unusual one explains the reason.
_SCAN = text(f"""
SELECT p.id AS place_id, count(c.id) AS n,
       (array_agg(c.size ORDER BY (c.stats->>'p')::float8, c.id))[1] AS observed,
       (array_agg((c.stats->>'expected')::float8 ORDER BY (c.stats->>'p')::float8, c.id))[1]
         AS expected,
       (array_agg((c.stats->>'recurrence_days')::float8
                  ORDER BY (c.stats->>'p')::float8, c.id))[1] AS recurrence_days
FROM place p
JOIN analysis_cluster c ON c.municipality_code = p.municipality_code AND c.run_id = :run
 AND c.method = 'scan' AND c.alarm AND ST_Intersects(c.geom, {PLACE_GEOM})
WHERE p.municipality_code = :mc
GROUP BY 1
""")

_MEASURES = text(f"""
SELECT m.place_id, count(*) AS n FROM measure m
WHERE m.municipality_code = :mc AND {OPEN_MEASURE}
GROUP BY 1
""")

_SURVEY = text("""
SELECT p.id AS place_id, s.year, s.question, s.index_value
FROM place p JOIN survey_result s ON s.municipality_code = p.municipality_code
 AND s.area_id = p.area_id
WHERE p.municipality_code = :mc AND s.year <= :year
""")


def with_walk_findings(kinds: list[str]) -> list[str]:
    """The kinds a place's inputs count: safety-walk findings go wherever observations do."""
    extra = ["walk_finding"] if "observation" in kinds and "walk_finding" not in kinds else []
    return [*kinds, *extra]


def category_labels(session: Session, mc: str) -> dict[str, tuple[str, str]]:
    """Taxonomy code → (Swedish label, English label)."""
    rows = session.execute(
        text("SELECT code, label_sv, label_en FROM taxonomy WHERE municipality_code = :mc"),
        {"mc": mc},
    ).all()
    return {code: (sv, en) for code, sv, en in rows}


def current_period(run: AnalysisRun) -> tuple[datetime, datetime, int]:
    """The run's last period [start, end) and its length in days."""
    days = int(run.params.get("period_days", 14))
    return run.period_end - timedelta(days=days), run.period_end, days


def place_inputs(
    session: Session, mc: str, run: AnalysisRun, meeting: date, config: PriorityConfig
) -> list[PlaceInputs]:
    """Every place of the tenant with its counts, cells, clusters, measures and survey index."""
    cur_start, end, days = current_period(run)
    base_start = cur_start - timedelta(days=days * config.baseline_periods)
    kinds = with_walk_findings(list(run.params.get("kinds") or DEFAULT_KINDS))
    places = session.execute(
        text("SELECT id, name, kind FROM place WHERE municipality_code = :mc ORDER BY id"),
        {"mc": mc},
    ).all()
    events = pd.DataFrame(
        session.execute(
            _EVENTS,
            {
                "mc": mc,
                "cur_start": cur_start,
                "base_start": base_start,
                "end": end,
                "kinds": kinds,
            },
        )
        .mappings()
        .all(),
        columns=["place_id", "category", "kind", "is_current", "n", "harm", "sev"],
    )
    emerging = _most_serious(
        session.execute(_EMERGING, {"mc": mc, "run": run.id, "res": run.resolution}).all()
    )
    scans = {r.place_id: r for r in session.execute(_SCAN, {"mc": mc, "run": run.id}).all()}
    measures = dict(session.execute(_MEASURES, {"mc": mc, "day": meeting}).all())
    survey = _survey_index(session.execute(_SURVEY, {"mc": mc, "year": meeting.year}).all())
    is_current = events["is_current"].astype(bool)  # an empty frame's column is untyped
    cur = events.loc[is_current]
    base = events.loc[~is_current]
    incident = cur[cur["kind"] == "incident"].groupby("place_id")["harm"].sum()
    observed = cur[cur["kind"] != "incident"].groupby("place_id")["sev"].sum()
    current = cur.groupby("place_id")["n"].sum()
    baseline = base.groupby("place_id")["n"].sum()
    by_category = cur.groupby(["place_id", "category"])["n"].sum()
    return [
        PlaceInputs(
            place_id=pid,
            name=name,
            kind=kind,
            incident_harm=float(incident.get(pid, 0.0)),
            observation_severity=float(observed.get(pid, 0.0)),
            current=int(current.get(pid, 0)),
            baseline=int(baseline.get(pid, 0)),
            category_counts=_counts_of(by_category, pid),
            emerging=emerging.get(pid),
            scan_clusters=int(scans[pid].n) if pid in scans else 0,
            scan_cluster=_scan_summary(scans.get(pid)),
            open_measures=int(measures.get(pid, 0)),
            survey_index=survey.get(pid),
        )
        for pid, name, kind in places
    ]


def _scan_summary(row: Any) -> ScanSummary | None:
    if row is None:
        return None
    return ScanSummary(int(row.observed), float(row.expected), float(row.recurrence_days))


def _counts_of(by_category: pd.Series, pid: int) -> dict[str, int]:
    if pid not in by_category.index.get_level_values(0):
        return {}
    return {str(k): int(v) for k, v in by_category.loc[pid].items()}


def _most_serious(rows: list[Any]) -> dict[int, str]:
    """Per place, the category of its cells with the most points (ties: the listed order)."""
    order = {c: i for i, c in enumerate(EMERGING_POINTS)}
    best: dict[int, str] = {}
    for pid, category in sorted(rows, key=lambda r: (r[0], order.get(r[1], 99), r[1])):
        best.setdefault(pid, category)
    return best


def _survey_index(rows: list[Any]) -> dict[int, float]:
    """Per place, the area's latest 'Totalindex' (or the mean over questions that year)."""
    if not rows:
        return {}
    frame = pd.DataFrame(rows, columns=["place_id", "year", "question", "index_value"])
    latest = frame[frame["year"] == frame.groupby("place_id")["year"].transform("max")]
    total = latest[latest["question"].str.lower() == "totalindex"]
    index = (
        total.groupby("place_id")["index_value"]
        .mean()
        .combine_first(latest.groupby("place_id")["index_value"].mean())
    )
    return {int(k): float(v) for k, v in index.items()}
