"""Rapportör observations: POST one or many (what, where, when, severity, free text); GET them.

Reporters create observations and read only their own (`created_by` is the token); analysts,
coordinators and admins read all, and those reads are audited.
"""

from collections.abc import Callable

import pandas as pd
from fastapi import Body, Query, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.api.auth import Principal, audit
from geo_service.api.deps import STAFF, Observer, SessionDep, SettingsDep
from geo_service.api.problems import TENANT_ERRORS, problem, problem_responses
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.field import ObservationCorrection
from geo_service.api.schemas.fields import OFFSET, PathId
from geo_service.api.schemas.ingest import (
    ImportReportOut,
    ObservationIn,
    ObservationOut,
    ObservationReport,
    ObservationResult,
)
from geo_service.config import Settings
from geo_service.ingest.corrections import (
    EDIT_WINDOW,
    correct_observation,
    settled,
    withdraw_observation,
)
from geo_service.ingest.mapping import fold
from geo_service.ingest.pipeline import ImportOptions, ingest_frame
from geo_service.ingest.quarantine import quarantine_reasons
from geo_service.ingest.report import ImportReport

router = api_router(tags=["observations"], responses=TENANT_ERRORS)
MAX_ITEMS = 1000
MINE_DAYS = 30
_LIST = text("""
SELECT id, kind, category, occurred_at, severity, description, place_id, geocode_method,
       created_by, created_at, created_at + :window AS editable_until,
       CAST(attributes->>'walk_id' AS int) AS walk_id,
       ST_Y(ST_Transform(geom, 4326)) lat, ST_X(ST_Transform(geom, 4326)) lon
FROM event
WHERE municipality_code = :mc
  AND (kind = 'observation' OR (:mine AND kind = 'walk_finding'))
  AND (NOT :own OR created_by = :actor)
  AND (NOT :mine OR created_at >= now() - make_interval(days => :days))
ORDER BY occurred_at DESC, id DESC LIMIT :limit OFFSET :offset
""")
_FIELDS = (
    "client_id",
    "occurred_at",
    "category",
    "severity",
    "description",
    "lat",
    "lon",
    "north",
    "east",
    "address",
    "place",
)
_COLUMNS = {
    "client_id": "id",
    "occurred_at": "datum",
    "category": "kategori",
    "severity": "allvarlighetsgrad",
    "description": "beskrivning",
}


def source_code(principal: Principal) -> str:
    """The source observations of this caller's organisation are stored under."""
    slug = fold(principal.organisation)[:60] or "api"
    return f"rapportor_{slug}"


def scoped_client_id(principal: Principal, client_id: str | None) -> str:
    """The stored identity of a client's id: scoped to the caller's token, so that one
    reporter's id can never update another reporter's observation ('' when none is given)."""
    return f"{principal.actor}/{client_id}" if client_id else ""


def _frame(items: list[ObservationIn], principal: Principal) -> pd.DataFrame:
    """Observations as the text columns the pipeline reads (times as ISO text)."""
    rows = []
    for item in items:
        row = {}
        for name in _FIELDS:
            value = getattr(item, name)
            row[_COLUMNS.get(name, name)] = (
                ""
                if value is None
                else (value.isoformat() if name == "occurred_at" else str(value))
            )
        row["id"] = scoped_client_id(principal, item.client_id)
        rows.append(row)
    return pd.DataFrame(rows, columns=[_COLUMNS.get(f, f) for f in _FIELDS])


def _results(
    session: Session, mc: str, batch_id: int | None, indexes: list[int]
) -> list[ObservationResult]:
    """Per observation ingested (`indexes`: their places in the request): stored, or
    quarantined with the reason (the batch's rows count from 1)."""
    failed = quarantine_reasons(session.connection(), mc, batch_id) if batch_id else {}
    results = []
    for row, index in enumerate(indexes, start=1):
        code, message = failed.get(row, (None, None))
        status = "quarantined" if code is not None else "stored"
        results.append(
            ObservationResult(index=index, status=status, reason_code=code, message=message or None)
        )
    return results


def _kept(index: int) -> ObservationResult:
    return ObservationResult(
        index=index,
        status="unchanged",
        reason_code="edit_window_passed",
        message="Redan sparad för mer än 24 timmar sedan; den ändras inte av att skickas igen.",
    )


