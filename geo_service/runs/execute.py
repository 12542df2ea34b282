"""Run the detection for one tenant and store the run in one transaction.

A run is the emerging hot spot categories (with their trend, confirmation by the space-time
scan and the run's self-calibration), the scan's clusters and the point clusters of the last
two periods. With `resolution = auto` the engine runs at resolutions 10 → 7 and keeps the
finest whose self-measured false change labels stay low; the choice is stored with the run.
A run that fails is recorded as failed, with its error, and the error is raised again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from geo_service.analysis import EhsaResult, emerging_hotspots_from_counts
from geo_service.analysis.calibration import choose_resolution
from geo_service.analysis.cells import cells_to_int
from geo_service.analysis.cube import MIN_PERIODS
from geo_service.config import STOCKHOLM
from geo_service.db.copy import copy_frame, ensure_h3_cells
from geo_service.db.models import AnalysisRun, Municipality
from geo_service.db.tenants import require_municipality
from geo_service.errors import GeoServiceError
from geo_service.runs import cube
from geo_service.runs.clusters import (
    cluster_rows,
    recent_window,
    run_point_clusters,
    scan_outlines,
)
from geo_service.runs.params import RunParams
from geo_service.runs.schedule import period_boundary

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
    "municipality_code",
    "run_id",
    "cell",
    "category",
    "confirmed",
    "uncertain",
    "hot_share",
    "cold_share",
    "final_z",
    "final_p",
    "trend_tau",
    "trend_p",
    "trend_p_adj",
    "z_trend_tau",
    "z_trend_p",
    "count_trend_tau",
    "count_trend_p",
    "run_length",
    "total",
    "last_value",
]


PRUNE_RUNS = """
WITH kept AS (
  SELECT id, finished_at FROM analysis_run WHERE municipality_code = :mc AND status = 'completed'
  ORDER BY finished_at DESC, id DESC LIMIT :keep
)
DELETE FROM analysis_run r
WHERE r.municipality_code = :mc AND r.id NOT IN (SELECT id FROM kept) AND r.status <> 'running'
  AND NOT (r.status = 'failed' AND r.finished_at >= (SELECT min(finished_at) FROM kept))
  AND NOT EXISTS (SELECT 1 FROM meeting_snapshot s
                  WHERE s.municipality_code = r.municipality_code AND s.run_id = r.id)
"""


@dataclass(frozen=True)
class Span:
    """The periods of a run: indexes of the first and last, and their start dates."""

    first: int
    last: int
    starts: list[date]
    end: date


def run_analysis(
    session: Session,
    municipality_code: str,
    *,
    keep_runs: int | None = None,
    running_id: int | None = None,
    **overrides: Any,
) -> int:
    """Aggregate, analyse and store a completed run; returns its id. Parameters: RunParams.

    `keep_runs` prunes the tenant's older completed runs down to that many (runs cited by a
    meeting snapshot stay). `running_id` is a 'running' row made by `start_run`, which the run
    then completes (or fails). On failure the transaction is rolled back, a failed run with
    its error is committed, and the error is raised again.
    """
    municipality = require_municipality(session, municipality_code)
    params = RunParams.for_municipality(municipality, **overrides)
    try:
        return _run(session, municipality, params, keep_runs, running_id)
    except Exception as exc:
        session.rollback()
        _record_failure(session, municipality_code, params, exc, running_id)
        raise


def start_run(session: Session, municipality_code: str, **overrides: Any) -> int:
    """Commit a 'running' row for a run about to be made (what the runs list shows meanwhile);
    `run_analysis(..., running_id=...)` completes it."""
    municipality = require_municipality(session, municipality_code)
    params = RunParams.for_municipality(municipality, **overrides)
    run = _placeholder(municipality_code, params, "running")
    today = datetime.now(STOCKHOLM).date()
    # where its data will end, so that the runs list (newest data first) shows it on top
    run.period_end = _local_midnight(
        period_boundary(params.anchor, params.period_days, params.to_date or today)
    )
    session.add(run)
    session.commit()
    return run.id


INTERRUPTED = text("""
UPDATE analysis_run SET status = 'failed', finished_at = now(),
  error = 'Interrupted: the worker making this run stopped before it finished.'
