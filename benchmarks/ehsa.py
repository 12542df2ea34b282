"""Benchmark of the emerging hot spot engine on a county-sized cube.

1,000,000 synthetic events over 130 two-week periods on ~30,000 resolution-9 cells in Skåne
(grid_disk(k=100) around a cell near 55.9 N 13.5 E). Times the whole engine (from events and
from an aggregated cube), its stages, and the Gi* step against esda's G_Local called once per
period on the same weights. Prints a table; never part of the timed test run.

    .venv/bin/python benchmarks/ehsa.py [--events 1000000] [--periods 130] [--ring 100]
"""

from __future__ import annotations

import os
import platform
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from benchlib import ANCHOR, DAYS, county, disk_rows, machine_line, options, sample_events, timed

from geo_service.analysis import (
    aggregate_events,
    benjamini_hochberg,
    classify,
    emerging_hotspots,
    emerging_hotspots_from_counts,
    gi_star,
    mann_kendall,
    normal_p,
    period_index,
    period_start,
    spatial_weights,
)
from geo_service.analysis.cells import cells_to_int
from geo_service.analysis.mann_kendall import trend_direction


def synthetic_events(n_events: int, n_periods: int, ring: int, seed: int = 0) -> tuple:
    """Events with a heterogeneous background and a few growing and emerging clusters."""
    rng = np.random.default_rng(seed)
    cells_hex, rate, index = county(rng, ring, n_periods)
    t = np.arange(n_periods) / n_periods
    for j, hub in enumerate(rng.choice(cells_hex, 40, replace=False).tolist()):
        members = disk_rows(index, hub, 2)
        shape = 1 + 6 * t if j % 2 else np.where(t > 0.9, 8.0, 1.0)  # growing / emerging
        rate[members] *= shape
    cell_idx, times = sample_events(rng, rate, n_events)
    events = pd.DataFrame({"occurred_at": times, "cell": cells_hex[cell_idx]})
    end = period_start(n_periods, ANCHOR, DAYS)
    return events, cells_hex, end


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak memory allocated while `fn` runs (tracemalloc; numpy reports its buffers to it)."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def esda_baseline(values: np.ndarray, w, n_measure: int) -> tuple[float, float, float]:
    """Seconds per period of esda G_Local (B, star, no permutations) and max |Δz| vs ours."""
    from esda.getisord import G_Local
    from libpysal.weights import WSP

    t0 = time.perf_counter()
    lib_w = WSP(w).to_W(silence_warnings=True)
    setup = time.perf_counter() - t0
    ours = gi_star(values, w, time_lag=0, global_window="step")
    diffs, seconds = [], []
    steps = np.linspace(0, values.shape[1] - 1, n_measure).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in steps:
            t0 = time.perf_counter()
            zs = G_Local(values[:, t], lib_w, transform="B", star=True, permutations=0).Zs
            seconds.append(time.perf_counter() - t0)
            diffs.append(np.abs(zs - ours[:, t]).max())
    return float(np.mean(seconds)), setup, float(max(diffs))


