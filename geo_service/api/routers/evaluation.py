"""GET the backtest of hot spot methods on the municipality's own data (PAI and PEI*)."""

from typing import Any

from fastapi import Query

from geo_service.api.deps import AggregateReader, SessionDep
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router
from geo_service.api.schemas.evidence import Evaluation
from geo_service.evidence.evaluation import evaluate_run
from geo_service.evidence.views import evaluation_body

router = api_router(tags=["evidence"], responses=TENANT_ERRORS)
ERRORS = problem_responses(
    (400, 404, 409),
    notes={
        400: "The run's events cannot be evaluated (e.g. no events)",
        404: "No completed run yet, or the run is not found",
        409: "The asked run is not completed, or has too few periods",
    },
    examples={
        400: ("no_events", "no events for this selection"),
        409: ("too_few_periods", "Run 12 has 3 periods; the backtest needs at least 4."),
    },
)


@router.get("/evaluation", response_model=Evaluation, responses=ERRORS)
def get_evaluation(
    principal: AggregateReader,
    session: SessionDep,
    run: int | None = Query(None, ge=1, le=2**62, description="Run id; default latest."),
) -> dict[str, Any]:
    """Backtest of hot spot methods (PAI, PEI*).

    Which way of picking hot spots would have caught the most of the next period's events
    here? For each of the last 12 periods of the run, every method ranks the cells with data
    from before that period only; PAI and PEI* of the top 5 % and 10 % of the area, means with
    95 % intervals, and the winner in one sentence in Swedish and English. Cached per run."""
    evaluation = evaluate_run(session, principal.tenant, run)
    body = evaluation_body(evaluation, principal.seen.suppressed, principal.seen.k)
    return {"municipality_code": principal.tenant, **body}
