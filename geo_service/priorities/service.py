"""Priorities for a meeting: pick the analysis run that covers it, score every place."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_service.config import STOCKHOLM, TIMEZONE
from geo_service.db.models import AnalysisRun
from geo_service.db.tenants import require_municipality
from geo_service.errors import Conflict, NotFoundError
from geo_service.priorities.config import config_from_settings
from geo_service.priorities.inputs import category_labels, current_period, place_inputs
from geo_service.priorities.scoring import score_places
from geo_service.runs import run_analysis


@dataclass
class MeetingPriorities:
    """The ranked places for one meeting, with the run and parameters that produced them."""

    municipality_code: str
    meeting_date: date
    run_id: int
    period_start: datetime
    period_end: datetime
    period_days: int
    params: dict[str, Any]
    items: list[dict[str, Any]]
    warnings: list[Any] = field(default_factory=list)


def run_for_meeting(session: Session, mc: str, meeting: date) -> AnalysisRun:
    """The latest completed run whose last period ends within the period before the meeting,
    made now (seconds for a municipality) when there is none.

    A meeting on day D reviews the last complete period, so the run's data must end on or
    before D and less than one period length before it.
    """
    municipality = require_municipality(session, mc)
    earliest = meeting - timedelta(days=municipality.period_length_days - 1)
    run = _covering_run(session, mc, earliest, meeting)
    if run is None:
        run_analysis(session, mc, to_date=meeting)
        run = _covering_run(session, mc, earliest, meeting)
    if run is None:
        raise Conflict(
            "no_run_for_meeting",
            f"No analysis run can cover the meeting on {meeting.isoformat()} for municipality "
            f"{mc}: its data would have to end between {earliest.isoformat()} and "
            f"{meeting.isoformat()}, and the municipality's periods do not end there.",
        )
    return run


def _covering_run(session: Session, mc: str, earliest: date, meeting: date) -> AnalysisRun | None:
    return session.execute(
        select(AnalysisRun)
        .where(
            AnalysisRun.municipality_code == mc,
            AnalysisRun.status == "completed",
            text(
                "(analysis_run.period_end AT TIME ZONE :tz)::date BETWEEN :earliest AND :meeting"
            ).bindparams(tz=TIMEZONE, earliest=earliest, meeting=meeting),
        )
        .order_by(AnalysisRun.finished_at.desc().nulls_last(), AnalysisRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def priorities_for_meeting(session: Session, mc: str, meeting: date) -> MeetingPriorities:
    """Every place of the tenant ranked for the meeting, from the run that covers it."""
    return _ranked(session, mc, run_for_meeting(session, mc, meeting), meeting)


def meeting_of_run(run: AnalysisRun) -> date:
    """The EST meeting that reviews a run: the day after its data end (as the dashboard shows)."""
    return run.period_end.astimezone(STOCKHOLM).date() + timedelta(days=1)


def priorities_for_run(session: Session, mc: str, run_id: int) -> MeetingPriorities:
    """Every place ranked from a given run, for the meeting that reviews it (the places tiles)."""
    run = session.get(AnalysisRun, (mc, run_id))
    if run is None:
        raise NotFoundError("analysis run", run_id)
    return _ranked(session, mc, run, meeting_of_run(run))


def _ranked(session: Session, mc: str, run: AnalysisRun, meeting: date) -> MeetingPriorities:
    municipality = require_municipality(session, mc)
    config = config_from_settings(municipality.settings)
    start, end, days = current_period(run)
    inputs = place_inputs(session, mc, run, meeting, config)
    items = score_places(inputs, config, category_labels(session, mc), days)
    return MeetingPriorities(
        municipality_code=mc,
        meeting_date=meeting,
        run_id=run.id,
        period_start=start,
        period_end=end,
        period_days=days,
        params={"priorities": config.as_dict(), "run": run.params},
        items=items,
        warnings=list(run.warnings or []),
    )
