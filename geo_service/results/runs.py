"""Which analysis run a tile or hotspot request reads: the latest completed one, or a given one."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.errors import Conflict, NotFound, NotFoundError
from geo_service.runs import latest_run

_GIVEN = text("SELECT status FROM analysis_run WHERE municipality_code = :mc AND id = :run")


def resolve_run(session: Session, mc: str, run_id: int | None) -> int:
    """The given run if it is the tenant's and completed, else the latest; errors say why not."""
    if run_id is None:
        found = latest_run(session, mc)
        if found is None:
            raise NotFound(
                "no_completed_run",
                f"Municipality {mc} has no completed analysis run yet; start one first.",
            )
        return found.id
    status = session.execute(_GIVEN, {"mc": mc, "run": run_id}).scalar()
    if status is None:
        raise NotFoundError("analysis run", run_id)
    if status != "completed":
        raise Conflict("run_not_completed", f"Analysis run {run_id} is {status}, not completed.")
    return run_id
