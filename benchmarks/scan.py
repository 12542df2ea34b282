"""Benchmark of the prospective space-time permutation scan at county and municipality scale.

(a) County: 1,000,000 synthetic events over 130 two-week periods on ~30,000 resolution-9 cells
    in Skåne (grid_disk(k=100) around a cell near 55.9 N 13.5 E), max radius 1 km, 999
    replicates, from an aggregated cube (the service path).
(b) Municipality: about 1,100 events a year over a 15 × 15 km square around Perstorp, two years
    of two-week periods, 999 replicates, from events and from the aggregated cube.
(c) A straightforward per-cylinder loop against the vectorised scan on the same small cube.

Prints a table; never part of the timed test run.

    .venv/bin/python benchmarks/scan.py [--events 1000000] [--ring 100] [--replicates 999]
"""

from __future__ import annotations

import os
import platform
from math import log

import h3
import numpy as np
import pandas as pd
from benchlib import ANCHOR, DAYS, county, disk_rows, machine_line, options, timed

from geo_service.analysis.circles import cell_centroids_xy
from geo_service.analysis.periods import period_start
from geo_service.analysis.scan import space_time_scan, space_time_scan_from_counts


def county_counts(n_events: int, n_periods: int, ring: int, seed: int = 0) -> tuple:
    """Aggregated counts of events with a heterogeneous background and a few emerging spots."""
    rng = np.random.default_rng(seed)
    cells_hex, rate, index = county(rng, ring, n_periods)
    for hub in rng.choice(cells_hex, 10, replace=False).tolist():
        members = disk_rows(index, hub, 1)
        rate[members, -3:] *= 3.0  # emerging over the last three periods
    cube = rng.multinomial(n_events, (rate / rate.sum()).ravel()).reshape(rate.shape)
    rows, steps = np.nonzero(cube)
    counts = pd.DataFrame({"cell": cells_hex[rows], "period": steps, "events": cube[rows, steps]})
    return counts, cells_hex, period_start(np.arange(n_periods), ANCHOR, DAYS)


def perstorp_events(seed: int = 0, per_year: int = 1100, steps: int = 52) -> pd.DataFrame:
    """Dense centres over a thin background in a 15 × 15 km square, the same in every period."""
    rng = np.random.default_rng(seed)
    lat0, lon0, half = 56.133, 13.383, 7500.0
    centres = ((0, 0, 350, 0.35), (-700, 150, 250, 0.15), (600, -500, 300, 0.12))
    n = rng.poisson(per_year * steps * DAYS / 365)
    share = np.array([c[3] for c in centres] + [0.38])
    source = rng.choice(len(share), n, p=share / share.sum())
    east, north = rng.uniform(-half, half, n), rng.uniform(-half, half, n)
    for i, (x, y, sd, _) in enumerate(centres):
        at = source == i
        east[at], north[at] = rng.normal(x, sd, at.sum()), rng.normal(y, sd, at.sum())
    start = pd.Timestamp(ANCHOR, tz="Europe/Stockholm")
    days = rng.integers(0, steps, n) * DAYS + rng.uniform(0, DAYS - 0.1, n)
    return pd.DataFrame(
        {
            "occurred_at": start + pd.to_timedelta(days, unit="D"),
            "lat": lat0 + north / 111_320.0,
            "lon": lon0 + east / (111_320.0 * np.cos(np.radians(lat0))),
        }
    )


def plain_scan_maxima(
    cube: np.ndarray, cells: np.ndarray, radius: float, max_steps: int, replicates: int, seed: int
) -> tuple[float, np.ndarray]:
    """Observed maximum LLR and replicate maxima, one cylinder at a time (max share 0.5)."""
    xy = cell_centroids_xy(cells)
    n_cells, n_periods = cube.shape
    circles = []
    for i in range(n_cells):
        dist = np.hypot(*(xy - xy[i]).T)
        order = np.lexsort((np.arange(n_cells), dist))
        circles.append([j for j in order if dist[j] <= radius])
    rows, steps = np.nonzero(cube)
    cell_of = np.repeat(rows, cube[rows, steps])
    step_of = np.repeat(steps, cube[rows, steps])
    rng = np.random.default_rng(seed)

    def max_llr(x: np.ndarray) -> float:
        total, n_z, n_d = x.sum(), x.sum(axis=1), x.sum(axis=0)
        best = 0.0
        for members in circles:
            in_circle = 0
            for k in range(len(members)):
                in_circle += n_z[members[k]]
                if in_circle > 0.5 * total:
                    break
                for w in range(1, max_steps + 1):
                    c = x[members[: k + 1], n_periods - w :].sum()
                    mu = in_circle * n_d[n_periods - w :].sum() / total
                    if c > mu and c >= 2:
                        llr = c * log(c / mu) + (total - c) * log((total - c) / (total - mu))
                        best = max(best, llr)
        return best

    maxima = []
    for _ in range(replicates):
        shuffled = np.zeros_like(cube)
        np.add.at(shuffled, (cell_of, rng.permutation(step_of)), 1)
        maxima.append(max_llr(shuffled))
    return max_llr(cube), np.array(maxima)


