"""The prospective space-time permutation scan: is something new clustering right now?

Counts c[z, d] per cell z and period d, C events in all. Without population data, the expected
count of a cell and period comes from the margins: μ[z, d] = n_z · n_d / C, with n_z the cell's
total and n_d the period's total. A cylinder A is a circle of cells (a centre cell and its
nearest cells, within `max_radius_m` and at most `max_share` of all events) over a time window
that ends at the last period (1 … `max_steps` periods). With c_A observed and μ_A expected,

    LLR_A = c_A ln(c_A / μ_A) + (C − c_A) ln((C − c_A) / (C − μ_A))   if c_A > μ_A, else 0,

and a cylinder needs c_A ≥ 2. The scan statistic is the largest LLR over all cylinders. Its
null distribution comes from R replicates that shuffle the periods of the events while every
event keeps its cell; p = (1 + #{replicate maxima ≥ LLR}) / (R + 1). Secondary clusters are
the next best cylinders that share no cell with a cluster already reported, each with its p
against the same maxima. The recurrence interval `period_days / p` says how often a cluster this
strong would appear by chance if the analysis runs once per period; it raises an alarm at
`alarm_days` (default a year) or more (Kulldorff et al. 2005, PLoS Med 2(3):e59).

Speed: shuffling time keeps n_z and n_d, so every cylinder's μ is the same in all replicates.
With F[c] = c ln(c/C) + (C − c) ln(1 − c/C) tabulated over integers,

    LLR_A = F[c_A] − C ln(1 − μ_A/C) − c_A · ln(μ_A / (C − μ_A)),

so a replicate only needs the counts c_A: window counts per cell, gathered along each centre's
neighbour list and summed cumulatively. A replicate's maximum only depends on the cylinders
above a level that the first replicates show to be well below it, so each cylinder's smallest
count reaching that level is precomputed and the others are skipped; a replicate that finds
nothing above the level is recomputed in full, so every maximum is exact.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo_service.analysis.cells import cells_to_hex
from geo_service.analysis.circles import cell_centroids_xy, nearest_within
from geo_service.analysis.cube import DenseCube, dense_cube, events_to_cube
from geo_service.analysis.cube import period_days as period_length
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.periods import TIMEZONE

METHOD_VERSION = "1"
MAX_WINDOW_DAYS = 84  # the longest time window: 12 weeks
MAX_CYLINDERS = 25_000_000  # memory: about 30 bytes per cylinder
MAX_WORK = 30_000_000_000  # cylinders × replicates: a few minutes
PILOT_REPLICATES = 4
BATCH_ELEMENTS = 3_000_000  # cylinder counts per batch of replicates
BLOCK_ELEMENTS = 250_000  # cylinder counts per block of centres (about 0.5 MB)
MIN_BLOCK_CENTRES = 1024
# Replicates can run on several threads (numpy releases the GIL for the heavy steps), but on a
# shared 2-CPU machine a second thread measured no faster: the counting is memory-bound.
THREADS = 1
THREAD_WORK = 50_000_000  # cylinder counts over all replicates before more threads could pay
CLUSTER_COLUMNS = [
    "cluster",
    "cells",
    "center",
    "radius_m",
    "start",
    "end",
    "steps",
    "observed",
    "expected",
    "ratio",
    "llr",
    "p",
    "recurrence_days",
    "alarm",
]


@dataclass
class ScanResult:
    """Reported clusters (most likely first), the parameters and the replicates' maxima.

    `params` is JSON-serialisable. `null_max` holds each replicate's largest LLR; it can be
    passed back as `null_max` for another cube with the same cell and period totals.
    """

    clusters: pd.DataFrame
    params: dict[str, Any]
    null_max: np.ndarray
    warnings: list[dict[str, str]] = field(default_factory=list)


def _is_int(x: object) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool)


def _is_number(x: object) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def validate_scan_parameters(
    max_radius_m: object,
    max_share: object,
    max_steps: object,
    replicates: object,
    seed: object,
    alarm_days: object,
    max_clusters: object = 10,
    report_p: object = 0.5,
) -> None:
    """Raise an AnalysisError (stable code) for any out-of-range scan parameter."""
    if not _is_number(max_radius_m) or not 0 <= float(max_radius_m) < math.inf:  # type: ignore[arg-type]
        raise AnalysisError(
            "invalid_radius", f"max_radius_m must be a distance in metres ≥ 0, got {max_radius_m!r}"
        )
    if not _is_number(max_share) or not 0 < float(max_share) <= 1:  # type: ignore[arg-type]
        raise AnalysisError("invalid_max_share", f"max_share must be in (0, 1], got {max_share!r}")
    if max_steps is not None and (not _is_int(max_steps) or int(max_steps) < 1):  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_max_steps", f"max_steps must be an integer ≥ 1, got {max_steps!r}"
        )
    if not _is_int(replicates) or not 1 <= int(replicates) <= 100_000:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_replicates", f"replicates must be an integer 1–100000, got {replicates!r}"
        )
    if not _is_int(seed):
        raise AnalysisError("invalid_seed", f"seed must be an integer, got {seed!r}")
    if not _is_number(alarm_days) or not 0 < float(alarm_days) < math.inf:  # type: ignore[arg-type]
        raise AnalysisError(
            "invalid_alarm_days", f"alarm_days must be a number of days > 0, got {alarm_days!r}"
        )
    if not _is_int(max_clusters) or int(max_clusters) < 1:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_max_clusters", f"max_clusters must be an integer ≥ 1, got {max_clusters!r}"
        )
    if not _is_number(report_p) or not 0 < float(report_p) <= 1:  # type: ignore[arg-type]
        raise AnalysisError("invalid_report_p", f"report_p must be in (0, 1], got {report_p!r}")


def _counts_with_events(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts with `value` set to the whole numbers of events (`events`, else `value`)."""
    if not isinstance(counts, pd.DataFrame):
        raise AnalysisError("invalid_counts", "counts must be a DataFrame")
    column = "events" if "events" in counts.columns else "value"
    if column not in counts.columns:
        raise AnalysisError("invalid_counts", "counts need an 'events' (or 'value') column")
    raw = pd.to_numeric(counts[column], errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(raw).all() or (raw < 0).any() or (raw != np.round(raw)).any():
        raise AnalysisError(
            "invalid_counts", f"'{column}' must hold whole numbers of events ≥ 0 (no weights)"
        )
    return counts.assign(value=raw, events=raw)


@dataclass(frozen=True)
class _Cylinders:
    """Every cylinder as (circle slot k, centre i, window w).

    `nbr[k, i]` is the k-th nearest cell with events of centre i (N pads short lists) and
    `full_pos[k, i]` its position in the centre's list of all study cells. A cylinder's constants
    depend only on its circle's total and its window, so they are tables over the distinct
    circle totals: `key[k, i]` is the row of circle (k, i); the last row stands for circles that
    cannot be clusters. `cmin` (K, N, W) is the smallest count that can make a cluster.
    """

    nbr: np.ndarray
    full_pos: np.ndarray
    key: np.ndarray
    mu: np.ndarray
    log_term: np.ndarray
    slope: np.ndarray
    cmin_table: np.ndarray
    cmin: np.ndarray
    table: np.ndarray
    total: int
    dtype: type
    sentinel: int

    def llr_at(self, c: np.ndarray, row: np.ndarray, w: np.ndarray) -> np.ndarray:
        """LLR of counts `c` for table rows `row` and windows `w` (assumes c ≥ cmin)."""
        return self.table[c] - self.log_term[row, w] - c * self.slope[row, w]

    def llr(self, c: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """LLR of counts `c` at flat (K, N, W) cylinder positions (assumes c ≥ cmin)."""
        circle, w = np.divmod(flat, self.mu.shape[1])
        return self.llr_at(c, self.key.ravel()[circle], w)


def _default_steps(n_periods: int, days: int) -> int:
    return max(1, min(n_periods // 2, MAX_WINDOW_DAYS // days))


def _cylinders(
    n_cell: np.ndarray,
    window_totals: np.ndarray,
    full_idx: np.ndarray,
    max_share: float,
) -> _Cylinders:
    """Per-cylinder constants: μ, the LLR's terms and the smallest count that can be a cluster."""
    n = len(n_cell)
    total = int(n_cell.sum())
    padded = np.append(n_cell, 0)
    has_events = padded[full_idx] > 0
    width = int(has_events.sum(axis=1).max())
    order = np.argsort(~has_events, axis=1, kind="stable")[:, :width]
    full_pos = order.T.copy()
    nbr = np.take_along_axis(full_idx, order, axis=1).T.copy()
    nbr[~np.take_along_axis(has_events, order, axis=1).T] = n
    n_circle = np.cumsum(padded[nbr], axis=0)
    real = (nbr < n) & (n_circle <= max_share * total)
    sizes, key = np.unique(np.where(real, n_circle, 0), return_inverse=True)
    key = key.reshape(n_circle.shape)
    key[~real] = len(sizes)  # the row of circles that cannot be clusters
    mu = np.append(sizes, 0)[:, None] * window_totals[None, :] / total
    valid = (mu > 0) & (mu < total)
    safe = np.where(valid, mu, total / 2)
    log_term = np.where(valid, total * np.log1p(-safe / total), 0.0)
    slope = np.where(valid, np.log(safe) - np.log(total - safe), 0.0)
    cap = int(min(int(window_totals[-1]), sizes.max()))
    dtype: type = np.int16 if cap < np.iinfo(np.int16).max else np.int32
    sentinel = int(np.iinfo(dtype).max)
    cmin_table = np.maximum(2, np.floor(mu) + 1)
    cmin_table = np.where(valid & (cmin_table <= cap), cmin_table, sentinel).astype(dtype)
    c = np.arange(total + 1, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        table = c * np.log(c / total) + (total - c) * np.log1p(-c / total)
    table[0] = table[-1] = 0.0
    return _Cylinders(
        nbr,
        full_pos,
        key,
        mu,
        log_term,
        slope,
        cmin_table,
        cmin_table[key],
        table,
        total,
        dtype,
        sentinel,
    )


def _thresholds(cyl: _Cylinders, level: float) -> np.ndarray:
    """Per cylinder (K, N, W), the smallest count ≥ cmin whose LLR reaches `level` (sentinel if
    none); found by bisection over the table of circle totals and windows."""
    out = np.full(cyl.cmin_table.shape, cyl.sentinel, dtype=cyl.dtype)
    row, w = np.nonzero(cyl.cmin_table != cyl.sentinel)
    mu = cyl.mu[row, w]
    cmin = cyl.cmin_table[row, w].astype(np.int64)
    # LLR ≥ the Poisson LLR ≥ d²/(2μ + 2d/3) for d = c − μ (Bennett): an upper start
    bound = np.ceil(mu + level / 3 + np.sqrt(level**2 / 9 + 2 * mu * level))
    hi = np.clip(bound, cmin, cyl.total).astype(np.int64)
    reach = cyl.llr_at(hi, row, w) >= level
    row, w, hi, cmin = row[reach], w[reach], hi[reach], cmin[reach]
    lo = cmin - 1
    while (open_ := hi - lo > 1).any():
        mid = (lo + hi) // 2
        ok = cyl.llr_at(np.where(open_, mid, hi), row, w) >= level
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid, lo)
    out[row, w] = np.minimum(hi, cyl.sentinel).astype(cyl.dtype)
    return out[cyl.key]


def _circle_counts(windows: np.ndarray, nbr: np.ndarray) -> np.ndarray:
    """Cylinder counts (B, K, N, W) from window counts per cell (B, N + 1, W)."""
    counts = np.take(windows, nbr, axis=1)
    for k in range(1, nbr.shape[0]):
        np.add(counts[:, k], counts[:, k - 1], out=counts[:, k])
    return counts


def _maxima(cyl: _Cylinders, windows: np.ndarray, floor_counts: np.ndarray) -> np.ndarray:
    """Each replicate's largest LLR over cylinders with count ≥ `floor_counts` (0 if none).

    Centres go in blocks whose counts stay in the processor's cache.
    """
    n_rep, steps = len(windows), windows.shape[2]
    n_slots, n_centres = cyl.nbr.shape
    width = max(MIN_BLOCK_CENTRES, BLOCK_ELEMENTS // max(1, n_rep * n_slots * steps))
    out = np.zeros(n_rep)
    for first in range(0, n_centres, width):
        block = slice(first, first + width)
        counts = _circle_counts(windows, cyl.nbr[:, block])
        hits = np.flatnonzero(counts >= floor_counts[:, block])
        if len(hits):
            replicate, rest = np.divmod(hits, counts[0].size)
            k, rest = np.divmod(rest, counts.shape[2] * steps)
            flat = (k * n_centres + first) * steps + rest  # position in (K, N, W)
            c = counts.ravel()[hits].astype(np.int64)
            np.maximum.at(out, replicate, cyl.llr(c, flat))
    return out


def _window_counts(cube: np.ndarray, steps: int, dtype: type) -> np.ndarray:
    """(N + 1, W) events per cell in the last 1 … W periods; the extra row is zero padding."""
    last = cube[:, ::-1][:, :steps]
    out = np.zeros((cube.shape[0] + 1, steps), dtype=dtype)
    out[:-1] = np.cumsum(last, axis=1)
    return out


def _replicate_windows(
    rngs: Sequence[np.random.Generator],
    pool: np.ndarray,
    labels: np.ndarray,
    n_cells: int,
    steps: int,
    dtype: type,
) -> np.ndarray:
    """Window counts (B, N + 1, W) of replicates that shuffle the events' periods.

    Only events drawn into the last W periods matter: each replicate draws that many events
    without replacement (in random order) and gives them the last periods' labels in turn.
    """
    size = (n_cells + 1) * steps
    flat = [
        b * size + pool[rng.choice(len(pool), len(labels), replace=False)] * steps + labels
        for b, rng in enumerate(rngs)
    ]
    counts = np.bincount(np.concatenate(flat), minlength=len(rngs) * size)
    return np.cumsum(counts.reshape(len(rngs), n_cells + 1, steps), axis=2, dtype=dtype)


def _null_maxima(
    cyl: _Cylinders, cube: np.ndarray, steps: int, replicates: int, seed: int
) -> tuple[np.ndarray, int]:
    """The largest LLR of each of `replicates` time-shuffled copies of the cube (exact), and
    how many replicates were evaluated over every cylinder."""
    n_cells = cube.shape[0]
    pool = np.repeat(np.arange(n_cells), cube.sum(axis=1)).astype(np.int64)
    per_step = cube.sum(axis=0)[::-1][:steps]
    labels = np.repeat(np.arange(steps), per_step).astype(np.int64)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replicates)]
    per_replicate = max(1, cyl.nbr.size * steps)
    batch = max(1, min(BATCH_ELEMENTS // per_replicate, 256))

    def run(start: int, floor_counts: np.ndarray, level: float) -> tuple[np.ndarray, int]:
        chunk = rngs[start : start + batch]
        windows = _replicate_windows(chunk, pool, labels, n_cells, steps, cyl.dtype)
        found = _maxima(cyl, windows, floor_counts)
        if floor_counts is cyl.cmin:
            return found, len(chunk)
        redo = found < level + 1e-7
        if redo.any():
            found[redo] = _maxima(cyl, windows[redo], cyl.cmin)
        return found, int(redo.sum())

    pilot = min(replicates, max(batch, PILOT_REPLICATES))
    parts = [run(start, cyl.cmin, 0.0) for start in range(0, pilot, batch)]
    if pilot < replicates:
        level = 0.5 * float(np.concatenate([found for found, _ in parts]).min())
        floor_counts = _thresholds(cyl, level) if level > 0 else cyl.cmin
        starts = range(pilot, replicates, batch)
        if per_replicate * (replicates - pilot) >= THREAD_WORK and THREADS > 1:
            with ThreadPoolExecutor(THREADS) as executor:
                parts += list(executor.map(lambda s: run(s, floor_counts, level), starts))
        else:
            parts += [run(s, floor_counts, level) for s in starts]
    maxima = np.concatenate([found for found, _ in parts])
    return maxima, sum(n for _, n in parts)


def _candidates(llr: np.ndarray, n_cells_full: np.ndarray, floor: float) -> np.ndarray:
    """Circles (flat K×N positions) whose best LLR exceeds `floor`, best first: by LLR, then
    fewer steps, then fewer cells, then centre order."""
    best_w = np.argmax(llr, axis=2)
    best = np.take_along_axis(llr, best_w[:, :, None], axis=2)[:, :, 0]
    flat = np.flatnonzero(best.ravel() > floor)
    _, i = np.divmod(flat, llr.shape[1])
    order = np.lexsort((i, n_cells_full.ravel()[flat], best_w.ravel()[flat], -best.ravel()[flat]))
    return flat[order]


def _select_clusters(
    cyl: _Cylinders,
    llr: np.ndarray,
    full_idx: np.ndarray,
    null_max: np.ndarray,
    max_clusters: int,
    report_p: float,
) -> list[tuple[int, int, int, float]]:
    """(k, i, w, p) of the reported clusters: best first, no shared cells, p ≤ report_p."""
    n_slots, n_centres, _ = llr.shape
    kf = cyl.full_pos + 1  # cells in the circle, counting cells without events
    sorted_null = np.sort(null_max)
    # p ≤ report_p allows at most `allowed` replicate maxima at or above a cluster's LLR
    allowed = math.floor(report_p * (len(null_max) + 1) + 1e-9) - 1
    if allowed < 0:
        return []
    floor = 0.0 if allowed >= len(null_max) else max(0.0, sorted_null[-allowed - 1])
    candidates = _candidates(llr, kf, floor)
    taken = np.zeros(n_centres + 1, dtype=bool)
    chosen: list[tuple[int, int, int, float]] = []
    while len(candidates) and len(chosen) < max_clusters:
        k, i = divmod(int(candidates[0]), n_centres)
        w = int(np.argmax(llr[k, i]))
        value = float(llr[k, i, w])
        exceed = len(sorted_null) - np.searchsorted(sorted_null, value, side="left")
        p = (1 + int(exceed)) / (len(null_max) + 1)
        if p > report_p:
            break
        chosen.append((k, i, w, p))
        taken[full_idx[i, : kf[k, i]]] = True
        taken[n_centres] = False
        hit = taken[full_idx]
        first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), full_idx.shape[1])
        ck, ci = np.divmod(candidates, n_centres)
        candidates = candidates[kf[ck, ci] <= first[ci]]
    return chosen


def _cluster_frame(
    chosen: list[tuple[int, int, int, float]],
    cyl: _Cylinders,
    observed: np.ndarray,
    llr: np.ndarray,
    cells_hex: np.ndarray,
    full_idx: np.ndarray,
    full_dist: np.ndarray,
    periods: pd.DatetimeIndex,
    days: int,
    alarm_days: float,
) -> pd.DataFrame:
    """One row per reported cluster, in the documented columns."""
    end = (periods[-1].tz_localize(None) + pd.Timedelta(days=days)).tz_localize(TIMEZONE)
    rows = []
    for number, (k, i, w, p) in enumerate(chosen, start=1):
        kf = int(cyl.full_pos[k, i]) + 1
        c, mu = int(observed[k, i, w]), float(cyl.mu[cyl.key[k, i], w])
        recurrence = days / p
        rows.append(
            {
                "cluster": number,
                "cells": cells_hex[full_idx[i, :kf]].tolist(),
                "center": cells_hex[i],
                "radius_m": float(full_dist[i, kf - 1]),
                "start": periods[len(periods) - 1 - w],
                "end": end,
                "steps": w + 1,
                "observed": c,
                "expected": mu,
                "ratio": c / mu,
                "llr": float(llr[k, i, w]),
                "p": p,
                "recurrence_days": recurrence,
                "alarm": bool(recurrence >= alarm_days),
            }
        )
    if not rows:
        local = pd.DatetimeTZDtype(tz=TIMEZONE)
        types = dict.fromkeys(CLUSTER_COLUMNS, np.float64) | {"start": local, "end": local}
        types |= {"cluster": np.int64, "steps": np.int64, "observed": np.int64, "alarm": bool}
        types |= {"cells": object, "center": object}
        return pd.DataFrame({name: pd.Series(dtype=types[name]) for name in CLUSTER_COLUMNS})
    frame = pd.DataFrame(rows, columns=CLUSTER_COLUMNS)
    return frame.astype({"cluster": np.int64, "steps": np.int64, "observed": np.int64})


def _checked_null_max(null_max: np.ndarray | None) -> np.ndarray | None:
    if null_max is None:
        return None
    null_max = np.asarray(null_max, dtype=np.float64)
    if null_max.ndim != 1 or len(null_max) == 0 or not np.isfinite(null_max).all():
        raise AnalysisError("invalid_null_max", "null_max must be a non-empty 1-D array")
    return null_max


def _window(
    periods: pd.DatetimeIndex, period_days: int | None, max_steps: int | None
) -> tuple[int, int]:
    """(period length in days, longest window in periods), checked."""
    days = period_length(periods) if period_days is None else period_days
    if days is None or not _is_int(days) or int(days) < 1:
        raise AnalysisError(
            "invalid_period_days",
            "the periods must share one length in days (or pass period_days ≥ 1)",
        )
    n_periods = len(periods)
    steps = _default_steps(n_periods, int(days)) if max_steps is None else int(max_steps)
    if steps > n_periods:
        raise AnalysisError(
            "invalid_max_steps", f"max_steps ({steps}) exceeds the number of periods ({n_periods})"
        )
    return int(days), steps


def _observed(cyl: _Cylinders, cube: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cylinder's observed count and LLR (0 where the count cannot exceed expectation)."""
    observed = _circle_counts(_window_counts(cube, steps, np.int64)[None], cyl.nbr)[0]
    llr = np.zeros(cyl.cmin.shape)
    hits = np.flatnonzero(observed >= cyl.cmin)
    llr.ravel()[hits] = cyl.llr(observed.ravel()[hits], hits)
    return observed, llr


def _params(
    dense: DenseCube,
    cells_hex: np.ndarray,
    options: dict[str, Any],
    llr: np.ndarray,
    null_max: np.ndarray,
) -> dict[str, Any]:
    """The effective parameters and summary figures of a scan, JSON-serialisable."""
    periods = dense.periods
    max_llr = float(llr.max()) if llr.size else 0.0
    return {
        "method": "space_time_permutation_scan",
        "method_version": METHOD_VERSION,
        "resolution": dense.resolution,
        **options,
        "study_area": dense.study_area,
        "n_cells": len(dense.cells),
        "study_cells_sha256": hashlib.sha256(",".join(cells_hex).encode()).hexdigest(),
        "n_periods": len(periods),
        "first_period_start": periods[0].isoformat(),
        "last_period_start": periods[-1].isoformat(),
        "timezone": TIMEZONE,
        "max_llr": max_llr,
        "max_llr_p": float((1 + (null_max >= max_llr).sum()) / (len(null_max) + 1)),
        "critical_llr_05": float(np.quantile(null_max, 0.95)),
        "critical_llr_01": float(np.quantile(null_max, 0.99)),
    }


def space_time_scan_from_counts(
    counts: pd.DataFrame,
    study_cells: Sequence[object] | np.ndarray | None,
    period_starts: Sequence[object] | pd.DatetimeIndex,
    *,
    max_radius_m: float = 1000,
    max_share: float = 0.5,
    max_steps: int | None = None,
    replicates: int = 999,
    seed: int = 0,
    alarm_days: float = 365,
    period_days: int | None = None,
    resolution: int | None = None,
    max_clusters: int = 10,
    report_p: float = 0.5,
    null_max: np.ndarray | None = None,
) -> ScanResult:
    """The prospective space-time permutation scan over an aggregated cube of event counts.

    `counts` has one row per non-empty bin: `cell` (H3 int64 or hex), `period` (position in
    `period_starts`) or `period_start`, and `events` (a whole number; `value` if there is no
    `events`). `study_cells` are the circles' centres and members (None: the cells with events).
    Time windows end at the last period and last 1 … `max_steps` periods (default half the
    periods, at most 12 weeks). `null_max` reuses the replicate maxima of an earlier scan of a
    cube with the same cell and period totals (for example a time-permuted copy) instead of
    drawing `replicates` new ones.
    """
    validate_scan_parameters(
        max_radius_m, max_share, max_steps, replicates, seed, alarm_days, max_clusters, report_p
    )
    reused = null_max is not None
    null_max = _checked_null_max(null_max)
    dense = dense_cube(
        _counts_with_events(counts), study_cells, period_starts, k=0, resolution=resolution
    )
    cells, periods, warnings = dense.cells, dense.periods, dense.warnings
    cube = np.round(dense.events).astype(np.int64)
    days, steps = _window(periods, period_days, max_steps)
    total = int(cube.sum())
    if total == 0:
        raise AnalysisError("no_events", "no events for this selection")
    full_idx, full_dist = nearest_within(cell_centroids_xy(cells), float(max_radius_m))
    window_totals = np.cumsum(cube.sum(axis=0)[::-1][:steps])
    cyl = _cylinders(cube.sum(axis=1), window_totals, full_idx, float(max_share))
    n_cylinders = int((cyl.cmin != cyl.sentinel).sum())
    n_replicates = len(null_max) if null_max is not None else int(replicates)
    if cyl.cmin.size > MAX_CYLINDERS or n_cylinders * n_replicates > MAX_WORK:
        raise AnalysisError(
            "scan_too_large",
            f"{n_cylinders:,} cylinders × {n_replicates} replicates would take too long; "
            "use a smaller max_radius_m, fewer replicates or a coarser resolution",
        )

    observed, llr = _observed(cyl, cube, steps)
    in_full = 0
    if null_max is None:
        null_max, in_full = _null_maxima(cyl, cube, steps, int(replicates), int(seed))
    cells_hex = cells_to_hex(cells)
    chosen = _select_clusters(cyl, llr, full_idx, null_max, int(max_clusters), float(report_p))
    clusters = _cluster_frame(
        chosen, cyl, observed, llr, cells_hex, full_idx, full_dist, periods, days, alarm_days
    )
    options = {
        "max_radius_m": float(max_radius_m), "max_share": float(max_share), "max_steps": steps,
        "replicates": n_replicates, "null_reused": reused, "replicates_in_full": in_full,
        "seed": int(seed), "alarm_days": float(alarm_days), "max_clusters": int(max_clusters),
        "report_p": float(report_p), "period_days": days, "events": total,
        "window_events": int(window_totals[-1]), "cylinders": n_cylinders,
    }  # fmt: skip
    params = _params(dense, cells_hex, options, llr, null_max)
    return ScanResult(clusters=clusters, params=params, null_max=null_max, warnings=warnings)


def space_time_scan(
    events: pd.DataFrame,
    *,
    resolution: int = 9,
    period: str | int = "14D",
    anchor: object = None,
    end: object = None,
    study_cells: Sequence[object] | np.ndarray | None = None,
    max_radius_m: float = 1000,
    max_share: float = 0.5,
    max_steps: int | None = None,
    replicates: int = 999,
    seed: int = 0,
    alarm_days: float = 365,
    max_clusters: int = 10,
    report_p: float = 0.5,
) -> ScanResult:
    """The prospective space-time permutation scan from events (`occurred_at` plus `cell` or
    `lat`/`lon`), aggregated to cells and periods as every analysis does, then the core."""
    validate_scan_parameters(
        max_radius_m, max_share, max_steps, replicates, seed, alarm_days, max_clusters, report_p
    )
    cube = events_to_cube(events, resolution=resolution, period=period, anchor=anchor, end=end)
    result = space_time_scan_from_counts(
        cube.counts,
        study_cells,
        cube.period_starts,
        max_radius_m=max_radius_m,
        max_share=max_share,
        max_steps=max_steps,
        replicates=replicates,
        seed=seed,
        alarm_days=alarm_days,
        period_days=cube.days,
        resolution=resolution,
        max_clusters=max_clusters,
        report_p=report_p,
    )
    result.warnings.extend(cube.notices())
    result.params.update(cube.params())
    return result


__all__ = [
    "ScanResult",
    "space_time_scan",
    "space_time_scan_from_counts",
    "validate_scan_parameters",
]