WHERE municipality_code = :mc AND status = 'running'
""")


def fail_interrupted(conn: Connection, municipality_code: str) -> int:
    """Mark the tenant's 'running' runs failed (call it holding the tenant's run lock, so none
    of them is still being made); returns how many."""
    return conn.execute(INTERRUPTED, {"mc": municipality_code}).rowcount


def _run(
    session: Session,
    municipality: Municipality,
    params: RunParams,
    keep_runs: int | None,
    running_id: int | None,
) -> int:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    mc = municipality.municipality_code
    conn = session.connection()
    # Taken before the events are read, so an import committed while the run works is newer
    # than the run's watermark and makes the next run due.
    watermark = data_watermark(conn, mc)
    span = _span(conn, mc, params)
    t0 = time.perf_counter()
    result, choice = _detect(conn, municipality, params, span)
    timings["engine_s"] = time.perf_counter() - t0
    since, until = recent_window(span.end, params.period_days)
    outlines = scan_outlines(result.scan, cells_to_int(result.cells["cell"]))
    alarms = outlines[result.scan.clusters["alarm"].to_numpy(bool)] if result.scan else outlines
    points = run_point_clusters(
        cube.recent_events(conn, mc, params, since, until),
        since,
        params.cluster_method,
        params.cluster_eps_m,
        params.cluster_min_samples,
        alarms,
    )
    timings["clusters_s"] = time.perf_counter() - t0 - timings["engine_s"]
    run_id = _store(session, mc, params, span, result, choice, running_id, watermark)
    clusters = cluster_rows(mc, run_id, result.scan, outlines, points, params.cluster_method)
    copy_frame(conn, "analysis_cluster", clusters)
    timings["total_s"] = time.perf_counter() - started
    run = session.get(AnalysisRun, (mc, run_id))
    assert run is not None
    run.timings = {k: round(v, 4) for k, v in timings.items()}
    session.flush()
    if keep_runs is not None:
        _prune(conn, mc, keep_runs)
    return run_id


def _span(conn: Connection, mc: str, params: RunParams) -> Span:
    today = datetime.now(STOCKHOLM).date()
    found = cube.period_range(conn, mc, params, today)
    if found is None:
        raise GeoServiceError(
            "no_events", "No events for this selection: import data or widen the filters."
        )
    first, last = found
    if last - first + 1 < MIN_PERIODS:
        raise GeoServiceError(
            "too_few_periods",
            f"At least {MIN_PERIODS} complete periods of {params.period_days} days with data "
            f"are needed before {params.to_date or today}; the selection has "
            f"{max(last - first + 1, 0)}.",
        )
    end = cube.period_start_dates(params, last + 1, last + 1)[0]
    return Span(first, last, cube.period_start_dates(params, first, last), end)


def _detect(
    conn: Connection, municipality: Municipality, params: RunParams, span: Span
) -> tuple[EhsaResult, dict[str, Any] | None]:
    """The engine at the run's resolution, or at each of 'auto's until one passes."""

    def run_at(resolution: int) -> EhsaResult:
        counts = cube.aggregate(
            conn, municipality.municipality_code, params, span.first, span.last, resolution
        )
        study = (
            cube.boundary_cells(municipality, conn, resolution)
            if params.study_area == "boundary"
            else None
        )
        return emerging_hotspots_from_counts(
            counts.assign(period=counts["period"] - span.first),
            study_cells=study or None,
            period_starts=span.starts,
            k=params.k,
            time_lag=params.time_lag,
            alpha=params.alpha,
            fdr=params.fdr,
            global_window=params.global_window,
            permutations=params.permutations,
            seed=params.seed,
            trend=params.trend,
            calibration_runs=params.calibration_runs,
            scan_options={
                "replicates": params.scan_replicates,
                "max_radius_m": params.scan_max_radius_m,
                "alarm_days": params.alarm_days,
            },
        )

    if params.resolution != "auto":
        return run_at(params.resolution), None
    return choose_resolution(
        run_at,
        lambda r: r.calibration["false_change_labels_per_run"],  # type: ignore[index]
    )