def row(name: str, wall: float, cpu: float, cylinders: int, replicates: int) -> str:
    """A table row; the rate is cylinders × replicates per second, in millions."""
    rate = f"{cylinders * replicates / wall / 1e6:>12.2f}" if replicates else f"{'':>12}"
    return f"{name:<52}{wall:>9.3f}{cpu:>9.3f}{cylinders:>12,}{replicates:>6}{rate}"


def main() -> None:
    args = options(
        __doc__, events=1_000_000, periods=130, ring=100, replicates=999, repeat=3,
        plain_replicates=19,
    )  # fmt: skip
    reps = args.replicates
    print(
        f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"numpy {np.__version__}; best of {args.repeat} runs"
    )
    header = f"{'run':<52}{'wall s':>9}{'CPU s':>9}{'cylinders':>12}{'R':>6}{'M cyl·R/s':>12}"
    print(f"\n{header}")

    counts, cells_hex, starts = county_counts(args.events, args.periods, args.ring)
    study = list(cells_hex)
    county = timed(
        lambda: space_time_scan_from_counts(counts, study, starts, replicates=reps), args.repeat
    )
    res = county[2]
    name = f"(a) county: {args.events:,} events, {len(cells_hex):,} cells"
    print(row(name, county[0], county[1], res.params["cylinders"], reps))
    observed_only = timed(
        lambda: space_time_scan_from_counts(counts, study, starts, null_max=res.null_max),
        args.repeat,
    )
    n_cyl = res.params["cylinders"]
    print(row("    observed scan only (null_max reused)", *observed_only[:2], n_cyl, 0))

    events = perstorp_events()
    end = period_start(52, ANCHOR, DAYS)
    small = timed(
        lambda: space_time_scan(events, anchor=ANCHOR, end=end, replicates=reps), args.repeat
    )
    p_res = small[2]
    name = f"(b) Perstorp from events: {len(events):,} events, {p_res.params['n_cells']} cells"
    print(row(name, small[0], small[1], p_res.params["cylinders"], reps))

    rng = np.random.default_rng(1)
    centre = h3.latlng_to_cell(56.133, 13.383, 9)
    tiny_cells = np.array(sorted(h3.grid_disk(centre, 4)), dtype=object)
    tiny = rng.poisson(rng.gamma(1.0, 0.8, len(tiny_cells))[:, None] * np.ones(26))
    rows, steps = np.nonzero(tiny)
    tiny_counts = pd.DataFrame(
        {"cell": tiny_cells[rows], "period": steps, "events": tiny[rows, steps]}
    )
    tiny_starts = period_start(np.arange(26), ANCHOR, DAYS)
    r_plain = args.plain_replicates
    vec = timed(
        lambda: space_time_scan_from_counts(
            tiny_counts, list(tiny_cells), tiny_starts, replicates=r_plain, max_steps=6
        ),
        args.repeat,
    )
    cells_int = np.array([int(c, 16) for c in tiny_cells])
    plain = timed(lambda: plain_scan_maxima(tiny, cells_int, 1000, 6, r_plain, 0))
    n_cyl = vec[2].params["cylinders"]
    name = f"(c) small cube {len(tiny_cells)} cells × 26 periods: vectorised"
    print(row(name, vec[0], vec[1], n_cyl, r_plain))
    print(row("    plain per-cylinder loop", plain[0], plain[1], n_cyl, r_plain))
    assert abs(plain[2][0] - vec[2].params["max_llr"]) < 1e-9

    print(
        f"\n(c) speed-up of the vectorised scan over the plain loop: {plain[0] / vec[0]:,.0f}x "
        f"(same observed max LLR {plain[2][0]:.4f})"
    )
    print(
        f"(a) county: window events {res.params['window_events']:,}, "
        f"replicates evaluated over every cylinder {res.params['replicates_in_full']}, "
        f"max LLR {res.params['max_llr']:.1f}, critical LLR 0.05 "
        f"{res.params['critical_llr_05']:.1f}, clusters {len(res.clusters)} "
        f"({int(res.clusters.alarm.sum())} alarms)"
    )
    print(machine_line())


if __name__ == "__main__":
    main()
