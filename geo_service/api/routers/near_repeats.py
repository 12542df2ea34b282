"""GET near repeats per category group: the Knox band table and one sentence in words."""

from datetime import timedelta
from typing import Any

from fastapi import Query

from geo_service.api.deps import AggregateReader, SessionDep
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router
from geo_service.api.schemas.evidence import NearRepeatList
from geo_service.api.schemas.fields import Day
from geo_service.evidence.groups import GROUPS, GroupCode, get_group
from geo_service.evidence.near_repeats import PERMUTATIONS, SEED, near_repeats, window
from geo_service.evidence.views import near_repeat_group
from geo_service.privacy import refuse_narrowing

router = api_router(tags=["evidence"], responses=TENANT_ERRORS)
ERRORS = problem_responses(
    (400, 404),
    notes={
        400: "The window ends before it starts",
        404: "Unknown municipality",
    },
    examples={
        400: (
            "invalid_window",
            "The window must start before it ends, got 2026-11-15 – 2026-01-01.",
        )
    },
)


@router.get("/near-repeats", response_model=NearRepeatList, responses=ERRORS)
def get_near_repeats(
    principal: AggregateReader,
    session: SessionDep,
    group: GroupCode | None = Query(None, description="One category group; default all."),
    from_: Day | None = Query(
        None, alias="from", description="First day (Stockholm); default a year before `to`."
    ),
    to: Day | None = Query(
        None, description="Last day, inclusive; default the day of the latest event."
    ),
) -> dict[str, Any]:
    """Near repeats per category group (Knox).

    After an event of a group, how much more often does another follow within each distance
    band × time band than where and when alone would give? Observed and expected pairs, the
    ratio, the permutation p (999 seeded permutations of the events' times) and its
    Benjamini–Hochberg adjustment, and one sentence in Swedish and English. Computed once per
    data version and cached. Viewers, reporters and anonymous callers read the default year
    (`from`/`to` are 403 `parameter_not_allowed` for them)."""
    refuse_narrowing(principal.seen, **{"from": from_, "to": to})
    groups = [get_group(group)] if group else list(GROUPS)
    start, stop = window(session, principal.tenant, from_, to)
    results = [near_repeats(session, principal.tenant, g, start, stop) for g in groups]
    k = principal.seen.k
    return {
        "municipality_code": principal.tenant,
        "start": start,
        "end": stop - timedelta(days=1),
        "permutations": PERMUTATIONS,
        "seed": SEED,
        "groups": [near_repeat_group(r, principal.seen.suppressed, k) for r in results],
    }
