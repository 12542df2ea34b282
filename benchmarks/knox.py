"""Benchmark of the near-repeat table (Knox test over distance × time bands).

100,000 synthetic events over three years in a 56 × 56 km square (about the size of the Skåne
cube in benchmarks/ehsa.py): 65% in 300 neighbourhood clusters (sd 500 m), 25% spread evenly
and 10% near repeats (within 150 m and 1–10 days of an earlier event). Times the default table
(0–100–200–400–800 m × 0–7–14–28–56 days, 999 permutations) and pointpats' `Knox` for one band
(≤ 100 m, ≤ 7 days) on a subset small enough for it, with our `knox` on the same subset.
Prints figures; never part of the timed test run.

    .venv/bin/python benchmarks/knox.py [--events 100000] [--permutations 999]
                                        [--pointpats-events 10000] [--pointpats-permutations 99]
"""

from __future__ import annotations

import os
import platform
import warnings

import numpy as np
import pandas as pd
from benchlib import machine_line, options, timed

from geo_service.analysis.knox import knox, near_repeat_table

SIDE_M = 56_000.0
DAYS = 3 * 365


def synthetic_events(n_events: int, seed: int = 0) -> pd.DataFrame:
    """Clustered and even background with planted near repeats (x, y metres; t whole days)."""
    rng = np.random.default_rng(seed)
    n_repeat = n_events // 10
    n_cluster = int(0.65 * n_events)
    n_even = n_events - n_repeat - n_cluster
    centres = rng.uniform(2000, SIDE_M - 2000, (300, 2))
    clustered = centres[rng.integers(0, len(centres), n_cluster)]
    clustered = clustered + rng.normal(0, 500, (n_cluster, 2))
    even = rng.uniform(0, SIDE_M, (n_even, 2))
    xy = np.vstack([clustered, even])
    t = rng.integers(0, DAYS, len(xy))
    source = rng.integers(0, len(xy), n_repeat)
    angle = rng.uniform(0, 2 * np.pi, n_repeat)
    radius = 150 * np.sqrt(rng.uniform(0, 1, n_repeat))
    repeat_xy = xy[source] + np.column_stack([np.cos(angle), np.sin(angle)]) * radius[:, None]
    repeat_t = t[source] + rng.integers(1, 11, n_repeat)
    return pd.DataFrame(
        {
            "x": np.concatenate([xy[:, 0], repeat_xy[:, 0]]),
            "y": np.concatenate([xy[:, 1], repeat_xy[:, 1]]),
            "t": np.concatenate([t, repeat_t]),
        }
    )


def main() -> None:
    args = options(
        __doc__, events=100_000, permutations=999, pointpats_events=10_000,
        pointpats_permutations=99,
    )  # fmt: skip

    events = synthetic_events(args.events)
    print(
        f"{len(events):,} events over {DAYS} days in {SIDE_M / 1000:.0f} x {SIDE_M / 1000:.0f} "
        f"km; {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"numpy {np.__version__}"
    )
    wall, cpu, table = timed(lambda: near_repeat_table(events, permutations=args.permutations))
    close = table.attrs["close_pairs"]
    per_pair = wall / max(close * args.permutations, 1) * 1e9
    print(
        f"\nnear-repeat table, {len(table)} band pairs, {args.permutations} permutations: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU"
    )
    print(
        f"  {close:,} pairs within 800 m (of {table.attrs['pairs']:,}); "
        f"{per_pair:.2f} ns wall per close pair and permutation"
    )
    wall0, cpu0, _ = timed(lambda: near_repeat_table(events, permutations=0))
    print(
        f"  of which pairs, bands and expected counts (no permutations): {wall0:.2f} s wall, "
        f"{cpu0:.2f} s CPU"
    )

    subset = events.sample(args.pointpats_events, random_state=1).reset_index(drop=True)
    r = args.pointpats_permutations
    ours_wall, _, ours = timed(
        lambda: knox(subset, distance_m=100, time_days=7, permutations=r, seed=0)
    )
    from pointpats import Knox

    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp_wall, _, theirs = timed(
            lambda: Knox(
                subset[["x", "y"]].to_numpy(), subset[["t"]].to_numpy(), 100, 7, permutations=r
            )
        )
    print(
        f"\none band (<= 100 m, <= 7 days) on {len(subset):,} of the events, {r} permutations:"
        f"\n  pointpats Knox {pp_wall:.2f} s; ours {ours_wall:.3f} s "
        f"({pp_wall / ours_wall:,.0f}x); N_ST {theirs.nst:.0f} vs {ours.observed}, "
        f"expected {theirs.expected[0, 0]:.3f} vs {ours.expected:.3f}, "
        f"p_sim {theirs.p_sim:.3f} vs {ours.p_sim:.3f}"
    )
    print(machine_line() + "\n")
    shown = table[["distance_to", "time_to", "observed", "expected", "ratio", "p", "p_adj"]]
    print(shown.round({"expected": 1, "ratio": 2, "p": 3, "p_adj": 3}).to_string(index=False))


if __name__ == "__main__":
    main()
