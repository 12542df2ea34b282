"""Which analysis run a tile or hotspot request reads: the latest completed one, or a given one."""

from sqlalchemy import Connection, text

from geo_service.errors import Conflict, NotFound, NotFoundError

_LATEST = text(
    "SELECT id FROM analysis_run WHERE municipality_code = :mc AND status = 'completed' "
    "ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1"
)
_GIVEN = text("SELECT status FROM analysis_run WHERE municipality_code = :mc AND id = :run")


def latest_run_id(conn: Connection, mc: str) -> int | None:
    """The tenant's latest completed run (by finished_at), or None."""
    return conn.execute(_LATEST, {"mc": mc}).scalar()


def resolve_run(conn: Connection, mc: str, run_id: int | None) -> int:
    """The given run if it is the tenant's and completed, else the latest; errors say why not."""
    if run_id is None:
        found = latest_run_id(conn, mc)
        if found is None:
            raise NotFound(
                "no_completed_run",
                f"Municipality {mc} has no completed analysis run yet; start one first.",
            )
        return found
    status = conn.execute(_GIVEN, {"mc": mc, "run": run_id}).scalar()
    if status is None:
        raise NotFoundError("analysis run", run_id)
    if status != "completed":
        raise Conflict("run_not_completed", f"Analysis run {run_id} is {status}, not completed.")
    return run_id