def _store(
    session: Session,
    mc: str,
    params: RunParams,
    span: Span,
    result: EhsaResult,
    choice: dict[str, Any] | None,
    running_id: int | None,
    watermark: dict[str, Any],
) -> int:
    conn = session.connection()
    calibration = dict(result.calibration or {})
    if choice:
        calibration["resolution_choice"] = choice
    run = _own_row(session, mc, running_id)
    run.status = "completed"
    run.params = params.model_dump(mode="json") | {"engine": _jsonable(result.params)}
    run.resolution = int(result.params["resolution"])
    run.period_start = _local_midnight(span.starts[0])
    run.period_end = _local_midnight(span.end)
    run.n_periods = len(span.starts)
    run.watermark = watermark
    run.sparsity = _jsonable(result.sparsity)
    run.warnings = _jsonable(result.warnings)
    run.calibration = _jsonable(calibration)
    run.timings = {}
    run.finished_at = datetime.now(UTC)
    session.add(run)
    session.flush()
    copy_frame(conn, "analysis_bin", _bin_rows(_informative_bins(result), mc, run.id))
    cells = _cell_rows(result.cells, mc, run.id)
    copy_frame(conn, "analysis_cell", cells)
    ensure_h3_cells(conn, [cells["cell"].to_numpy(np.int64)])
    return run.id


def _own_row(session: Session, mc: str, running_id: int | None) -> AnalysisRun:
    """The 'running' row this run completes, or a new row."""
    if running_id is None:
        return AnalysisRun(municipality_code=mc)
    run = session.get(AnalysisRun, (mc, running_id))
    if run is None:
        raise GeoServiceError("run_not_found", f"No running analysis run {running_id} of {mc}.")
    return run


def _placeholder(mc: str, params: RunParams, status: str) -> AnalysisRun:
    """A run row without results; its period is the first of the parameters' calendar."""
    start = params.from_date or params.anchor
    return AnalysisRun(
        municipality_code=mc,
        status=status,
        params=params.model_dump(mode="json"),
        resolution=params.resolutions[0],
        period_start=_local_midnight(start),
        period_end=_local_midnight(start + timedelta(days=params.period_days)),
        n_periods=0,
    )


def _record_failure(
    session: Session, mc: str, params: RunParams, exc: Exception, running_id: int | None
) -> None:
    """Commit a failed run with its error and the data it saw (the 'running' row, if any)."""
    message = exc.message if isinstance(exc, GeoServiceError) else f"{type(exc).__name__}: {exc}"
    run = session.get(AnalysisRun, (mc, running_id)) if running_id is not None else None
    if run is None:
        run = _placeholder(mc, params, "failed")
        session.add(run)
    run.status = "failed"
    run.error = message[:2000]
    run.watermark = data_watermark(session.connection(), mc)
    run.finished_at = datetime.now(UTC)
    session.commit()


def latest_run(session: Session, municipality_code: str) -> AnalysisRun | None:
    """The tenant's completed run with the newest data (the last made among equals): what the
    API, tiles and QGIS read. A run made later for a past meeting does not replace it."""
    return session.execute(
        select(AnalysisRun)
        .where(
            AnalysisRun.municipality_code == municipality_code, AnalysisRun.status == "completed"
        )
        .order_by(
            AnalysisRun.period_end.desc(), AnalysisRun.finished_at.desc(), AnalysisRun.id.desc()
        )
        .limit(1)
    ).scalar_one_or_none()


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), STOCKHOLM)


def data_watermark(conn: Connection, mc: str) -> dict[str, Any]:
    """The tenant's events as a run saw them: count, newest batch, newest change."""
    row = conn.execute(
        text(
            "SELECT count(*), max(batch_id), max(updated_at) FROM event "
            "WHERE municipality_code = :mc"
        ),
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
    out = pd.DataFrame(
        {
            "municipality_code": mc,
            "run_id": run_id,
            "cell": cells_to_int(bins["cell"]),
            "period_start": bins["period_start"].map(local),
            "value": bins["value"],
            "z": bins["z"],
            "p": bins["p"],
            "hot": bins["hot"],
            "cold": bins["cold"],
        }
    )
    return out[BIN_COLUMNS]


def _cell_rows(cells: pd.DataFrame, mc: str, run_id: int) -> pd.DataFrame:
    out = cells.copy()
    out["cell"] = cells_to_int(cells["cell"])
    out["municipality_code"] = mc
    out["run_id"] = run_id
    out["last_value"] = cells["last_count"]
    return out[CELL_COLUMNS]


def _prune(conn: Connection, mc: str, keep: int) -> None:
    """Keep the last `keep` completed runs, the failed runs since the oldest of them, and runs
    cited by a meeting snapshot."""
    conn.execute(text(PRUNE_RUNS), {"mc": mc, "keep": keep})


def _jsonable(value: Any) -> Any:
    """numpy scalars and containers → plain JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
