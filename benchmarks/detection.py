"""Benchmark of a whole detection run at a small municipality's scale.

A run is the emerging hot spot categories, the space-time scan that confirms new hot spots
(999 replicates) and the self-calibration (19 time permutations), on the Perstorp demo's
events and on twice as many (two demo seeds together: about 2,300 events, 1,100 a year), at
resolution 9 and with resolution="auto" (which tries 10 → 7). The engine alone is the baseline
in the same run. Prints the median of --repeat runs; never part of the timed test run.

    .venv/bin/python benchmarks/detection.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo_service.analysis import emerging_hotspots
from geo_service.demo import perstorp
from geo_service.grid import polygon_cells


def study_area(resolution: int) -> list[str]:
    to_wgs84 = Transformer.from_crs(3006, 4326, always_xy=True)
    boundary = shapely.transform(
        perstorp.boundary(), lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
    )
    return polygon_cells(boundary, resolution)


def median_seconds(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    demo = perstorp.generate_events()
    demo = demo[demo["kind"] != "walk_finding"]
    twice = pd.concat([demo, perstorp.generate_events(seed=7).query("kind != 'walk_finding'")])
    area = study_area(9)
    end = perstorp.LAST_PERIOD_END
    print(f"{'data':<22} {'what':<44} {'median s':>9}  resolution  false labels/run")
    base = {"anchor": perstorp.PERIOD_ANCHOR, "end": end}
    for name, events in (("demo", demo), ("demo × 2", twice)):
        cases = {
            "engine alone (no scan, no calibration)": dict(
                resolution=9, study_cells=area, confirm=False, calibration_runs=0
            ),
            "whole run, resolution 9": dict(resolution=9, study_cells=area),
            "whole run, resolution auto": dict(resolution="auto", study_cells=area),
        }
        for what, options in cases.items():
            seconds, result = median_seconds(
                lambda o=options, e=events: emerging_hotspots(e, **base, **o), args.repeat
            )
            rate = (result.calibration or {}).get("false_change_labels_per_run", "–")
            label = f"{name} ({len(events):,} events)"
            print(f"{label:<22} {what:<44} {seconds:>9.2f}  {result.params['resolution']:>10}"
                  f"  {rate}")  # fmt: skip


if __name__ == "__main__":
    main()
