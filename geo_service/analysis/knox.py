"""Near repeats: the Knox test and the near-repeat table of distance bands × time bands.

A pair of events is close in space when their distance d ≤ δ metres and close in time when
their time difference |Δt| ≤ τ days, both inclusive. Over all P = n(n−1)/2 pairs, N_S pairs are
close in space, N_T close in time and N_ST close in both. If where and when were independent,
the expected number of pairs close in both would be

    E = N_S · N_T / P,    ratio = N_ST / E.

Inference permutes the events' times among the events, each keeping its place: that keeps the
spatial pattern and the set of times and destroys any link between them, so N_S, N_T and E are
the same in every permutation and only N_ST varies. With R seeded permutations

    p_sim = (1 + #{r : N_ST^(r) ≥ N_ST}) / (R + 1),

and p_poisson = P(X ≥ N_ST) for X ~ Poisson(E) (pointpats reports P(X > N_ST) instead).

The near-repeat table does the same for every pair of a distance band and a time band. Bands
are given by their edges e_0 < e_1 < … < e_m: band 1 is [e_0, e_1] and band k is
(e_(k−1), e_k], so the default distance edges (0, 100, 200, 400, 800) give 0–100 m, over 100 up
to 200 m, … and the time edges (0, 7, 14, 28, 56) in whole days give 0–7, 8–14, 15–28 and 29–56
days. Pairs beyond the last edges are in no band but count in P. Per band cell (s, b):
E_sb = N_S(s) · N_T(b) / P, with N_S(s) the pairs in distance band s and N_T(b) those in time
band b. Each cell gets its own Monte Carlo p from the same permutations, and `p_adj` is the
Benjamini–Hochberg adjustment over the cells of the table.

Times from `occurred_at` are Stockholm calendar dates, so differences are whole days and every
count is exact; with fractional days in `t`, a difference that lands exactly on an edge may
fall on either side of it by rounding. `knox(…, time_days=0)` counts pairs on the same day.

Pairs close in space come from a KD-tree (never all n² pairs); N_T over all pairs comes from
the sorted times with binary searches. Each permutation only recomputes the time differences of
the close pairs, vectorised: a batch of permutations is a matrix of times (events × permutations),
so each close pair gathers one row for the whole batch, and batches run on two threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from scipy.stats import false_discovery_control, poisson

from geo_service.analysis.errors import AnalysisError
from geo_service.analysis.periods import TIMEZONE, to_utc
from geo_service.analysis.projection import event_xy

DISTANCE_BANDS_M = (0, 100, 200, 400, 800)
TIME_BANDS_DAYS = (0, 7, 14, 28, 56)
MAX_CLOSE_PAIRS = 20_000_000  # about 70 bytes each at the peak, while the pairs are sorted
MAX_PERMUTATION_WORK = 30_000_000_000  # close pairs × permutations: about a minute on 2 cores
_BLOCK_PAIRS = 1 << 12  # pairs per block: a batch's int16 differences fit in a core's cache
_BATCH = 32  # permutations per task; fixed, so results do not depend on the thread count
_THREADS = 2


@dataclass(frozen=True)
class KnoxResult:
    """The Knox test for one distance δ and one time τ (both inclusive).

    `observed` is N_ST, `expected` E = N_S·N_T/P, `ratio` N_ST/E (NaN when E = 0), `p_sim`
    the Monte Carlo p (NaN without permutations), `p_poisson` P(X ≥ N_ST) for X ~ Poisson(E).
    """

    observed: int
    expected: float
    ratio: float
    p_sim: float
    p_poisson: float
    space_pairs: int
    time_pairs: int
    pairs: int
    events: int
    left_out: int
    distance_m: float
    time_days: float
    permutations: int
    seed: int


@dataclass(frozen=True)
class _Block:
    """Pairs of one distance band whose first events are `first`…`stop − 1`.

    `later` holds each pair's second event and `per_first` the number of pairs each of those
    first events starts, so the pairs' first times are `np.repeat(times[first:stop], per_first)`.
    """

    band: int
    first: int
    stop: int
    later: np.ndarray
    per_first: np.ndarray


@dataclass(frozen=True)
class _ClosePairs:
    """Pairs with distance in a band, in blocks of about `_BLOCK_PAIRS` by band and first event.

    Events taking part in any close pair are relabelled 0…k−1 in KD-tree (spatial) order, so
    the lookups of their times stay local, and blocks keep each step's arrays in the cache.
    """

    events: np.ndarray  # original index of each relabelled event
    blocks: list[_Block]
    band_pairs: np.ndarray  # N_S per distance band

    @property
    def count(self) -> int:
        return int(self.band_pairs.sum())


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_run(permutations: object, seed: object) -> None:
    if not _is_int(permutations) or int(permutations) < 0:  # type: ignore[call-overload]
        raise AnalysisError(
            "invalid_permutations", f"permutations must be an integer ≥ 0, got {permutations!r}"
        )
    if not _is_int(seed):
        raise AnalysisError("invalid_seed", f"seed must be an integer, got {seed!r}")


def _edges(values: Sequence[float], name: str, strict: bool = True) -> np.ndarray:
    """Band edges as float64: at least two, finite, ≥ 0 and increasing (strictly if `strict`)."""
    try:
        edges = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"invalid_{name}", f"{name} must be numbers") from exc
    if len(edges) < 2 or not np.isfinite(edges).all() or edges[0] < 0:
        raise AnalysisError(
            f"invalid_{name}", f"{name} need at least two finite edges ≥ 0, got {list(values)}"
        )
    if (np.diff(edges) <= 0).any() if strict else (np.diff(edges) < 0).any():
        raise AnalysisError(f"invalid_{name}", f"{name} must increase strictly, got {list(values)}")
    return edges


def _local_days(occurred_at: pd.Series) -> np.ndarray:
    """Stockholm calendar day number of each timestamp (float, NaN when missing)."""
    times = to_utc(occurred_at)
    days = np.full(len(times), np.nan)
    known = ~np.asarray(times.isna())
    local = times[known].tz_convert(TIMEZONE).tz_localize(None)
    days[known] = local.values.astype("datetime64[D]").astype(np.int64)
    return days


def event_xyt(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(x, y, t, left_out): SWEREF 99 TM metres and days of the events that have a time.

    `t` is the column `t` (days, any origin) when present, else the Stockholm calendar date of
    `occurred_at` as a day number, so time differences are whole days. Coordinates are `x`/`y`
    (metres) or `lat`/`lon` (projected). Events without a time are left out and counted.
    """
    if not isinstance(events, pd.DataFrame):
        raise AnalysisError("invalid_events", "events must be a DataFrame")
    if "t" in events.columns:
        if not pd.api.types.is_numeric_dtype(events["t"]) or events["t"].dtype == bool:
            raise AnalysisError(
                "invalid_events", "'t' must be days as numbers; give timestamps as 'occurred_at'"
            )
        t = np.asarray(events["t"], dtype=np.float64)
    elif "occurred_at" in events.columns:
        t = _local_days(events["occurred_at"])
    else:
        raise AnalysisError("invalid_events", "events need 't' (days) or 'occurred_at'")
    x, y = event_xy(events)
    known = np.isfinite(t)
    return x[known], y[known], t[known], int((~known).sum())


