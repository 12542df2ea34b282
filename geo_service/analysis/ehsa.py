"""Emerging hot spot analysis: cube → Gi* → FDR → trend → categories → confirmation.

`emerging_hotspots_from_counts` is the core the service calls with a cube aggregated in SQL;
`emerging_hotspots` aggregates a DataFrame of events into that cube first. Besides the
categories, a run confirms new and consecutive hot spots with the space-time scan (a label is
confirmed when its cell lies in a scan cluster with an alarm) and measures its own false alarms
from time permutations (see `calibration`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from geo_service.analysis import calibration as calib
from geo_service.analysis.categories import classify, final_state_run_length
from geo_service.analysis.cells import cells_at_resolution, cells_to_hex, cells_to_int
from geo_service.analysis.change import rate_change_from_cube
from geo_service.analysis.circles import cell_centroids_xy, cells_in_circles
from geo_service.analysis.cube import (
    DenseCube,
    dense_cube,
    events_to_cube,
    period_days,
)
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.fdr import benjamini_hochberg
from geo_service.analysis.getis_ord import (
    GlobalWindow,
    gi_star,
    gi_star_permutation_p,
    normal_p,
)
from geo_service.analysis.mann_kendall import TrendResult, mann_kendall
from geo_service.analysis.periods import TIMEZONE
from geo_service.analysis.scan import ScanResult, space_time_scan_from_counts
from geo_service.analysis.sparsity import cube_sparsity, permutation_warnings
from geo_service.analysis.trend import (
    TREND_SOURCES,
    CategoryTrend,
    TrendSource,
    category_trend,
    z_series_trend,
)
from geo_service.analysis.weights import spatial_weights

METHOD_VERSION = "2"
MAX_PERMUTATION_WORK = 200_000_000  # bins × permutations: about half a minute
CHANGE_STEPS = 6


@dataclass
class EhsaResult:
    """Everything a run produces; `params` is JSON-serialisable and reproduces the run.

    `scan` is the space-time scan that confirmed the new and consecutive hot spots (None when
    confirmation is off); `calibration` the run's own false-alarm measurement (None when off).
    """

    cells: pd.DataFrame
    bins: pd.DataFrame
    periods: list[pd.Timestamp]
    params: dict[str, Any]
    sparsity: dict[str, Any]
    warnings: list[dict[str, str]] = field(default_factory=list)
    scan: ScanResult | None = None
    calibration: dict[str, Any] | None = None


@dataclass(frozen=True)
class LabelOptions:
    """What turns a cube into labels: Gi* window and lag, significance and the trend source."""

    time_lag: int = 1
    global_window: GlobalWindow = "cube"
    alpha: float = 0.05
    fdr: bool = True
    trend: TrendSource = "counts"
    permutations: int = 0
    seed: int = 0


@dataclass(frozen=True)
class CubeLabels:
    """Per bin: z, p, adjusted p, hot, cold; per cell: the category trend and the category."""

    z: np.ndarray
    p: np.ndarray
    p_adj: np.ndarray
    hot: np.ndarray
    cold: np.ndarray
    trend: CategoryTrend
    category: np.ndarray


def validate_parameters(
    k: object,
    time_lag: object,
    alpha: object,
    global_window: object,
    permutations: object = 0,
    seed: object = 0,
    trend: object = "counts",
    calibration_runs: object = 0,
) -> None:
    """Raise an AnalysisError (stable code) for any out-of-range analysis parameter."""

    def is_int(x: object) -> bool:
        return isinstance(x, int | np.integer) and not isinstance(x, bool)

    if not is_int(k) or int(k) < 0:  # type: ignore[call-overload]
        raise AnalysisError("invalid_k", f"k (neighbour rings) must be an integer ≥ 0, got {k!r}")
    if not is_int(time_lag) or int(time_lag) < 0:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_time_lag", f"time_lag must be an integer ≥ 0, got {time_lag!r}"
        )
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise AnalysisError("invalid_alpha", f"alpha must be between 0 and 1, got {alpha!r}")
    if global_window not in ("cube", "step"):
        raise AnalysisError(
            "invalid_global_window",
            f"global_window must be 'cube' or 'step', got {global_window!r}",
        )
    if not is_int(permutations) or int(permutations) < 0:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_permutations", f"permutations must be an integer ≥ 0, got {permutations!r}"
        )
    if not is_int(seed):
        raise AnalysisError("invalid_seed", f"seed must be an integer, got {seed!r}")
    if trend not in TREND_SOURCES:
        raise AnalysisError("invalid_trend", f"trend must be 'counts' or 'z', got {trend!r}")
    if not is_int(calibration_runs) or not 0 <= int(calibration_runs) <= 999:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_calibration_runs",
            f"calibration_runs must be an integer 0–999, got {calibration_runs!r}",
        )


def label_cube(
    values: np.ndarray,
    weights: sp.csr_matrix,
    options: LabelOptions,
    z_trend: TrendResult | None = None,
) -> CubeLabels:
    """Gi* per bin, hot/cold after BH per step, the category trend and the category."""
    z = gi_star(values, weights, options.time_lag, options.global_window)
    if options.permutations > 0:
        p = gi_star_permutation_p(
            values,
            weights,
            options.time_lag,
            options.global_window,
            options.permutations,
            options.seed,
        )
    else:
        p = normal_p(z)
    p_adj = benjamini_hochberg(p, axis=0) if options.fdr else p
    significant = p_adj <= options.alpha
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend = category_trend(
        values, z, weights, hot, cold, options.alpha, options.trend, z_trend=z_trend
    )
    return CubeLabels(z, p, p_adj, hot, cold, trend, classify(hot, cold, trend.direction))


def _cells_frame(
    cells_hex: np.ndarray,
    cube: DenseCube,
    labels: CubeLabels,
    z_trend: TrendResult,
    confirmed: np.ndarray,
    neighbours: np.ndarray,
) -> pd.DataFrame:
    """One row per cell: category and the numbers that explain it, and the change test."""
    values, events, hot, cold = cube.values, cube.events, labels.hot, labels.cold
    count_trend = mann_kendall(values)
    integral = bool((events == np.round(events)).all())
    change = rate_change_from_cube(events, CHANGE_STEPS) if integral else None
    nan = np.full(len(cells_hex), np.nan)
    return pd.DataFrame(
        {
            "cell": cells_hex,
            "category": labels.category,
            "confirmed": confirmed,
            "uncertain": calib.uncertain_labels(labels.category, confirmed),
            "hot_share": hot.mean(axis=1),
            "cold_share": cold.mean(axis=1),
            "hot_steps": hot.sum(axis=1),
            "cold_steps": cold.sum(axis=1),
            "final_z": labels.z[:, -1],
            "final_p": labels.p[:, -1],
            "final_p_adj": labels.p_adj[:, -1],
            "run_length": final_state_run_length(hot, cold),
            "trend_tau": labels.trend.tau,
            "trend_p": labels.trend.p,
            "trend_p_adj": labels.trend.p_adj,
            "z_trend_tau": z_trend.tau,
            "z_trend_p": z_trend.p,
            "count_trend_tau": count_trend.tau,
            "count_trend_p": count_trend.p,
            "total": values.sum(axis=1),
            "events": events.sum(axis=1),
            "last_value": values[:, -1],
            "last_count": events[:, -1],
            "change_ratio": change.rate_ratio if change else nan,
            "change_ci_low": change.ci_low if change else nan,
            "change_ci_high": change.ci_high if change else nan,
            "change_p": change.p_increase if change else nan,
            "neighbours": neighbours,
        }
    )


def _bins_frame(
    cells_hex: np.ndarray,
    periods: pd.DatetimeIndex,
    values: np.ndarray,
    z: np.ndarray,
    p: np.ndarray,
    p_adj: np.ndarray,
    hot: np.ndarray,
    cold: np.ndarray,
) -> pd.DataFrame:
    """One row per cell × period, cell-major (cell as a categorical of hex strings)."""
    n_cells, n_steps = values.shape
    codes = np.repeat(np.arange(n_cells), n_steps)
    starts = periods.tz_convert("UTC").tz_localize(None).values
    return pd.DataFrame(
        {
            "cell": pd.Categorical.from_codes(codes, categories=pd.Index(cells_hex)),
            "period_start": pd.DatetimeIndex(np.tile(starts, n_cells))
            .tz_localize("UTC")
            .tz_convert(TIMEZONE),
            "value": values.ravel(),
            "z": z.ravel(),
            "p": p.ravel(),
            "p_adj": p_adj.ravel(),
            "hot": hot.ravel(),
            "cold": cold.ravel(),
        }
    )


def _check_permutation_work(bins: int, permutations: int) -> None:
    if bins * permutations > MAX_PERMUTATION_WORK:
        most = max(MAX_PERMUTATION_WORK // bins, 0)
        raise AnalysisError(
            "too_many_permutations",
            f"{permutations} permutations over {bins:,} cell-periods would take too long; "
            f"use at most {most}, or a smaller area or longer periods "
            "(permutation p-values are meant for small, sparse data)",
        )


def _scan(
    cube: DenseCube,
    events: np.ndarray,
    scan_options: Mapping[str, Any],
    null_max: np.ndarray | None = None,
) -> ScanResult:
    """The space-time scan over the cube's event counts; `null_max` reuses a run's replicates.

    Circles are centred on, and grow through, the cells with any event: an empty cell adds
    nothing to a cylinder's count or expectation, so leaving it out only drops duplicates.
    """
    row, step = np.nonzero(events)
    counts = pd.DataFrame(
        {"cell": cube.cells[row], "period": step, "events": events[row, step].astype(np.int64)}
    )
    return space_time_scan_from_counts(
        counts,
        cube.cells[cube.events.any(axis=1)],
        cube.periods,
        resolution=cube.resolution,
        period_days=period_days(cube.periods),
        null_max=null_max,
        **scan_options,
    )


def scan_areas(clusters: pd.DataFrame, cells: np.ndarray) -> list[np.ndarray]:
    """Per scan cluster, the indexes of `cells` inside its circle (centre and radius).

    The circle grows through the cells with events; the empty cells within it belong to the
    cluster's area too.
    """
    if clusters.empty:
        return []
    centres = cell_centroids_xy(cells_to_int(list(clusters["center"])))
    return cells_in_circles(cell_centroids_xy(cells), centres, clusters["radius_m"].to_numpy())


def _in_alarm(scan: ScanResult | None, cells: np.ndarray) -> np.ndarray:
    """Whether each cell lies in a scan cluster with an alarm."""
    inside = np.zeros(len(cells), dtype=bool)
    if scan is not None and not scan.clusters.empty:
        for area in scan_areas(scan.clusters[scan.clusters["alarm"]], cells):
            inside[area] = True
    return inside


def _self_calibrate(
    cube: DenseCube,
    weights: sp.csr_matrix,
    options: LabelOptions,
    scan: ScanResult | None,
    scan_options: Mapping[str, Any],
    runs: int,
) -> dict[str, Any]:
    """Label counts of `runs` time-permuted copies of the cube (see `calibration`).

    A permuted run needs the scan only when it has new or consecutive hot cells to confirm;
    it reuses the run's scan replicates, since permuting time keeps every margin the scan's
    null distribution depends on.
    """
    rows, steps, per_event = calib.cube_events(cube.values, cube.events)
    shape = cube.values.shape
    counts = []
    for values, events in calib.permuted_cubes(rows, steps, per_event, shape, runs, options.seed):
        labels = label_cube(values, weights, options)
        to_confirm = np.isin(labels.category, calib.CONFIRMABLE)
        in_alarm = np.zeros(len(cube.cells), dtype=bool)
        if scan is not None and to_confirm.any():
            in_alarm = _in_alarm(_scan(cube, events, scan_options, scan.null_max), cube.cells)
        confirmed = calib.confirmed_labels(labels.category, in_alarm)
        counts.append(calib.label_counts(labels.category, confirmed))
    return calib.summarise(np.array(counts), runs, options.seed)


def emerging_hotspots_from_counts(
    counts: pd.DataFrame,
    study_cells: Sequence[object] | None,
    period_starts: Sequence[object] | pd.DatetimeIndex,
    *,
    k: int = 1,
    time_lag: int = 1,
    alpha: float = 0.05,
    fdr: bool = True,
    global_window: GlobalWindow = "cube",
    permutations: int = 0,
    seed: int = 0,
    resolution: int | None = None,
    trend: TrendSource = "counts",
    confirm: bool = True,
    scan_options: Mapping[str, Any] | None = None,
    calibration_runs: int = calib.DEFAULT_RUNS,
) -> EhsaResult:
    """Emerging hot spots from an aggregated cube, confirmed and self-calibrated.

    `counts` has one row per non-empty bin: `cell` (H3 int64 or hex), `period_start` (one of
    `period_starts`) or `period` (its position), `value` (count or harm-weighted sum) and
    optionally `events` (the number of events, for sparsity, the scan and the change test).
    Bins not listed are true zeros. `study_cells` None means the cells in `counts` plus
    grid_disk(k). `confirm` runs the space-time scan (`scan_options` are its keyword options);
    `calibration_runs` time permutations measure the run's false alarms (0 turns it off).
    """
    validate_parameters(
        k, time_lag, alpha, global_window, permutations, seed, trend, calibration_runs
    )
    cube = dense_cube(counts, study_cells, period_starts, k=int(k), resolution=resolution)
    _check_permutation_work(cube.values.size, int(permutations))
    options = LabelOptions(
        int(time_lag), global_window, float(alpha), bool(fdr), trend, int(permutations), int(seed)
    )
    weights = spatial_weights(cube.cells, int(k))
    labels = label_cube(cube.values, weights, options)
    z_trend = z_series_trend(labels.z)
    scan_kwargs = {"seed": int(seed), **(scan_options or {})}
    scan = _scan(cube, cube.events, scan_kwargs) if confirm else None
    confirmed = calib.confirmed_labels(labels.category, _in_alarm(scan, cube.cells))
    calibration = (
        _self_calibrate(cube, weights, options, scan, scan_kwargs, int(calibration_runs))
        if calibration_runs
        else None
    )
    cells_hex = cells_to_hex(cube.cells)
    neighbours = np.asarray(weights.sum(axis=1)).ravel().astype(np.int64)
    warnings = (
        calib.calibration_warnings(calibration)
        + permutation_warnings(int(permutations), float(alpha), bool(fdr), len(cube.cells))
        + cube.warnings
    )
    return EhsaResult(
        cells=_cells_frame(cells_hex, cube, labels, z_trend, confirmed, neighbours),
        bins=_bins_frame(
            cells_hex,
            cube.periods,
            cube.values,
            labels.z,
            labels.p,
            labels.p_adj,
            labels.hot,
            labels.cold,
        ),
        periods=list(cube.periods),
        params=_params(cube, cells_hex, options, int(k), confirm, scan, calibration_runs),
        sparsity=cube_sparsity(cube.values, int(round(float(cube.events.sum())))),
        warnings=warnings,
        scan=scan,
        calibration=calibration,
    )


def _params(
    cube: DenseCube,
    cells_hex: np.ndarray,
    options: LabelOptions,
    k: int,
    confirm: bool,
    scan: ScanResult | None,
    calibration_runs: int,
) -> dict[str, Any]:
    """The effective parameters, JSON-serialisable: enough to reproduce the run."""
    return {
        "method": "emerging_hotspots",
        "method_version": METHOD_VERSION,
        "resolution": cube.resolution,
        "k": k,
        "time_lag": options.time_lag,
        "alpha": options.alpha,
        "fdr": options.fdr,
        "global_window": str(options.global_window),
        "permutations": options.permutations,
        "seed": options.seed,
        "trend": options.trend,
        "confirm": bool(confirm),
        "scan": None if scan is None else scan.params,
        "calibration_runs": int(calibration_runs),
        "study_area": cube.study_area,
        "n_cells": len(cube.cells),
        "study_cells_sha256": hashlib.sha256(",".join(cells_hex).encode()).hexdigest(),
        "n_periods": len(cube.periods),
        "period_days": period_days(cube.periods),
        "first_period_start": cube.periods[0].isoformat(),
        "last_period_start": cube.periods[-1].isoformat(),
        "timezone": TIMEZONE,
        "trend_alpha": options.alpha,
        "change_steps": CHANGE_STEPS,
    }


def emerging_hotspots(
    events: pd.DataFrame,
    *,
    resolution: int | str = 9,
    period: str | int = "14D",
    anchor: object = None,
    k: int = 1,
    time_lag: int = 1,
    alpha: float = 0.05,
    fdr: bool = True,
    global_window: GlobalWindow = "cube",
    study_cells: Sequence[object] | None = None,
    value: str | None = None,
    end: object = None,
    permutations: int = 0,
    seed: int = 0,
    trend: TrendSource = "counts",
    confirm: bool = True,
    scan_options: Mapping[str, Any] | None = None,
    calibration_runs: int = calib.DEFAULT_RUNS,
) -> EhsaResult:
    """Emerging hot spots from events: aggregate to a cube, then the core.

    Periods are `anchor + k·period` in Europe/Stockholm. `end` (exclusive) defaults to the
    Stockholm midnight after the latest event; `anchor` defaults to the date of `end`, so the
    last period ends exactly there. Steps run from the period of the earliest event to the
    last complete period (period end ≤ end); later events are left out. `resolution="auto"`
    keeps the finest resolution whose self-measured false change labels stay below 0.25 per run.
    """
    validate_parameters(
        k, time_lag, alpha, global_window, permutations, seed, trend, calibration_runs
    )
    options = {
        "k": k,
        "time_lag": time_lag,
        "alpha": alpha,
        "fdr": fdr,
        "global_window": global_window,
        "permutations": permutations,
        "seed": seed,
        "trend": trend,
        "confirm": confirm,
        "scan_options": scan_options,
        "calibration_runs": calibration_runs,
    }

    def run_at(res: int) -> EhsaResult:
        cube = events_to_cube(
            events, resolution=res, period=period, anchor=anchor, end=end, value=value
        )
        study = None if study_cells is None else cells_at_resolution(study_cells, res)
        result = emerging_hotspots_from_counts(
            cube.counts, study, cube.period_starts, resolution=res, **options
        )
        result.warnings.extend(cube.notices())
        result.params.update({**cube.params(), "value": value})
        return result

    if resolution != "auto":
        return run_at(resolution)  # type: ignore[arg-type]
    if not calibration_runs:
        raise AnalysisError(
            "invalid_resolution", "resolution='auto' needs calibration_runs > 0 to choose"
        )
    result, choice = calib.choose_resolution(
        run_at,
        lambda r: r.calibration["false_change_labels_per_run"],  # type: ignore[index]
    )
    result.params["resolution_choice"] = choice
    return result
