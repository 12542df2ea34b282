"""Analysis runs: list, detail and start (the engine lives in geo_service.runs)."""

from typing import Any

from fastapi import Path, Query
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from geo_service.api.auth import (
    audit,
)
from geo_service.api.deps import AggregateReader, SessionDep, SettingsDep, Staff
from geo_service.api.problems import NOT_FOUND, TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.serving import RunDetail, RunList, RunRequest, RunSummary
from geo_service.db.constants import RUN_STATUSES
from geo_service.db.models import AnalysisRun
from geo_service.errors import NotFoundError, Unavailable, Unprocessable

router = api_router(tags=["runs"], responses=TENANT_ERRORS)
RUN_ID = Path(ge=1, le=2**62, description="Analysis run id.")


@router.get("/runs", response_model=RunList)
def list_runs(
    principal: AggregateReader,
    session: SessionDep,
    status: str | None = Query(None, pattern="^(" + "|".join(RUN_STATUSES) + ")$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**7),
) -> RunList:
    """List analysis runs.

    The municipality's runs, newest data first (the first completed one is what the map shows;
    a run made later for a past meeting sorts by its data)."""
    where = [AnalysisRun.municipality_code == principal.municipality_code]
    if status:
        where.append(AnalysisRun.status == status)
    total = session.scalar(select(func.count()).select_from(AnalysisRun).where(*where)) or 0
    runs = session.scalars(
        select(AnalysisRun)
        .where(*where)
        .order_by(AnalysisRun.period_end.desc(), AnalysisRun.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    items = [RunSummary.model_validate(r) for r in runs]
    return RunList(total=total, limit=limit, offset=offset, items=items)


_CATEGORIES = text(
    "SELECT category, count(*) FROM analysis_cell WHERE municipality_code = :mc "
    "AND run_id = :run GROUP BY 1 ORDER BY 1"
)


def run_detail(session: Session, municipality_code: str, run_id: int) -> RunDetail:
    """A run of the tenant with its cell counts per category, or not found."""
    run = session.get(AnalysisRun, (municipality_code, run_id))
    if run is None:
        raise NotFoundError("analysis run", run_id)
    counts = session.execute(_CATEGORIES, {"mc": municipality_code, "run": run_id}).all()
    detail = RunDetail.model_validate(run)
    detail.categories = {category: cells for category, cells in counts}
    return detail


@router.get("/runs/{run_id}", response_model=RunDetail, responses=NOT_FOUND)
def get_run(principal: AggregateReader, session: SessionDep, run_id: int = RUN_ID) -> RunDetail:
    """One analysis run.

    One run with its parameters, warnings, timings and cells per category; without the
    run's event totals for viewers, reporters and anonymous callers."""
    detail = run_detail(session, principal.municipality_code, run_id)
    return without_totals(detail) if principal.seen.suppressed else detail


RUN_TOTALS = ("events", "mean_value_per_bin", "mean_events_per_bin")
"""The run's event total and what gives it back: left out for suppressed roles, because the
total minus the visible cells' totals would give the hidden cells' sum back."""


def without_totals(detail: RunDetail) -> RunDetail:
    detail.watermark = {k: v for k, v in detail.watermark.items() if k not in RUN_TOTALS}
    detail.sparsity = {k: v for k, v in detail.sparsity.items() if k not in RUN_TOTALS}
    return detail


@router.post(
    "/runs",
    response_model=RunDetail,
    status_code=201,
    responses=problem_responses(
        (400, 413, 429, 503),
        notes={400: "No events for this selection", 503: "Analysis engine or database unavailable"},
        examples={
            400: ("no_events", "No events for this selection: import data or widen the filters.")
        },
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        "defaults": {"summary": "The municipality's defaults", "value": {}},
                        "filtered": {
                            "summary": "Graffiti and vandalism, 26 periods",
                            "value": ex.RUN_REQUEST,
                        },
                    }
                }
            }
        }
    },
)
def start_run(
    principal: Staff, session: SessionDep, settings: SettingsDep, body: RunRequest | None = None
) -> RunDetail:
    """Start an analysis run.

    Run the hotspot analysis now (seconds for a municipality) and return the finished run."""
    try:
        from geo_service.runs import run_analysis
    except ImportError:
        raise Unavailable(
            "analysis_unavailable", "The analysis engine is not available yet."
        ) from None
    params: dict[str, Any] = body.model_dump(exclude_none=True) if body else {}
    try:
        run_id = run_analysis(
            session, principal.municipality_code, keep_runs=settings.runs_kept, **params
        )
    except TypeError as exc:  # a parameter the engine does not take
        raise Unprocessable("invalid_run_parameter", str(exc)) from None
    audit(session, principal, "run.start", f"analysis_run/{run_id}", params)
    session.flush()
    return run_detail(session, principal.municipality_code, run_id)
