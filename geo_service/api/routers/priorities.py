"""GET /api/v1/priorities: ranked places for an EST meeting, with components and reasons."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from geo_service.api.auth import Principal
from geo_service.api.deps import PlaceReader, SessionDep
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.reads import short_read
from geo_service.api.renderpool import cached_render, render_pool
from geo_service.api.routes import api_router
from geo_service.api.schemas.fields import Day
from geo_service.api.schemas.priorities import Priorities
from geo_service.priorities.disclosure import disclose_items
from geo_service.priorities.fingerprint import meeting_fingerprint
from geo_service.priorities.service import priorities_for_meeting

router = api_router(tags=["priorities"], responses=TENANT_ERRORS)
Lang = Literal["sv", "en"]
SETTINGS_EXAMPLE = (
    "invalid_priority_settings",
    "Priority thresholds need red ≥ yellow and baseline_periods ≥ 1.",
)
NO_RUN_EXAMPLE = (
    "no_run_for_meeting",
    "No completed analysis run covers the meeting on 2026-11-17 for municipality 1275.",
)
MEETING_ERRORS = problem_responses(
    (400, 409),
    notes={
        400: "The municipality's priority settings are invalid",
        409: "No completed run covers the meeting",
    },
    examples={400: SETTINGS_EXAMPLE, 409: NO_RUN_EXAMPLE},
)
"""What a read for a meeting can meet beyond the tenant errors: invalid priority settings, or
no completed run that covers the meeting."""


def present(items: list[dict[str, Any]], principal: Principal, lang: Lang) -> list[dict[str, Any]]:
    """The items as the caller may see them, with the reason in the asked language."""
    return [
        dict(item, reason=item[f"reason_{lang}"]) for item in disclose_items(items, principal.seen)
    ]


@router.get("/priorities", response_model=Priorities, responses=MEETING_ERRORS)
async def get_priorities(
    request: Request,
    session: SessionDep,
    principal: PlaceReader,
    meeting: Annotated[Day, Query(description="Meeting date, YYYY-MM-DD.")],
    lang: Lang = "sv",
) -> Response:
    """Ranked places for a meeting.

    Every place ranked for the meeting; ties break on place id. Kept per process while the
    data it is computed from are unchanged (the same fingerprint as the lägesbild's)."""
    mc = principal.tenant
    fingerprint = await short_read(request.app, lambda s: meeting_fingerprint(s, mc, meeting))
    key = ("priorities", mc, meeting, principal.role, lang, principal.seen.k, fingerprint)

    async def produce() -> bytes:
        return await run_in_threadpool(_priorities_json, session, principal, meeting, lang)

    data = await cached_render(render_pool(request.app), key, produce, gated=False)
    return Response(data, media_type=JSONResponse.media_type)


def _priorities_json(session: Session, principal: Principal, meeting: date, lang: Lang) -> bytes:
    result = priorities_for_meeting(session, principal.tenant, meeting)
    session.commit()
    body = vars(result) | {"priorities": present(result.items, principal, lang)}
    return Priorities.model_validate(body).model_dump_json().encode()
