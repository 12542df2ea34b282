"""An honest backtest of hot spot rankings: which method would have predicted the next period?

Rolling origin: for each of the last K periods t of the cube, every method ranks the study
area's cells using only events from before the start of t, the top share a/A of the cells is
flagged (a = ⌊coverage · A⌋, at least 1), and the events of period t are counted:

    PAI  = (n / N) / (a / A)     n: events of t in flagged cells, N: all events of t
    PEI* = n / n*                n*: events of t in the a cells that had the most of them

PAI says how many times more events per area the flagged cells caught than the area as a
whole; PEI* how close the method came to the best any set of a cells could have done in
hindsight (1 = perfect). Origins without events (N = 0) give NaN.

Methods (higher score first; ties broken by the next key, and last by a fixed seeded random
order of the cells, so spatially ordered cell ids never decide a tie):

- `counts_last`: the events of the last period before t.
- `counts_longrun`: all events before t.
- `gi_star`: the Gi* z of the last step of an emerging hot spot run on the periods before t.
- `ehsa`: the emerging hot spot category of that run, in `EHSA_ORDER` (persistent,
  intensifying, new, consecutive, diminishing, sporadic, oscillating and historical hot spots,
  no pattern, then the cold spots, least cold first), ties broken by the final z.
- `kde`: a Gaussian kernel density (`kde.kernel_density`) of the events of the `KDE_DAYS`
  (365) days before t at each cell's centre, in SWEREF 99 TM metres, with the bandwidth
  cross-validated on those events among ½, 1, 2 and 4 mean H3 edge lengths at the resolution.
- `prospective` (Bowers and Johnson's prospective hot-spotting): Σ 1/(1 + d) · 1/(1 + w) over
  the events of the `PROSPECTIVE_WEEKS` (8) weeks before t, d the H3 grid distance from the
  cell, at most `PROSPECTIVE_RINGS` (2) cell widths, and w the whole weeks between the event
  and t (0 for the last seven days); ties broken by the last period's counts.
- `scan`: cells of clusters with an alarm from the prospective space-time permutation scan
  on the periods before t (`SCAN_REPLICATES` = 99 replicates, enough for p ≤ 0.01) first,
  then by the cluster's log-likelihood ratio, then by the counts of the last period.

The default study area is every cell with an event in the data plus its neighbours, fixed
for all origins as a boundary would be. Cells it gains from events of the predicted periods
have no earlier events, so a method only reaches them through ties. Pass `study_cells` (for
example the cells covering the municipality) to use the same area as the other analyses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import h3.api.basic_int as h3i
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from geo_service.analysis.cells import (
    cells_to_hex,
    cells_to_int,
    factorize_cells,
    grid_disk_cells,
)
from geo_service.analysis.cube import EventCube, events_to_cube
from geo_service.analysis.ehsa import emerging_hotspots_from_counts
from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.kde import choose_bandwidth, kernel_density
from geo_service.analysis.periods import TIMEZONE, to_utc
from geo_service.analysis.projection import event_xy, to_sweref99tm
from geo_service.analysis.weights import spatial_weights

METHODS = ("counts_last", "counts_longrun", "gi_star", "ehsa", "kde", "prospective", "scan")
COVERAGE = (0.05, 0.10)
MIN_TRAINING_PERIODS = 3
KDE_DAYS = 365
KDE_BANDWIDTHS = (0.5, 1.0, 2.0, 4.0)  # × the mean H3 edge length at the resolution
PROSPECTIVE_WEEKS = 8
PROSPECTIVE_RINGS = 2
SCAN_REPLICATES = 99
INTERVAL_LEVEL = 0.95
_THREADS = 2

EHSA_ORDER = (
    "persistent_hot",
    "intensifying_hot",
    "new_hot",
    "consecutive_hot",
    "diminishing_hot",
    "sporadic_hot",
    "oscillating_hot",
    "historical_hot",
    "no_pattern",
    "sporadic_cold",
    "oscillating_cold",
    "historical_cold",
    "new_cold",
    "consecutive_cold",
    "diminishing_cold",
    "intensifying_cold",
    "persistent_cold",
)


@dataclass
class BacktestResult:
    """What a backtest found.

    `table`: one row per method × coverage × origin with `method`, `coverage`, `origin` (start
    of the predicted period), `pai`, `pei_star`, `hits` (n), `best_hits` (n*), `events` (N),
    `cells_flagged` (a) and `flagged` (the flagged cells, hex). `summary`: per method and
    coverage, the mean PAI and PEI* over the origins with their intervals (`pai_low`,
    `pai_high`, …), the pooled `hit_rate` Σn/ΣN and the number of `origins` with events.
    `bandwidths_m`: the kernel density's bandwidth at each origin.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    params: dict[str, Any]
    bandwidths_m: dict[pd.Timestamp, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Data:
    """Everything the methods may read, indexed by study-area row and cube period."""

    cells: np.ndarray  # sorted int64 study cells
    counts: np.ndarray  # (cells × periods) events
    period_starts: pd.DatetimeIndex
    period_days: int
    event_row: np.ndarray  # study row of each kept event (−1 outside the area)
    event_day: np.ndarray  # Stockholm day number of each kept event
    event_xy: np.ndarray  # SWEREF 99 TM metres of each kept event
    centre_xy: np.ndarray  # SWEREF 99 TM metres of each study cell's centre
    resolution: int


def flag_count(coverage: float, n_cells: int) -> int:
    """Cells to flag for a coverage share of the area: ⌊coverage · A⌋, at least one."""
    return max(1, int(np.floor(coverage * n_cells + 1e-9)))


def rank_cells(keys: Sequence[np.ndarray], tiebreak: np.ndarray) -> np.ndarray:
    """Row order, best first: by the first key (higher first), then the next, then `tiebreak`."""
    return np.lexsort([tiebreak, *(-np.asarray(k, dtype=np.float64) for k in reversed(keys))])


def pai(hits: int, events: int, flagged: int, cells: int) -> float:
    """Predictive accuracy index (n/N)/(a/A); NaN when the period has no events."""
    return (hits / events) / (flagged / cells) if events > 0 else float("nan")


def pei_star(hits: int, best: int) -> float:
    """n/n*, with n* the events in the best possible set of as many cells; NaN when n* = 0."""
    return hits / best if best > 0 else float("nan")


def _counts_last(data: _Data, origin: int, **_: Any) -> list[np.ndarray]:
    return [data.counts[:, origin - 1]]


def _counts_longrun(data: _Data, origin: int, **_: Any) -> list[np.ndarray]:
    return [data.counts[:, :origin].sum(axis=1)]


def _training_counts(data: _Data, origin: int) -> pd.DataFrame:
    """Non-empty bins of the periods before `origin`, as the cube-based analyses take them."""
    rows, steps = np.nonzero(data.counts[:, :origin])
    values = data.counts[rows, steps].astype(np.float64)
    return pd.DataFrame(
        {"cell": data.cells[rows], "period": steps, "value": values, "events": values}
    )


def _ehsa_run(data: _Data, origin: int, cache: dict[str, Any]) -> pd.DataFrame:
    """Final z and category per study cell from an emerging hot spot run before `origin`.

    One run per origin serves both `gi_star` and `ehsa`; it skips the scan's confirmation and
    the self-calibration, which do not change the z or the categories.
    """
    if "ehsa" not in cache:
        result = emerging_hotspots_from_counts(
            _training_counts(data, origin),
            data.cells,
            data.period_starts[:origin],
            resolution=data.resolution,
            confirm=False,
            calibration_runs=0,
        )
        cells = result.cells.set_index(cells_to_int(result.cells["cell"]))
        cache["ehsa"] = cells.reindex(data.cells)
    return cache["ehsa"]


def _gi_star(data: _Data, origin: int, cache: dict[str, Any], **_: Any) -> list[np.ndarray]:
    return [_ehsa_run(data, origin, cache)["final_z"].fillna(0.0).to_numpy()]


def _ehsa(data: _Data, origin: int, cache: dict[str, Any], **_: Any) -> list[np.ndarray]:
    run = _ehsa_run(data, origin, cache)
    order = {name: len(EHSA_ORDER) - i for i, name in enumerate(EHSA_ORDER)}
    category = run["category"].map(order).fillna(order["no_pattern"]).to_numpy()
    return [category, run["final_z"].fillna(0.0).to_numpy()]


def _kde(data: _Data, origin: int, seed: int, cache: dict[str, Any], **_: Any) -> list[np.ndarray]:
    start = _day_number(data.period_starts[origin])
    recent = (data.event_day >= start - KDE_DAYS) & (data.event_day < start)
    xy = data.event_xy[recent]
    edge = h3i.average_hexagon_edge_length(data.resolution, unit="m")
    bandwidth = choose_bandwidth(xy, [edge * f for f in KDE_BANDWIDTHS], seed=seed)
    cache["bandwidth_m"] = bandwidth
    return [kernel_density(xy, data.centre_xy, bandwidth)]


def ring_weights(cells: np.ndarray, rings: int) -> sp.csr_matrix:
    """w_ij = 1/(1 + d_ij) for H3 grid distance d_ij ≤ rings between study cells, else 0."""
    previous = sp.identity(len(cells), format="csr")
    total = previous.copy()
    for k in range(1, rings + 1):
        disk = spatial_weights(cells, k)
        total = total + (disk - previous) / (1 + k)
        previous = disk
    return sp.csr_matrix(total)


def prospective_scores(
    rows: np.ndarray, weeks: np.ndarray, weights: sp.csr_matrix, max_weeks: int
) -> np.ndarray:
    """Σ 1/(1 + d) · 1/(1 + w) per cell over events with 0 ≤ w < max_weeks.

    `rows` are the events' cells (study row, −1 outside), `weeks` the whole weeks between each
    event and the origin (0: the last seven days), `weights` the 1/(1 + d) ring weights.
    """
    recent = (weeks >= 0) & (weeks < max_weeks) & (rows >= 0)
    per_cell = np.bincount(
        rows[recent], weights=1.0 / (1.0 + weeks[recent]), minlength=weights.shape[0]
    )
    return np.asarray(weights @ per_cell)


def _prospective(data: _Data, origin: int, shared: dict[str, Any], **_: Any) -> list[np.ndarray]:
    weeks = (_day_number(data.period_starts[origin]) - 1 - data.event_day) // 7
    scores = prospective_scores(data.event_row, weeks, shared["ring_weights"], PROSPECTIVE_WEEKS)
    return [scores, data.counts[:, origin - 1]]


def _scan(data: _Data, origin: int, seed: int, **_: Any) -> list[np.ndarray]:
    from geo_service.analysis.scan import space_time_scan_from_counts

    result = space_time_scan_from_counts(
        _training_counts(data, origin),
        data.cells,
        data.period_starts[:origin],
        replicates=SCAN_REPLICATES,
        seed=seed,
        period_days=data.period_days,
        resolution=data.resolution,
    )
    alarm = np.zeros(len(data.cells))
    llr = np.zeros(len(data.cells))
    for members, cluster_alarm, cluster_llr in zip(
        result.clusters["cells"], result.clusters["alarm"], result.clusters["llr"], strict=True
    ):
        rows = _rows_in(data.cells, cells_to_int(list(members)))
        rows = rows[rows >= 0]
        alarm[rows] = np.maximum(alarm[rows], float(cluster_alarm))
        llr[rows] = np.maximum(llr[rows], float(cluster_llr))
    return [alarm, llr, data.counts[:, origin - 1]]


_METHODS: dict[str, Callable[..., list[np.ndarray]]] = {
    "counts_last": _counts_last,
    "counts_longrun": _counts_longrun,
    "gi_star": _gi_star,
    "ehsa": _ehsa,
    "kde": _kde,
    "prospective": _prospective,
    "scan": _scan,
}


def _day_number(ts: pd.Timestamp) -> int:
    """Stockholm calendar day number (days since 1970-01-01) of a timestamp."""
    local = ts.tz_convert(TIMEZONE).tz_localize(None)
    return int(np.datetime64(local.date(), "D").astype(np.int64))


def _event_days(events: pd.DataFrame) -> np.ndarray:
    """Stockholm calendar day number of each event; a large sentinel when the time is missing."""
    times = to_utc(events["occurred_at"])
    known = ~np.asarray(times.isna())
    days = np.full(len(events), np.iinfo(np.int64).max)
    local = times[known].tz_convert(TIMEZONE).tz_localize(None)
    days[known] = local.values.astype("datetime64[D]").astype(np.int64)
    return days


def _centres_xy(cells: np.ndarray) -> np.ndarray:
    """SWEREF 99 TM metres of the centre of each int64 cell."""
    lat, lon = np.array([h3i.cell_to_latlng(c) for c in cells.tolist()]).reshape(-1, 2).T
    return np.column_stack(to_sweref99tm(lat, lon))


def _study_cells(cube: EventCube, study_cells: Sequence[object] | None) -> tuple[np.ndarray, str]:
    if study_cells is None:
        return grid_disk_cells(cube.counts["cell"].to_numpy(), 1), "active"
    given = study_cells if isinstance(study_cells, np.ndarray | pd.Series) else list(study_cells)
    cells = np.unique(factorize_cells(given)[1])
    if len(cells) == 0:
        raise AnalysisError("empty_study_area", "the study area has no cells")
    return cells, "given"


def _rows_in(cells: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of each value in the sorted `cells`, −1 when it is not there."""
    pos = np.minimum(np.searchsorted(cells, values), len(cells) - 1)
    return np.where(cells[pos] == values, pos, -1)


def _prepare(
    events: pd.DataFrame,
    cube: EventCube,
    cells: np.ndarray,
    needs_points: bool,
) -> _Data:
    n_periods = len(cube.period_starts)
    rows = _rows_in(cells, cube.counts["cell"].to_numpy())
    inside = rows >= 0
    counts = np.zeros((len(cells), n_periods))
    np.add.at(
        counts,
        (rows[inside], cube.counts["period"].to_numpy()[inside]),
        cube.counts["events"].to_numpy()[inside],
    )
    days = _event_days(events)
    end_day = _day_number(cube.period_starts[-1]) + cube.days
    kept = days < end_day  # the events the cube kept, in the same order as its codes
    if int(kept.sum()) != len(cube.event_codes):
        raise AnalysisError("invalid_events", "events and their cube do not line up")
    event_row = _rows_in(cells, cube.cells[cube.event_codes])
    centres = _centres_xy(cells)
    if not needs_points:
        xy = np.empty((0, 2))
    elif {"x", "y"} <= set(events.columns) or {"lat", "lon"} <= set(events.columns):
        xy = np.column_stack(event_xy(events))[kept]
    else:  # events given by cell only: their cell's centre
        xy = _centres_xy(cube.cells)[cube.event_codes]
    return _Data(
        cells=cells,
        counts=counts,
        period_starts=cube.period_starts,
        period_days=cube.days,
        event_row=event_row,
        event_day=days[kept],
        event_xy=xy,
        centre_xy=centres,
        resolution=int(h3i.get_resolution(int(cells[0]))),
    )


def _check(methods: Sequence[str], coverage: Sequence[float], origins: object) -> None:
    unknown = sorted(set(methods) - set(_METHODS))
    if unknown or not methods:
        raise AnalysisError(
            "invalid_methods", f"unknown methods {unknown}; choose from {list(_METHODS)}"
        )
    if not coverage or not all(
        isinstance(c, int | float) and not isinstance(c, bool) and 0 < c < 1 for c in coverage
    ):
        raise AnalysisError(
            "invalid_coverage", f"coverage shares must be between 0 and 1, got {list(coverage)}"
        )
    if isinstance(origins, bool) or not isinstance(origins, int | np.integer) or origins < 1:
        raise AnalysisError("invalid_origins", f"origins must be an integer ≥ 1, got {origins!r}")


def _evaluate_origin(
    data: _Data,
    origin: int,
    methods: Sequence[str],
    coverage: Sequence[float],
    shared: dict[str, Any],
    seed: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of the table for one origin (every method and coverage), and what the methods noted.

    Only the periods before `origin` reach the methods; its own counts are used to score them.
    """
    n_cells = len(data.cells)
    actual = data.counts[:, origin]
    total = int(actual.sum())
    ordered = np.sort(actual)[::-1]
    cache: dict[str, Any] = {}  # shared by the methods at this origin
    rows = []
    for method in methods:
        keys = _METHODS[method](data, origin, cache=cache, shared=shared, seed=seed)
        order = rank_cells(keys, shared["tiebreak"])
        for c in coverage:
            a = flag_count(float(c), n_cells)
            hits = int(actual[order[:a]].sum())
            best = int(ordered[:a].sum())
            rows.append(
                {
                    "method": method,
                    "coverage": float(c),
                    "origin": data.period_starts[origin],
                    "pai": pai(hits, total, a, n_cells),
                    "pei_star": pei_star(hits, best),
                    "hits": hits,
                    "best_hits": best,
                    "events": total,
                    "cells_flagged": a,
                    "flagged": cells_to_hex(data.cells[order[:a]]).tolist(),
                }
            )
    cache.pop("ehsa", None)
    return rows, cache


def summarise(table: pd.DataFrame, level: float = INTERVAL_LEVEL) -> pd.DataFrame:
    """Mean PAI and PEI* per method and coverage over the origins, with t intervals.

    mean ± t_(1+level)/2, K−1 · sd/√K over the K origins with events. Consecutive origins share
    most of their training data, so the interval is a guide to the spread, not a formal test.
    """
    rows = []
    for (method, coverage), group in table.groupby(["method", "coverage"], sort=False):
        row: dict[str, Any] = {"method": method, "coverage": coverage}
        for name in ("pai", "pei_star"):
            values = group[name].dropna().to_numpy()
            k = len(values)
            mean = float(values.mean()) if k else float("nan")
            half = float("nan")
            if k > 1:
                half = stats.t.ppf((1 + level) / 2, k - 1) * values.std(ddof=1) / np.sqrt(k)
            row.update({name: mean, f"{name}_low": mean - half, f"{name}_high": mean + half})
        hits, events = group["hits"].sum(), group["events"].sum()
        row["hit_rate"] = hits / events if events else float("nan")
        row["origins"] = int(group["pai"].notna().sum())
        rows.append(row)
    return pd.DataFrame(rows)


def backtest(
    events: pd.DataFrame,
    *,
    methods: Sequence[str] = METHODS,
    coverage: Sequence[float] = COVERAGE,
    origins: int = 12,
    resolution: int = 9,
    period: str | int = "14D",
    study_cells: Sequence[object] | None = None,
    seed: int = 0,
    anchor: object = None,
    end: object = None,
) -> BacktestResult:
    """Rolling-origin backtest of hot spot rankings with PAI and PEI* (see the module docstring).

    `events` need `occurred_at` and `cell` or `lat`/`lon` (or `x`/`y` besides `cell`, for the
    kernel density in metres). Periods and cells are those of `events_to_cube`.
    """
    methods = list(dict.fromkeys(methods))
    _check(methods, coverage, origins)
    cube = events_to_cube(
        events,
        resolution=resolution,
        period=period,
        anchor=anchor,
        end=end,
        min_periods=MIN_TRAINING_PERIODS + int(origins),
    )
    cells, area = _study_cells(cube, study_cells)
    data = _prepare(events, cube, cells, needs_points="kde" in methods)
    n_cells, n_periods = data.counts.shape
    shared: dict[str, Any] = {"tiebreak": np.random.default_rng(seed).permutation(n_cells)}
    if "prospective" in methods:
        shared["ring_weights"] = ring_weights(data.cells, PROSPECTIVE_RINGS)

    def evaluate(origin: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return _evaluate_origin(data, origin, methods, coverage, shared, int(seed))

    steps = range(n_periods - int(origins), n_periods)
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:  # numpy, scipy and sklearn free the GIL
        results = list(pool.map(evaluate, steps))
    table = pd.DataFrame([row for rows, _ in results for row in rows])
    bandwidths = {
        data.period_starts[o]: cache["bandwidth_m"]
        for o, (_, cache) in zip(steps, results, strict=True)
        if "bandwidth_m" in cache
    }
    params = {
        "methods": methods,
        "coverage": [float(c) for c in coverage],
        "origins": int(origins),
        "resolution": int(resolution),
        "period_days": cube.days,
        "anchor": cube.anchor.isoformat(),
        "end": cube.end.isoformat(),
        "study_area": area,
        "n_cells": n_cells,
        "n_periods": n_periods,
        "seed": int(seed),
        "kde_days": KDE_DAYS,
        "prospective_weeks": PROSPECTIVE_WEEKS,
        "prospective_rings": PROSPECTIVE_RINGS,
        "scan_replicates": SCAN_REPLICATES,
        "events_left_out": cube.left_out,
        "events_outside_area": int((data.event_row < 0).sum()),
    }
    return BacktestResult(
        table=table,
        summary=summarise(table),
        params=params,
        bandwidths_m=bandwidths,
    )


__all__ = [
    "COVERAGE",
    "EHSA_ORDER",
    "METHODS",
    "BacktestResult",
    "backtest",
    "flag_count",
    "pai",
    "pei_star",
    "prospective_scores",
    "rank_cells",
    "ring_weights",
    "summarise",
]