@router.post(
    "/observations",
    response_model=ObservationReport,
    status_code=201,
    responses=problem_responses(
        (413, 422, 429),
        notes={422: "Invalid request, or every observation was quarantined (see errors)"},
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        "one": {
                            "summary": "One observation at a named place",
                            "value": ex.OBSERVATION_IN,
                        },
                        "many": {
                            "summary": "A list (1 to 1000)",
                            "value": [ex.OBSERVATION_IN, ex.OBSERVATION_AT_POINT],
                        },
                    }
                }
            }
        }
    },
)
def create_observations(
    principal: Observer,
    session: SessionDep,
    settings: SettingsDep,
    payload: ObservationIn | list[ObservationIn] = Body(...),
) -> ObservationReport | JSONResponse:
    """Report observations.

    Store one observation or a list; rows that cannot be stored are kept in quarantine."""
    return store_reports(
        principal, session, settings, payload, "observation", source_code(principal)
    )


def store_reports(
    principal: Principal,
    session: Session,
    settings: Settings,
    payload: ObservationIn | list[ObservationIn],
    kind: str,
    source: str,
    after: Callable[[int], None] | None = None,
) -> ObservationReport | JSONResponse:
    """Ingest reports of one kind as one batch; `after` gets the batch id before the answer."""
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > MAX_ITEMS:
        return problem(422, "invalid_request", f"Send 1 to {MAX_ITEMS} observations.")
    mc = principal.tenant
    ids = [scoped_client_id(principal, item.client_id) for item in items]
    old = settled(session.connection(), mc, source, ids)
    fresh = [i for i, source_id in enumerate(ids) if source_id not in old]
    kept = [i for i, source_id in enumerate(ids) if source_id in old]
    report = ImportReport(municipality_code=mc, source=source, kind=kind, filename="api")
    if fresh:
        options = ImportOptions(
            municipality_code=mc,
            source=source,
            kind=kind,
            filename="api",
            created_by=principal.actor,
            settings=settings,
        )
        frame = _frame([items[i] for i in fresh], principal)
        report = ingest_frame(session.connection(), frame, options)
    report.rows_read += len(kept)
    report.unchanged += len(kept)
    if after is not None and report.batch_id is not None:
        after(report.batch_id)
    results = _results(session, mc, report.batch_id, fresh)
    results = sorted(results + [_kept(i) for i in kept], key=lambda r: r.index)
    detail = {
        "count": len(items),
        "updated": report.updated,
        "kept_after_window": len(kept),
        "quarantined": report.quarantined,
    }
    audit(session, principal, f"create_{kind}s", f"ingest_batch/{report.batch_id}", detail)
    if report.quarantined == len(items):
        return problem(
            422,
            "observation_rejected",
            "Ingen observation kunde sparas; de ligger i karantänen med orsak.",
            [r.model_dump() for r in results],
        )
    return ObservationReport(report=ImportReportOut(**report.as_dict()), results=results)


@get_list(router, "/observations", ObservationOut, ex.OBSERVATION_OUT, "List observations")
def list_observations(
    principal: Observer,
    session: SessionDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = OFFSET,
    mine: bool = Query(
        False,
        description="Only the caller's own observations and walk findings of the last "
        f"{MINE_DAYS} days, with when each stops being editable.",
    ),
) -> list[ObservationOut]:
    """Observations, newest first: a reporter's own, or all for analyst, coordinator, admin."""
    own = mine or principal.role not in STAFF
    rows = session.execute(
        _LIST,
        {
            "mc": principal.municipality_code,
            "own": own,
            "mine": mine,
            "days": MINE_DAYS,
            "window": EDIT_WINDOW,
            "actor": principal.actor,
            "limit": limit,
            "offset": offset,
        },
    ).mappings()
    out = [ObservationOut(**r) for r in rows]
    if not own:
        audit(session, principal, "read_observations", "event", {"count": len(out)})
    return out


@router.patch("/observations/{observation_id}", status_code=204, responses=problem_responses(404))
def correct(
    principal: Observer,
    session: SessionDep,
    observation_id: PathId,
    body: ObservationCorrection,
) -> Response:
    """Correct one's own observation.

    Change the category, severity, text or time of one's own observation or walk finding
    within 24 hours of sending it (audited; others' observations are not found, older ones 403)."""
    changes = body.model_dump(exclude_unset=True)
    detail = correct_observation(
        session.connection(), principal.tenant, principal.actor, observation_id, changes
    )
    audit(session, principal, "correct_observation", f"event/{observation_id}", detail)
    return Response(status_code=204)


@router.delete("/observations/{observation_id}", status_code=204, responses=problem_responses(404))
def withdraw(principal: Observer, session: SessionDep, observation_id: PathId) -> Response:
    """Withdraw one's own observation.

    Delete one's own observation or walk finding within 24 hours of sending it (audited;
    others' observations are not found, older ones 403)."""
    detail = withdraw_observation(
        session.connection(), principal.tenant, principal.actor, observation_id
    )
    audit(session, principal, "withdraw_observation", f"event/{observation_id}", detail)
    return Response(status_code=204)
