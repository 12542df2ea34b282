"""/api/v1/meetings/{date}: frozen priorities (snapshots), changes since last time, lägesbild."""

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from geo_service.api.auth import Principal, audit
from geo_service.api.deps import PlaceReader, PlaceWriter, SessionDep
from geo_service.api.problems import NOT_FOUND, TENANT_ERRORS, problem_responses
from geo_service.api.reads import short_read
from geo_service.api.renderpool import cached_render, in_renderer, render_pool
from geo_service.api.routers.priorities import (
    MEETING_ERRORS,
    SETTINGS_EXAMPLE,
    Lang,
    present,
)
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import Day
from geo_service.api.schemas.priorities import Comparison, Snapshot
from geo_service.db.models import MeetingSnapshot
from geo_service.errors import NotFoundError
from geo_service.priorities import snapshots
from geo_service.priorities.fingerprint import meeting_fingerprint
from geo_service.reports.meeting import meeting_report_pdf

router = api_router(tags=["meetings"], responses=TENANT_ERRORS)


def _snapshot_out(snap: MeetingSnapshot, principal: Principal, lang: Lang) -> dict[str, Any]:
    return {
        "id": snap.id,
        "municipality_code": snap.municipality_code,
        "meeting_date": snap.meeting_date,
        "run_id": snap.run_id,
        "params": snap.params,
        "priorities": present(snap.priorities, principal, lang),
        "created_at": snap.created_at,
        "created_by": snap.created_by,
    }


@get_list(router, "/meetings", Snapshot, ex.SNAPSHOT, "List meeting snapshots")
def list_snapshots(
    session: SessionDep, principal: PlaceReader, lang: Lang = "sv"
) -> list[dict[str, Any]]:
    """All meeting snapshots of the municipality, newest first."""
    rows = session.execute(
        select(MeetingSnapshot)
        .where(MeetingSnapshot.municipality_code == principal.tenant)
        .order_by(MeetingSnapshot.meeting_date.desc())
    ).scalars()
    return [_snapshot_out(s, principal, lang) for s in rows]


@router.post(
    "/meetings/{meeting_date}/snapshot",
    response_model=Snapshot,
    status_code=201,
    responses=problem_responses(
        (400, 409, 429),
        notes={
            400: "The municipality's priority settings are invalid",
            409: "The meeting already has a snapshot, or no completed run covers it",
        },
        examples={400: SETTINGS_EXAMPLE},
    ),
)
def create_snapshot(
    meeting_date: Day, session: SessionDep, principal: PlaceWriter, lang: Lang = "sv"
) -> dict[str, Any]:
    """Freeze the meeting's priorities.

    Freeze the meeting's priorities with the run id and parameters (once; then 409)."""
    snap = snapshots.create_snapshot(session, principal.tenant, meeting_date, principal.actor)
    session.refresh(snap)
    audit(session, principal, "meeting.snapshot", f"meeting/{meeting_date}", {"id": snap.id})
    return _snapshot_out(snap, principal, lang)


@router.get("/meetings/{meeting_date}/snapshot", response_model=Snapshot, responses=NOT_FOUND)
def get_snapshot(
    meeting_date: Day, session: SessionDep, principal: PlaceReader, lang: Lang = "sv"
) -> dict[str, Any]:
    """A meeting's snapshot.

    The frozen priorities of one meeting, as they were when the snapshot was taken."""
    snap = snapshots.get_snapshot(session, principal.tenant, meeting_date)
    if snap is None:
        raise NotFoundError("meeting snapshot", meeting_date.isoformat())
    return _snapshot_out(snap, principal, lang)


@router.get(
    "/meetings/{meeting_date}/comparison", response_model=Comparison, responses=MEETING_ERRORS
)
def get_comparison(
    meeting_date: Day, session: SessionDep, principal: PlaceReader
) -> dict[str, Any]:
    """Changes since the previous meeting.

    New on the list, up, down, gone: this meeting against the previous snapshot."""
    return snapshots.comparison_for_meeting(session, principal.tenant, meeting_date)


@router.get(
    "/meetings/{meeting_date}/lagesbild.html", response_class=HTMLResponse, responses=MEETING_ERRORS
)
def lagesbild_html(
    meeting_date: Day, session: SessionDep, principal: PlaceReader, lang: Lang = "sv"
) -> HTMLResponse:
    """Lägesbild as HTML.

    The meeting's lägesbild as one self-contained printable HTML page."""
    from geo_service.reports.meeting import meeting_report_html

    html = meeting_report_html(session, principal.tenant, meeting_date, lang, principal.seen)
    return HTMLResponse(html)


@router.get(
    "/meetings/{meeting_date}/lagesbild.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The lägesbild as a PDF document",
        },
        **MEETING_ERRORS,
        **problem_responses(
            503, notes={503: "PDF rendering busy (server_busy) or unavailable, or no database"}
        ),
    },
)
async def lagesbild_pdf(
    request: Request, meeting_date: Day, principal: PlaceReader, lang: Lang = "sv"
) -> Response:
    """Lägesbild as PDF.

    The meeting's lägesbild as PDF, rendered in the bounded pool and cached per meeting,
    role and language while its data are unchanged."""
    mc = principal.tenant
    fingerprint = await short_read(request.app, lambda s: meeting_fingerprint(s, mc, meeting_date))
    key = ("lagesbild.pdf", mc, meeting_date, principal.role, lang, principal.seen.k, fingerprint)
    pool = render_pool(request.app)

    async def produce() -> bytes:
        url = request.app.state.settings.database_url
        return await in_renderer(
            pool, meeting_report_pdf, url, mc, meeting_date, lang, principal.seen
        )

    pdf = await cached_render(pool, key, produce)
    name = f"lagesbild-{mc}-{meeting_date.isoformat()}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
