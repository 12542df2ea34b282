"""Run the emerging-hotspot engine for one tenant and store the run in one transaction."""

import time
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from geo_service.analysis import EhsaResult, emerging_hotspots_from_counts
from geo_service.analysis.cells import cells_to_int
from geo_service.config import get_settings
from geo_service.db.copy import copy_frame, ensure_h3_cells
from geo_service.db.models import AnalysisRun
from geo_service.db.tenants import require_municipality
from geo_service.errors import GeoServiceError
from geo_service.runs import cube
from geo_service.runs.params import RunParams

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BIN_COLUMNS = [
    "municipality_code",
    "run_id",
    "cell",
    "period_start",
    "value",
    "z",
    "p",
    "hot",
    "cold",
]
CELL_COLUMNS = [
    "municipality_code", "run_id", "cell", "category", "hot_share", "cold_share", "final_z",
    "final_p", "trend_tau", "trend_p", "count_trend_tau", "count_trend_p", "run_length", "total",
    "last_value",
]  # fmt: skip


def run_analysis(session: Session, municipality_code: str, **overrides: Any) -> int:
    """Aggregate, analyse and store a completed run; returns its id. Parameters: RunParams."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    municipality = require_municipality(session, municipality_code)
    params = RunParams.for_municipality(municipality, **overrides)
    conn = session.connection()
    today = datetime.now(STOCKHOLM).date()
    span = cube.period_range(conn, municipality_code, params, today)
    if span is None:
        raise GeoServiceError(
            "no_events", "No events for this selection: import data or widen the filters."
        )
    first, last = span
    counts = cube.aggregate(conn, municipality_code, params, first, last)
    starts = cube.period_start_dates(params, first, last)
    counts["period_start"] = np.asarray(starts, dtype="datetime64[D]")[counts["period"] - first]
    study = (
        cube.boundary_cells(municipality, conn, params.resolution)
        if params.study_area == "boundary"
        else None
    )
    timings["cube_s"] = time.perf_counter() - started

    t0 = time.perf_counter()
    result = emerging_hotspots_from_counts(
        counts[["cell", "period_start", "value", "events"]],
        period_starts=starts,
        study_cells=study,
        k=params.k,
        time_lag=params.time_lag,
        alpha=params.alpha,
        fdr=params.fdr,
        global_window=params.global_window,
        permutations=params.permutations,
        seed=params.seed,
    )
    timings["engine_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    run = AnalysisRun(
        municipality_code=municipality_code,
        status="completed",
        params=params.model_dump(mode="json"),
        resolution=params.resolution,
        period_start=_local_midnight(starts[0]),
        period_end=_local_midnight(cube.period_start_dates(params, last + 1, last + 1)[0]),
        n_periods=len(starts),
        watermark=_watermark(conn, municipality_code),
        sparsity=_jsonable(result.sparsity),
        warnings=_jsonable(result.warnings),
        timings={},
    )
    session.add(run)
    session.flush()
    copy_frame(
        conn, "analysis_bin", _bin_rows(_informative_bins(result), municipality_code, run.id)
    )
    cells = _cell_rows(result.cells, municipality_code, run.id)
    copy_frame(conn, "analysis_cell", cells)
    ensure_h3_cells(conn, [cells["cell"].to_numpy(np.int64)])
    timings["store_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    run.timings = {k: round(v, 4) for k, v in timings.items()}
    run.finished_at = datetime.now(UTC)
    session.flush()
    _prune(conn, municipality_code, get_settings().runs_kept)
    return run.id


def latest_run(session: Session, municipality_code: str) -> AnalysisRun | None:
    """The latest completed run of a tenant: what the API, tiles and reports read."""
    return session.execute(
        select(AnalysisRun)
        .where(
            AnalysisRun.municipality_code == municipality_code, AnalysisRun.status == "completed"
        )
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), STOCKHOLM)


def _watermark(conn: Connection, mc: str) -> dict[str, Any]:
    row = conn.execute(
        text(
            "SELECT count(*), max(batch_id), max(updated_at) FROM event "
            "WHERE municipality_code = :mc"
        ),  # fmt: skip
        {"mc": mc},
    ).one()
    return {"events": row[0], "last_batch_id": row[1], "last_change": row[2] and row[2].isoformat()}


def _informative_bins(result: EhsaResult) -> pd.DataFrame:
    """Bins of cells with any event or any significant bin; the rest are all-zero series."""
    bins = result.bins
    flagged = (
        bins.groupby("cell", sort=False, observed=True)[["value", "hot", "cold"]]
        .transform("any")
        .any(axis=1)
    )
    return bins[flagged]


def _bin_rows(bins: pd.DataFrame, mc: str, run_id: int) -> pd.DataFrame:
    starts = pd.Series(pd.unique(bins["period_start"]))
    local = {d: _local_midnight(pd.Timestamp(d).date()).isoformat() for d in starts}
    out = pd.DataFrame({
        "municipality_code": mc, "run_id": run_id, "cell": cells_to_int(bins["cell"]),
        "period_start": bins["period_start"].map(local),
        "value": bins["value"], "z": bins["z"], "p": bins["p"],
        "hot": bins["hot"], "cold": bins["cold"],
    })  # fmt: skip
    return out[BIN_COLUMNS]


def _cell_rows(cells: pd.DataFrame, mc: str, run_id: int) -> pd.DataFrame:
    out = cells.copy()
    out["cell"] = cells_to_int(cells["cell"])
    out["municipality_code"] = mc
    out["run_id"] = run_id
    out["last_value"] = cells["last_count"]
    return out[CELL_COLUMNS]


def _prune(conn: Connection, mc: str, keep: int) -> None:
    """Keep the last `keep` completed runs, and runs cited by a meeting snapshot."""
    conn.execute(
        text(
            "DELETE FROM analysis_run r WHERE municipality_code = :mc AND id NOT IN ("
            " SELECT id FROM analysis_run WHERE municipality_code = :mc AND status = 'completed'"
            " ORDER BY finished_at DESC, id DESC LIMIT :keep)"
            " AND NOT EXISTS (SELECT 1 FROM meeting_snapshot s"
            "  WHERE s.municipality_code = r.municipality_code AND s.run_id = r.id)"
        ),
        {"mc": mc, "keep": keep},
    )


def _jsonable(value: Any) -> Any:
    """numpy scalars and containers → plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
