"""What the analysis benchmarks share: the synthetic county, options, timing and the machine line.

The county is a ring of resolution-9 H3 cells around a cell in Skåne (55.9 N 13.5 E) with a
heterogeneous background rate per cell; each benchmark plants its own patterns on top.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time
from collections.abc import Callable
from typing import Any

import h3
import numpy as np
import pandas as pd

from geo_service.analysis.periods import period_start

ANCHOR = dt.date(2021, 1, 4)
DAYS = 14


def options(doc: str, **defaults: int) -> argparse.Namespace:
    """The command line: one integer option per default (`events=1_000_000` → --events)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, value in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=value)
    return parser.parse_args()


def county(
    rng: np.random.Generator, ring: int, n_periods: int
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(sorted hex cells, background rate per cell × period, cell → row) of the county."""
    centre = h3.latlng_to_cell(55.9, 13.5, 9)
    cells_hex = np.array(sorted(h3.grid_disk(centre, ring)), dtype=object)
    rate = np.outer(rng.gamma(0.5, 1.0, len(cells_hex)), np.ones(n_periods))
    return cells_hex, rate, {c: i for i, c in enumerate(cells_hex.tolist())}


def disk_rows(index: dict[str, int], hub: str, k: int) -> list[int]:
    """Rows of the county's cells within grid distance k of a hub cell."""
    return [index[c] for c in h3.grid_disk(hub, k) if c in index]


def sample_events(
    rng: np.random.Generator, rate: np.ndarray, n_events: int
) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """(cell row, UTC time) of events drawn from a (cells × periods) rate, uniform in the period."""
    n_periods = rate.shape[1]
    flat = rng.choice(rate.size, size=n_events, p=(rate / rate.sum()).ravel())
    cell_idx, step = np.divmod(flat, n_periods)
    starts = period_start(np.arange(n_periods), ANCHOR, DAYS)
    seconds = rng.uniform(0, DAYS * 86400 - 7200, n_events)  # stay clear of DST-short periods
    return cell_idx, starts[step].tz_convert("UTC") + pd.to_timedelta(seconds, unit="s")


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, float, Any]:
    """Best wall and CPU seconds over `repeat` runs, and the last result."""
    best_wall, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def machine_line(note: str = "") -> str:
    """The process's peak memory and the load average, to read the figures against."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"process max RSS {rss:.0f} MiB; {note}load average {load}"
