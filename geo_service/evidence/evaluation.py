"""The backtest of hot spot rankings on a municipality's own data, for one analysis run.

Uses the run's events (kinds, categories, sources), period and anchor, its kind of study area
(the cells over the boundary, or active cells) and its end: the last `ORIGINS` (12) periods
before the run's end are predicted, each from the periods before it only, so the evaluation
says what each method would have caught up to that run. Cells are H3 at `RESOLUTION` (9,
about 0.1 km², the size of a hot spot patrol area) whatever the run's own resolution: at 10
the scan's replicates alone take half a minute at Perstorp scale. Cached per database, tenant
and run id: a run never changes, and a new run is a new key.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from geo_service.analysis.evaluate import COVERAGE, METHODS, MIN_TRAINING_PERIODS, backtest
from geo_service.db.models import AnalysisRun, Municipality
from geo_service.db.tenants import require_municipality
from geo_service.errors import Conflict
from geo_service.evidence.cache import cached, database_key
from geo_service.evidence.queries import run_events
from geo_service.evidence.texts import METHOD_LABELS, TEXTS, number
from geo_service.results.runs import resolve_run
from geo_service.runs.cube import boundary_cells

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ORIGINS = 12
RESOLUTION = 9
SEED = 0


@dataclass(frozen=True)
class Evaluation:
    """The run's backtest: `summary` per method and coverage, `table` per origin, the dates of
    the first and last predicted day, and the events in the predicted periods."""

    run_id: int
    summary: pd.DataFrame
    table: pd.DataFrame
    params: dict[str, Any]
    first_day: date
    last_day: date
    events: int


def _study_cells(session: Session, municipality: Municipality, run: AnalysisRun) -> list | None:
    if run.params.get("study_area") == "active":
        return None
    return boundary_cells(municipality, session.connection(), RESOLUTION) or None


def evaluate_run(session: Session, mc: str, run_id: int | None = None) -> Evaluation:
    """The backtest for the given completed run (default: the latest), cached per run."""
    municipality = require_municipality(session, mc)
    run_id = resolve_run(session, mc, run_id)
    key = ("evaluation", database_key(session), mc, run_id)
    return cached(key, lambda: _evaluate(session, municipality, run_id))


def _evaluate(session: Session, municipality: Municipality, run_id: int) -> Evaluation:
    mc = municipality.municipality_code
    run = session.get(AnalysisRun, (mc, run_id))
    assert run is not None  # resolve_run checked it
    days = int(run.params.get("period_days", 14))
    origins = min(ORIGINS, run.n_periods - MIN_TRAINING_PERIODS)
    if origins < 1:
        raise Conflict(
            "too_few_periods",
            f"Run {run_id} has {run.n_periods} periods; the backtest needs at least "
            f"{MIN_TRAINING_PERIODS + 1}.",
        )
    events = run_events(session, mc, run.params, run.period_end)
    result = backtest(
        events,
        methods=METHODS,
        coverage=COVERAGE,
        origins=origins,
        resolution=RESOLUTION,
        period=f"{days}D",
        study_cells=_study_cells(session, municipality, run),
        seed=SEED,
        anchor=run.params.get("anchor"),
        end=run.period_end,
    )
    origin_days = pd.to_datetime(result.table["origin"].unique())
    first = pd.Timestamp(origin_days.min()).tz_convert(STOCKHOLM).date()
    last = pd.Timestamp(origin_days.max()).tz_convert(STOCKHOLM).date() + timedelta(days - 1)
    per_origin = result.table.drop_duplicates("origin")
    return Evaluation(
        run_id,
        result.summary,
        result.table,
        result.params,
        first,
        last,
        int(per_origin["events"].sum()),
    )


def ranking(evaluation: Evaluation, coverage: float | None = None) -> pd.DataFrame:
    """Methods at one coverage (default the smallest), most events caught first (then PAI)."""
    summary = evaluation.summary
    share = min(summary["coverage"]) if coverage is None else coverage
    rows = summary[summary["coverage"] == share]
    return rows.sort_values(["hit_rate", "pai"], ascending=False, kind="stable")


def winner_sentence(evaluation: Evaluation, lang: str) -> str:
    """'På era egna data de senaste 12 perioderna fångade X flest händelser: PAI …'."""
    t, labels = TEXTS[lang], METHOD_LABELS[lang]
    ranked = ranking(evaluation)
    best = ranked.iloc[0]
    runner_up = ""
    if len(ranked) > 1:
        second = ranked.iloc[1]
        runner_up = t["runner_up"].format(
            pai=number(second["pai"], lang), method=labels.get(second["method"], second["method"])
        )
    return t["winner"].format(
        origins=int(evaluation.params["origins"]),
        method=labels.get(best["method"], best["method"]),
        pai=number(best["pai"], lang),
        low=number(best["pai_low"], lang),
        high=number(best["pai_high"], lang),
        coverage=f"{best['coverage'] * 100:.0f}",
        runner_up=runner_up,
    )
