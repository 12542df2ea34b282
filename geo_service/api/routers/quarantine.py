"""The quarantine: rows that could not be stored, their reasons, and retrying them."""

from fastapi import Query

from geo_service.api.auth import audit
from geo_service.api.deps import SessionDep, Staff
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router, get_list
from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import BIGINT_ID_MAX, OFFSET
from geo_service.api.schemas.ingest import ImportReportOut, QuarantineRow
from geo_service.ingest.quarantine import list_quarantine
from geo_service.ingest.retry import retry_quarantine

router = api_router(tags=["quarantine"], responses=TENANT_ERRORS)


@get_list(router, "/quarantine", QuarantineRow, ex.QUARANTINE_ROW, "List quarantined rows")
def get_quarantine(
    principal: Staff,
    session: SessionDep,
    batch_id: int | None = Query(None, ge=1, le=BIGINT_ID_MAX),
    reason_code: str | None = Query(None, max_length=40),
    include_resolved: bool = False,
    limit: int = Query(100, ge=1, le=5000),
    offset: int = OFFSET,
) -> list[QuarantineRow]:
    """Quarantined rows (text redacted), newest import first; the read is audited."""
    rows = list_quarantine(
        session.connection(),
        principal.tenant,
        batch_id,
        reason_code,
        include_resolved,
        limit,
        offset,
    )
    audit(session, principal, "read_quarantine", "quarantine", {"count": len(rows)})
    return [QuarantineRow(**r) for r in rows]


@router.post(
    "/quarantine/retry",
    response_model=list[ImportReportOut],
    responses={
        200: ex.json_example([ex.IMPORT_REPORT]),
        **problem_responses(429),
    },
)
def post_retry(
    principal: Staff,
    session: SessionDep,
    batch_id: int | None = Query(None, ge=1, le=BIGINT_ID_MAX),
    reason_code: str | None = Query(None, max_length=40),
) -> list[ImportReportOut]:
    """Retry quarantined rows.

    Run unresolved quarantined rows through the pipeline again; one report per old import."""
    reports = retry_quarantine(
        session.connection(), principal.tenant, batch_id, reason_code, created_by=principal.actor
    )
    audit(session, principal, "retry_quarantine", "quarantine", {"batches": len(reports)})
    return [ImportReportOut(**r.as_dict()) for r in reports]
