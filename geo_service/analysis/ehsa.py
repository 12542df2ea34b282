"""Emerging hot spot analysis: cube → Gi* → FDR → Mann–Kendall → categories (METHODS.md §1–4, §8).

`emerging_hotspots_from_counts` is the core the service calls with a cube aggregated in SQL;
`emerging_hotspots` is a thin wrapper that aggregates a DataFrame of events into that cube.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo_service.analysis.categories import classify, final_state_run_length
from geo_service.analysis.cells import (
    cells_to_hex,
    factorize_cells,
    grid_disk_cells,
    validate_resolution,
)
from geo_service.analysis.change import rate_change_from_cube
from geo_service.analysis.cube import MIN_PERIODS, check_resolution, events_to_cube
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.fdr import benjamini_hochberg
from geo_service.analysis.getis_ord import (
    GlobalWindow,
    gi_star,
    gi_star_permutation_p,
    normal_p,
)
from geo_service.analysis.mann_kendall import mann_kendall, trend_direction
from geo_service.analysis.periods import TIMEZONE
from geo_service.analysis.sparsity import (
    cube_sparsity,
    permutation_warnings,
    sparsity_warnings,
)
from geo_service.analysis.weights import spatial_weights

METHOD_VERSION = "1"
MAX_PERMUTATION_WORK = 200_000_000  # bins × permutations: about half a minute
CHANGE_STEPS = 6
_Z_DECIMALS = 9  # z equal to 9 decimals are ties for Mann–Kendall (guards float noise)


@dataclass
class EhsaResult:
    """Everything a run produces; `params` is JSON-serialisable and reproduces the run."""

    cells: pd.DataFrame
    bins: pd.DataFrame
    periods: list[pd.Timestamp]
    params: dict[str, Any]
    sparsity: dict[str, Any]
    warnings: list[dict[str, str]] = field(default_factory=list)


def validate_parameters(
    k: object,
    time_lag: object,
    alpha: object,
    global_window: object,
    permutations: object = 0,
    seed: object = 0,
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


def _as_local_periods(values: object) -> pd.DatetimeIndex:
    """Period starts as a Europe/Stockholm DatetimeIndex; naive values are local times."""
    idx = pd.DatetimeIndex(pd.to_datetime(values))
    return idx.tz_localize(TIMEZONE) if idx.tz is None else idx.tz_convert(TIMEZONE)


def _period_positions(counts: pd.DataFrame, periods: pd.DatetimeIndex) -> np.ndarray:
    """Position of each counts row in `periods` (−1 if outside), from `period` or `period_start`."""
    if "period" in counts.columns:
        pos = counts["period"].to_numpy(dtype=np.int64)
        return np.where((pos >= 0) & (pos < len(periods)), pos, -1)
    if "period_start" not in counts.columns:
        raise AnalysisError(
            "invalid_counts", "counts need a 'period_start' (or integer 'period') column"
        )
    return periods.get_indexer(_as_local_periods(counts["period_start"]))


def _period_days(periods: pd.DatetimeIndex) -> int | None:
    """The common length of the periods in local calendar days, if they share one."""
    days = np.diff(periods.tz_localize(None).values.astype("datetime64[D]").astype(np.int64))
    return int(days[0]) if len(days) and (days == days[0]).all() else None


def _study_area(
    count_cells: np.ndarray, study_cells: Sequence[object] | None, k: int
) -> tuple[np.ndarray, str]:
    """Sorted int64 study cells and how they were chosen (METHODS.md §1)."""
    if study_cells is None:
        return grid_disk_cells(count_cells, k), "active"
    given = study_cells if isinstance(study_cells, np.ndarray | pd.Series) else list(study_cells)
    cells = np.unique(factorize_cells(given)[1])
    if len(cells) == 0:
        raise AnalysisError("empty_study_area", "the study area has no cells")
    return cells, "given"


def _warning(code: str, sv: str, en: str) -> dict[str, str]:
    return {"code": code, "message_sv": sv, "message_en": en}


def _cube_from_counts(
    counts: pd.DataFrame,
    codes: np.ndarray,
    count_cells: np.ndarray,
    cells: np.ndarray,
    periods: pd.DatetimeIndex,
) -> tuple[np.ndarray, np.ndarray, list[dict[str, str]]]:
    """Dense (cells × periods) value and event-count matrices; rows outside are dropped.

    `codes` index each counts row into the distinct `count_cells`; `cells` is the study area.
    """
    values = counts["value"].to_numpy(dtype=np.float64)
    events = counts["events"].to_numpy(dtype=np.float64) if "events" in counts.columns else values
    if not np.isfinite(values).all() or not np.isfinite(events).all():
        raise AnalysisError("invalid_value", "counts contain missing or infinite values")
    found = np.minimum(np.searchsorted(cells, count_cells), len(cells) - 1)
    row = found[codes]
    in_area = (cells[found] == count_cells)[codes]
    col = _period_positions(counts, periods)
    in_time = col >= 0
    warnings = []
    if not in_area.all():
        n_out = int(events[~in_area].sum())
        warnings.append(
            _warning(
                "outside_study_area",
                f"{n_out} händelser ligger utanför analysområdet och räknas inte.",
                f"{n_out} events lie outside the study area and are not counted.",
            )
        )
    if not in_time.all():
        n_out = int(events[in_area & ~in_time].sum())
        if n_out:
            warnings.append(
                _warning(
                    "outside_periods",
                    f"{n_out} händelser ligger utanför analysens perioder och räknas inte.",
                    f"{n_out} events fall outside the analysed periods and are not counted.",
                )
            )
    keep = in_area & in_time
    flat = row[keep] * len(periods) + col[keep]
    size = len(cells) * len(periods)
    shape = (len(cells), len(periods))
    value_cube = np.bincount(flat, weights=values[keep], minlength=size).reshape(shape)
    event_cube = np.bincount(flat, weights=events[keep], minlength=size).reshape(shape)
    return value_cube, event_cube, warnings


def _cells_frame(
    cells_hex: np.ndarray,
    values: np.ndarray,
    event_cube: np.ndarray,
    z: np.ndarray,
    p: np.ndarray,
    p_adj: np.ndarray,
    hot: np.ndarray,
    cold: np.ndarray,
    alpha: float,
    neighbours: np.ndarray,
) -> pd.DataFrame:
    """One row per cell: category and the numbers that explain it (METHODS.md §4, §8)."""
    n_steps = values.shape[1]
    z_trend = mann_kendall(np.round(z, _Z_DECIMALS))
    count_trend = mann_kendall(values)
    category = classify(hot, cold, trend_direction(z_trend, alpha))
    integral = bool((event_cube == np.round(event_cube)).all())
    change = rate_change_from_cube(event_cube, CHANGE_STEPS) if integral else None
    nan = np.full(len(cells_hex), np.nan)
    return pd.DataFrame(
        {
            "cell": cells_hex,
            "category": category,
            "hot_share": hot.sum(axis=1) / n_steps,
            "cold_share": cold.sum(axis=1) / n_steps,
            "hot_steps": hot.sum(axis=1),
            "cold_steps": cold.sum(axis=1),
            "final_z": z[:, -1],
            "final_p": p[:, -1],
            "final_p_adj": p_adj[:, -1],
            "run_length": final_state_run_length(hot, cold),
            "trend_tau": z_trend.tau,
            "trend_z": z_trend.z,
            "trend_p": z_trend.p,
            "count_trend_tau": count_trend.tau,
            "count_trend_p": count_trend.p,
            "total": values.sum(axis=1),
            "events": event_cube.sum(axis=1),
            "last_value": values[:, -1],
            "last_count": event_cube[:, -1],
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
) -> EhsaResult:
    """Emerging hot spots from an aggregated cube (METHODS.md §1–4, §8).

    `counts` has one row per non-empty bin: `cell` (H3 int64 or hex), `period_start` (one of
    `period_starts`) or `period` (its position), `value` (count or harm-weighted sum) and
    optionally `events` (the number of events, for sparsity and the change test). Bins not
    listed are true zeros. `study_cells` None means the cells in `counts` plus grid_disk(k).
    """
    validate_parameters(k, time_lag, alpha, global_window, permutations, seed)
    if resolution is not None:
        resolution = validate_resolution(resolution)
    missing = {"cell", "value"} - set(counts.columns)
    if missing:
        raise AnalysisError("invalid_counts", f"counts lack columns: {sorted(missing)}")
    periods = _as_local_periods(list(period_starts))
    if len(periods) < MIN_PERIODS:
        raise AnalysisError(
            "too_few_periods",
            f"at least {MIN_PERIODS} complete periods are needed, the selection has {len(periods)}",
        )
    if not periods.is_monotonic_increasing or not periods.is_unique:
        raise AnalysisError("invalid_periods", "period starts must be strictly increasing")
    if len(counts) == 0:
        raise AnalysisError("no_events", "no events for this selection")

    codes, count_cells = factorize_cells(counts["cell"])
    cells, study_area = _study_area(count_cells, study_cells, int(k))
    res = check_resolution(np.union1d(cells, count_cells), resolution)
    values, event_cube, warnings = _cube_from_counts(counts, codes, count_cells, cells, periods)
    n_events = float(event_cube.sum())
    if n_events <= 0 and not values.any():
        raise AnalysisError("no_events", "no events for this selection")

    if values.size * int(permutations) > MAX_PERMUTATION_WORK:
        most = max(MAX_PERMUTATION_WORK // values.size, 0)
        raise AnalysisError(
            "too_many_permutations",
            f"{permutations} permutations over {values.size:,} cell-periods would take too long; "
            f"use at most {most}, or a smaller area or longer periods "
            "(permutation p-values are meant for small, sparse data)",
        )
    w = spatial_weights(cells, int(k))
    z = gi_star(values, w, int(time_lag), global_window)
    if permutations > 0:
        p = gi_star_permutation_p(
            values, w, int(time_lag), global_window, int(permutations), int(seed)
        )
    else:
        p = normal_p(z)
    p_adj = benjamini_hochberg(p, axis=0) if fdr else p
    significant = p_adj <= alpha
    hot = significant & (z > 0)
    cold = significant & (z < 0)

    cells_hex = cells_to_hex(cells)
    neighbours = np.asarray(w.sum(axis=1)).ravel().astype(np.int64)
    sparsity = cube_sparsity(values, int(round(n_events)))
    warnings = (
        sparsity_warnings(sparsity, int(permutations))
        + permutation_warnings(int(permutations), float(alpha), bool(fdr), len(cells))
        + warnings
    )
    params: dict[str, Any] = {
        "method": "emerging_hotspots",
        "method_version": METHOD_VERSION,
        "resolution": res,
        "k": int(k),
        "time_lag": int(time_lag),
        "alpha": float(alpha),
        "fdr": bool(fdr),
        "global_window": str(global_window),
        "permutations": int(permutations),
        "seed": int(seed),
        "study_area": study_area,
        "n_cells": len(cells),
        "study_cells_sha256": hashlib.sha256(",".join(cells_hex).encode()).hexdigest(),
        "n_periods": len(periods),
        "period_days": _period_days(periods),
        "first_period_start": periods[0].isoformat(),
        "last_period_start": periods[-1].isoformat(),
        "timezone": TIMEZONE,
        "trend_alpha": float(alpha),
        "change_steps": CHANGE_STEPS,
    }
    return EhsaResult(
        cells=_cells_frame(
            cells_hex, values, event_cube, z, p, p_adj, hot, cold, alpha, neighbours
        ),
        bins=_bins_frame(cells_hex, periods, values, z, p, p_adj, hot, cold),
        periods=list(periods),
        params=params,
        sparsity=sparsity,
        warnings=warnings,
    )


def emerging_hotspots(
    events: pd.DataFrame,
    resolution: int = 9,
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
) -> EhsaResult:
    """Emerging hot spots from events (METHODS.md §1–4): aggregate to a cube, then the core.

    Periods are `anchor + k·period` in Europe/Stockholm. `end` (exclusive) defaults to the
    Stockholm midnight after the latest event; `anchor` defaults to the date of `end`, so the
    last period ends exactly there. Steps run from the period of the earliest event to the
    last complete period (period end ≤ end); later events are left out.
    """
    validate_parameters(k, time_lag, alpha, global_window, permutations, seed)
    cube = events_to_cube(
        events,
        resolution=resolution,
        period=period,
        anchor=anchor,
        end=end,
        value=value,
        min_periods=MIN_PERIODS,
    )
    result = emerging_hotspots_from_counts(
        cube.counts,
        study_cells,
        cube.period_starts,
        k=k,
        time_lag=time_lag,
        alpha=alpha,
        fdr=fdr,
        global_window=global_window,
        permutations=permutations,
        seed=seed,
        resolution=resolution,
    )
    no_time = cube.missing_time
    if no_time:
        result.warnings.append(
            _warning(
                "missing_time",
                f"{no_time} händelser saknar tidpunkt och räknas inte.",
                f"{no_time} events have no time and are not counted.",
            )
        )
    result.params.update(
        {
            "period": f"{cube.days}D",
            "period_days": cube.days,
            "anchor": cube.anchor.isoformat(),
            "end": cube.end.isoformat(),
            "value": value,
            "events_left_out": cube.left_out,
        }
    )
    return result