def main() -> None:
    args = options(__doc__, events=1_000_000, periods=130, ring=100, esda_periods=130, repeat=3)

    events, cells_hex, end = synthetic_events(args.events, args.periods, args.ring)
    n_cells = len(cells_hex)
    study = list(cells_hex)
    cells = cells_to_int(cells_hex)
    w = spatial_weights(cells, 1)
    print(
        f"cube: {len(events):,} events, {n_cells:,} cells (res 9), {args.periods} periods "
        f"of {DAYS} days = {n_cells * args.periods:,} bins; "
        f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"numpy {np.__version__}"
    )

    # The engine alone (categories); the scan and the self-calibration have benchmarks/scan.py
    # and benchmarks/detection.py.
    engine = {"confirm": False, "calibration_runs": 0}
    run_events = lambda: emerging_hotspots(  # noqa: E731
        events, anchor=ANCHOR, end=end, study_cells=study, k=1, time_lag=1, **engine
    )
    t_events = timed(run_events, args.repeat)
    result = t_events[2]
    steps = period_index(events["occurred_at"], ANCHOR, DAYS)
    counts = aggregate_events(cells_to_int(events["cell"]), steps)
    starts = period_start(np.arange(args.periods), ANCHOR, DAYS)
    run_counts = lambda: emerging_hotspots_from_counts(counts, study, starts, **engine)  # noqa: E731
    t_counts = timed(run_counts, args.repeat)
    assert (t_counts[2].cells.category == result.cells.category).all()

    values = np.zeros((n_cells, args.periods))
    rows = np.searchsorted(cells, counts["cell"].to_numpy())
    values[rows, counts["period"].to_numpy()] = counts["value"].to_numpy()
    t_weights = timed(lambda: spatial_weights(cells, 1), args.repeat)
    t_gi_lag1 = timed(lambda: gi_star(values, w, 1, "cube"), args.repeat)
    t_gi_step = timed(lambda: gi_star(values, w, 0, "step"), args.repeat)
    z = t_gi_lag1[2]
    t_fdr = timed(lambda: benjamini_hochberg(normal_p(z), axis=0), args.repeat)
    t_mk = timed(lambda: mann_kendall(np.round(z, 9)), args.repeat)
    t_mk_counts = timed(lambda: mann_kendall(values), args.repeat)
    q, trend = t_fdr[2], t_mk[2]
    hot, cold = (q <= 0.05) & (z > 0), (q <= 0.05) & (z < 0)
    t_cat = timed(lambda: classify(hot, cold, trend_direction(trend, 0.05)), args.repeat)

    measured = min(args.esda_periods, args.periods)
    per_period, esda_setup, max_diff = esda_baseline(values, w, measured)
    esda_total = per_period * args.periods

    mem_events = peak_mib(run_events)
    mem_counts = peak_mib(run_counts)
    mem_gi = peak_mib(lambda: gi_star(values, w, 1, "cube"))
    mem_gi_step = peak_mib(lambda: gi_star(values, w, 0, "step"))

    table = [
        ("whole engine from events (cube → categories, DataFrames)", t_events, mem_events),
        ("whole engine from aggregated counts (service path)", t_counts, mem_counts),
        ("  spatial weights (h3 → CSR)", t_weights, None),
        ("  Gi* z, time_lag=1, window=cube", t_gi_lag1, mem_gi),
        ("  Gi* z, time_lag=0, window=step (as esda)", t_gi_step, mem_gi_step),
        ("  normal p + BH FDR per step", t_fdr, None),
        ("  Mann–Kendall on z series (2 threads)", t_mk, None),
        ("  Mann–Kendall on counts (2 threads)", t_mk_counts, None),
        ("  categories", t_cat, None),
    ]
    print(f"\n{'step':<60}{'wall s':>9}{'CPU s':>9}{'peak MiB':>10}")
    for name, (wall, cpu, _), mem in table:
        print(f"{name:<60}{wall:>9.3f}{cpu:>9.3f}{'' if mem is None else f'{mem:.0f}':>10}")
    print(f"{f'esda G_Local x {args.periods} periods (time_lag=0)':<60}{esda_total:>9.3f}")
    note = "" if measured == args.periods else f", measured on {measured} periods, extrapolated"
    print(
        f"\nesda baseline: {per_period:.3f} s per period{note}; libpysal W built once in "
        f"{esda_setup:.1f} s (not counted); max |z_ours - z_esda| = {max_diff:.1e}"
    )
    gi_wall = t_gi_step[0]
    print(
        f"Gi* speed-up over esda, same weights, time_lag=0: {esda_total / gi_wall:,.0f}x "
        f"({esda_total / (gi_wall + t_weights[0]):,.0f}x including our weight build)"
    )
    print(machine_line(f"best of {args.repeat} runs; "))
    categories = result.cells.category.value_counts()
    print("\ncategories:", ", ".join(f"{k} {v}" for k, v in categories.items()))


if __name__ == "__main__":
    main()
