"""Benchmark of the rolling-origin backtest of hot spot rankings (PAI, PEI*).

1,000,000 synthetic events over 130 two-week periods on ~30,000 resolution-9 cells in Skåne
(grid_disk(k=100) around a cell near 55.9 N 13.5 E), with a heterogeneous background, growing
and emerging clusters and short-lived flare-ups. Events carry their `cell` (as the service
reads them from the database) and SWEREF 99 TM `x`/`y` (the cell's centre plus up to ~100 m),
which the kernel density uses. Times the whole backtest (12 origins × 7 methods) and each
method on its own, and prints the summary. Never part of the timed test run.

    .venv/bin/python benchmarks/backtest.py [--events 1000000] [--periods 130] [--ring 100]
"""

from __future__ import annotations

import argparse
import os
import platform

import h3
import numpy as np
import pandas as pd
from benchlib import ANCHOR, DAYS, county, disk_rows, machine_line, sample_events, timed

from geo_service.analysis.evaluate import METHODS, backtest
from geo_service.analysis.periods import period_start
from geo_service.analysis.projection import to_sweref99tm


def synthetic_events(n_events: int, n_periods: int, ring: int, seed: int = 0) -> pd.DataFrame:
    """Events with stable hot spots, growing and emerging clusters and brief flare-ups."""
    rng = np.random.default_rng(seed)
    cells_hex, rate, index = county(rng, ring, n_periods)
    t = np.arange(n_periods) / n_periods
    for j, hub in enumerate(rng.choice(cells_hex, 60, replace=False).tolist()):
        members = disk_rows(index, hub, 2)
        if j % 3 == 0:
            shape = 1 + 6 * t  # growing
        elif j % 3 == 1:
            shape = np.where(t > 0.85, 8.0, 1.0)  # emerging
        else:  # flare-ups of a few periods at random times
            shape = np.ones(n_periods)
            for s in rng.choice(n_periods - 3, 4, replace=False):
                shape[s : s + 3] = 10.0
        rate[members] *= shape
    cell_idx, times = sample_events(rng, rate, n_events)
    lat, lon = np.array([h3.cell_to_latlng(c) for c in cells_hex]).T
    cx, cy = to_sweref99tm(lat, lon)
    jitter = rng.normal(0, 60, (n_events, 2))
    return pd.DataFrame(
        {
            "occurred_at": times,
            "cell": pd.Categorical.from_codes(cell_idx, categories=pd.Index(cells_hex)),
            "x": cx[cell_idx] + jitter[:, 0],
            "y": cy[cell_idx] + jitter[:, 1],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--periods", type=int, default=130)
    parser.add_argument("--ring", type=int, default=100)
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--per-method", action="store_true", help="also time each method alone")
    args = parser.parse_args()
    methods = tuple(args.methods.split(","))

    events = synthetic_events(args.events, args.periods, args.ring)
    end = period_start(args.periods, ANCHOR, DAYS)
    print(
        f"{len(events):,} events, {events['cell'].cat.categories.size:,} cells (res 9), "
        f"{args.periods} periods of {DAYS} days, {args.origins} origins; {os.cpu_count()} CPUs, "
        f"{platform.processor() or platform.machine()}, numpy {np.__version__}"
    )

    def run(chosen: tuple[str, ...]):
        return timed(
            lambda: backtest(
                events, methods=chosen, origins=args.origins, anchor=ANCHOR, end=end, seed=0
            )
        )

    wall, cpu, result = run(methods)
    print(f"\n{'run':<44}{'wall s':>9}{'CPU s':>9}")
    print(f"{f'backtest, {len(methods)} methods':<44}{wall:>9.2f}{cpu:>9.2f}")
    if args.per_method:
        base = run(("counts_last",))
        print(f"{'  counts_last alone (cube, area, setup)':<44}{base[0]:>9.2f}{base[1]:>9.2f}")
        print("  each other method: a run with counts_last and it, minus the run above")
        print("  (gi_star and ehsa share one emerging hot spot run when both are chosen)")
        for method in methods:
            if method != "counts_last":
                w, c, _ = run(("counts_last", method))
                print(f"{f'  + {method}':<44}{w - base[0]:>9.2f}{c - base[1]:>9.2f}")
    print(machine_line())
    bandwidths = sorted(set(result.bandwidths_m.values()))
    print(f"kde bandwidths chosen (m): {bandwidths}")
    pd.set_option("display.width", 140)
    columns = ["method", "coverage", "pai", "pai_low", "pai_high", "pei_star", "hit_rate"]
    print()
    print(result.summary[columns].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