def _compact_times(t: np.ndarray) -> np.ndarray:
    """Times shifted to start at 0, as int16/int32 when they are whole days, else float64."""
    shifted = t - t.min()
    if (shifted == np.round(shifted)).all():
        span = shifted.max()
        dtype = np.int16 if span < np.iinfo(np.int16).max else np.int32
        if span < np.iinfo(np.int32).max:
            return shifted.astype(dtype)
    return shifted


def _time_pairs_cumulative(t: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Pairs over all n(n−1)/2 with |Δt| < e_0, then with |Δt| ≤ e_k for k ≥ 1: O(n log n)."""
    ts = np.sort(t)
    after = np.arange(1, len(ts) + 1)
    out = np.empty(len(edges), dtype=np.int64)
    out[0] = (np.searchsorted(ts, ts + edges[0], side="left") - after).sum() if edges[0] else 0
    for k in range(1, len(edges)):
        out[k] = (np.searchsorted(ts, ts + edges[k], side="right") - after).sum()
    return out


def _check_close_pairs(tree: cKDTree, radius: float, permutations: int) -> None:
    """Count the close pairs first (no list) and refuse runs that would not fit."""
    n_close = (int(tree.count_neighbors(tree, radius)) - tree.n) // 2
    if n_close > MAX_CLOSE_PAIRS:
        raise AnalysisError(
            "too_many_pairs",
            f"{n_close:,} pairs of events lie within {radius:g} m of each other; at most "
            f"{MAX_CLOSE_PAIRS:,} are allowed: use smaller distance bands, a smaller area or "
            "fewer categories at once",
        )
    if n_close * permutations > MAX_PERMUTATION_WORK:
        most = MAX_PERMUTATION_WORK // max(n_close, 1)
        raise AnalysisError(
            "too_many_permutations",
            f"{permutations} permutations over {n_close:,} close pairs would take too long; "
            f"use at most {most}, or smaller distance bands",
        )


def _close_pairs(x: np.ndarray, y: np.ndarray, edges: np.ndarray, permutations: int) -> _ClosePairs:
    """Pairs within the last distance edge, banded by squared distance (exact on integers)."""
    xy = np.column_stack([x, y])
    tree = cKDTree(xy)
    radius = float(edges[-1]) * (1 + 1e-9) + 1e-9  # a margin; bands use the exact test below
    _check_close_pairs(tree, radius, permutations)
    pairs = tree.query_pairs(r=radius, output_type="ndarray")
    n_bands = len(edges) - 1
    if len(pairs) == 0:
        return _ClosePairs(np.empty(0, np.int64), [], np.zeros(n_bands, np.int64))
    i, j = pairs[:, 0], pairs[:, 1]
    del pairs
    d2 = (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2
    sq = edges**2
    band = np.searchsorted(sq, d2, side="left")
    band[d2 == sq[0]] = 1
    keep = (band >= 1) & (band <= n_bands)
    rank = np.empty(len(x), dtype=np.int64)
    rank[tree.indices] = np.arange(len(x))
    ri, rj, band = rank[i[keep]], rank[j[keep]], band[keep] - 1
    del i, j, d2, keep
    first, second = np.minimum(ri, rj), np.maximum(ri, rj)
    taking_part = np.zeros(len(x), dtype=bool)
    taking_part[first] = True
    taking_part[second] = True
    involved = np.flatnonzero(taking_part)
    relabel = np.cumsum(taking_part) - 1
    first, second = relabel[first], relabel[second]
    k = len(involved)
    order = np.argsort((band * k + first) * k + second)  # unique keys: band, first, second
    first, second, band = first[order], second[order], band[order]
    bounds = np.searchsorted(band, np.arange(n_bands + 1))
    blocks = []
    for s in range(n_bands):
        per_first = np.bincount(first[bounds[s] : bounds[s + 1]], minlength=k)
        start = np.concatenate([[0], np.cumsum(per_first)]) + bounds[s]
        cuts = np.searchsorted(start, np.arange(bounds[s], bounds[s + 1], _BLOCK_PAIRS))
        cuts = np.unique(np.concatenate([cuts, [k]]))
        blocks += [
            _Block(s, a, b, second[start[a] : start[b]], per_first[a:b])
            for a, b in zip(cuts[:-1], cuts[1:], strict=True)
            if start[b] > start[a]
        ]
    return _ClosePairs(tree.indices[involved], blocks, np.diff(bounds))


def _space_time_cumulative(times: np.ndarray, close: _ClosePairs, edges: np.ndarray) -> np.ndarray:
    """(columns × distance bands × edges): close pairs with |Δt| < e_0, then |Δt| ≤ e_k, k ≥ 1.

    `times` is (relabelled events × columns): one column of times per permutation (or the
    observed times as a single column). A block's pairs gather whole rows, so one index serves
    every column, and each comparison is counted per column by a float32 matrix product (exact:
    a block has far fewer than 2^24 pairs).
    """
    tests = _comparisons(times.dtype, edges)
    counted = [edge for edge, _, _ in tests]
    columns = times.shape[1]
    out = np.zeros((columns, len(close.band_pairs), len(edges)), dtype=np.int64)
    size = max((len(block.later) for block in close.blocks), default=0)
    diff_buffer = np.empty((size, columns), dtype=times.dtype)
    hits_buffer = np.empty((len(tests), size, columns), dtype=np.float32)
    ones = np.ones(size, dtype=np.float32)
    for block in close.blocks:
        n = len(block.later)
        diff, hits = diff_buffer[:n], hits_buffer[:, :n]
        np.take(times, block.later, axis=0, out=diff)
        diff -= np.repeat(times[block.first : block.stop], block.per_first, axis=0)
        np.abs(diff, out=diff)
        for row, (_, compare, threshold) in enumerate(tests):
            compare(diff, threshold, out=hits[row])
        counts = np.matmul(ones[:n], hits)  # (tests × columns)
        out[:, block.band, counted] += counts.T.astype(np.int64)
    return out


def _comparisons(dtype: np.dtype, edges: np.ndarray) -> list[tuple[int, np.ufunc, np.generic]]:
    """(edge column, comparison, threshold in the times' own dtype) for each counted edge.

    For whole days |Δt| ≤ e ⟺ |Δt| ≤ ⌊e⌋ and |Δt| < e ⟺ |Δt| < ⌈e⌉, so comparisons never
    convert the differences. The first column (|Δt| < e_0) is counted only when e_0 > 0.
    """
    if np.issubdtype(dtype, np.floating):
        below, at_most = edges[0], edges
    else:
        top = np.iinfo(dtype).max
        at_most = np.minimum(np.floor(edges), top).astype(dtype)
        below = min(np.ceil(edges[0]), top)
    tests = [(k, np.less_equal, dtype.type(at_most[k])) for k in range(1, len(edges))]
    return ([(0, np.less, dtype.type(below))] if edges[0] > 0 else []) + tests


def _permutation_batch(
    seed_seq: np.random.SeedSequence,
    size: int,
    t: np.ndarray,
    close: _ClosePairs,
    edges: np.ndarray,
) -> np.ndarray:
    """Cumulative space-time counts for `size` permutations of the times among all events."""
    rng = np.random.default_rng(seed_seq)
    permuted = np.empty((len(close.events), size), dtype=t.dtype)
    for r in range(size):
        # The first k of a random permutation of all times: the relabelled events' new times.
        permuted[:, r] = rng.permutation(t)[: len(close.events)]
    return _space_time_cumulative(permuted, close, edges)


def _permuted_cumulative(
    t: np.ndarray, close: _ClosePairs, edges: np.ndarray, permutations: int, seed: int
) -> np.ndarray:
    """(permutations × distance bands × edges) cumulative counts, reproducible from `seed`."""
    sizes = [min(_BATCH, permutations - s) for s in range(0, permutations, _BATCH)]
    seqs = np.random.SeedSequence(seed).spawn(len(sizes))
    if len(sizes) == 1:
        return _permutation_batch(seqs[0], sizes[0], t, close, edges)
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        parts = pool.map(
            lambda job: _permutation_batch(job[0], job[1], t, close, edges),
            zip(seqs, sizes, strict=True),
        )
        return np.concatenate(list(parts))


def _bands(cumulative: np.ndarray) -> np.ndarray:
    """Counts per band from cumulative counts along the last axis (first column: below e_0)."""
    return np.diff(cumulative, axis=-1)


def _band_statistics(
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    distance_edges: np.ndarray,
    time_edges: np.ndarray,
    permutations: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(observed, expected, p_sim) per distance band × time band, N_S, N_T per band, and P."""
    n = len(t)
    if n < 2:
        raise AnalysisError("too_few_events", f"near repeats need at least 2 events, got {n}")
    times = _compact_times(t)
    close = _close_pairs(x, y, distance_edges, permutations)
    total = n * (n - 1) // 2
    time_pairs = _bands(_time_pairs_cumulative(times.astype(np.float64), time_edges))
    expected = np.outer(close.band_pairs, time_pairs) / total
    observed = _bands(_space_time_cumulative(times[close.events, None], close, time_edges)[0])
    p_sim = np.full(observed.shape, np.nan)
    if permutations > 0 and close.count > 0:
        permuted = _bands(_permuted_cumulative(times, close, time_edges, permutations, seed))
        p_sim = (1 + (permuted >= observed).sum(axis=0)) / (permutations + 1)
    elif permutations > 0:
        p_sim = np.ones(observed.shape)
    return observed, expected, p_sim, close.band_pairs, time_pairs, total


def _ratio(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(expected), np.nan)
    np.divide(observed, expected, out=out, where=np.asarray(expected) > 0)
    return out


def _poisson_p(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """P(X ≥ observed) for X ~ Poisson(expected); 1 when nothing was observed."""
    return np.where(observed > 0, poisson.sf(observed - 1, expected), 1.0)


def knox(
    events: pd.DataFrame,
    *,
    distance_m: float,
    time_days: float,
    permutations: int = 999,
    seed: int = 0,
) -> KnoxResult:
    """The Knox test: pairs within `distance_m` metres and `time_days` days (both ≤).

    Events need `x`/`y` (SWEREF 99 TM metres) or `lat`/`lon`, and `t` (days) or
    `occurred_at` (its Stockholm calendar date). See the module docstring for the formulas.
    """
    _check_run(permutations, seed)
    distance = _edges([0.0, distance_m], "distance", strict=False)
    time = _edges([0.0, time_days], "time", strict=False)
    x, y, t, left_out = event_xyt(events)
    observed, expected, p_sim, space, time_pairs, total = _band_statistics(
        x, y, t, distance, time, int(permutations), int(seed)
    )
    return KnoxResult(
        observed=int(observed[0, 0]),
        expected=float(expected[0, 0]),
        ratio=float(_ratio(observed, expected)[0, 0]),
        p_sim=float(p_sim[0, 0]),
        p_poisson=float(_poisson_p(observed, expected)[0, 0]),
        space_pairs=int(space[0]),
        time_pairs=int(time_pairs[0]),
        pairs=int(total),
        events=len(t),
        left_out=left_out,
        distance_m=float(distance_m),
        time_days=float(time_days),
        permutations=int(permutations),
        seed=int(seed),
    )


def near_repeat_table(
    events: pd.DataFrame,
    *,
    distance_bands_m: Sequence[float] = DISTANCE_BANDS_M,
    time_bands_days: Sequence[float] = TIME_BANDS_DAYS,
    permutations: int = 999,
    seed: int = 0,
) -> pd.DataFrame:
    """Observed/expected pairs and p per distance band × time band, distance-major.

    Columns: `distance_from`, `distance_to` (metres), `time_from`, `time_to` (days),
    `observed`, `expected`, `ratio`, `p` (Monte Carlo; NaN without permutations), `p_adj`
    (Benjamini–Hochberg over the table), `p_poisson`, `space_pairs`, `time_pairs`. A band
    covers (from, to], the first of each kind [from, to]. `attrs` hold `events`, `pairs`,
    `close_pairs`, `left_out`, `permutations` and `seed`.
    """
    _check_run(permutations, seed)
    distance = _edges(distance_bands_m, "distance_bands")
    time = _edges(time_bands_days, "time_bands")
    x, y, t, left_out = event_xyt(events)
    observed, expected, p_sim, space, time_pairs, total = _band_statistics(
        x, y, t, distance, time, int(permutations), int(seed)
    )
    n_d, n_t = observed.shape
    p = p_sim.ravel()
    p_adj = false_discovery_control(p, method="bh") if permutations > 0 else p.copy()
    table = pd.DataFrame(
        {
            "distance_from": np.repeat(distance[:-1], n_t),
            "distance_to": np.repeat(distance[1:], n_t),
            "time_from": np.tile(time[:-1], n_d),
            "time_to": np.tile(time[1:], n_d),
            "observed": observed.ravel(),
            "expected": expected.ravel(),
            "ratio": _ratio(observed, expected).ravel(),
            "p": p,
            "p_adj": p_adj,
            "p_poisson": _poisson_p(observed, expected).ravel(),
            "space_pairs": np.repeat(space, n_t),
            "time_pairs": np.tile(time_pairs, n_d),
        }
    )
    table.attrs.update(
        {
            "events": len(t),
            "pairs": int(total),
            "close_pairs": int(space.sum()),
            "left_out": left_out,
            "permutations": int(permutations),
            "seed": int(seed),
        }
    )
    return table


__all__ = [
    "DISTANCE_BANDS_M",
    "TIME_BANDS_DAYS",
    "KnoxResult",
    "event_xyt",
    "knox",
    "near_repeat_table",
]
