"""Self-calibration: every run measures its own false alarms.

R time permutations (seeded) shuffle the period labels among the events while each event keeps
its cell, and the same pipeline (Gi*, trend, categories, confirmation) runs on each. That keeps
the spatial pattern and destroys any temporal one, so every change label in a permuted run is
a false alarm. A change label is an intensifying or diminishing cell, or a confirmed new or
consecutive hot spot. The run stores, per label, the mean number of cells per permuted run and
the share of permuted runs with at least one, and its warnings are built from those numbers.

`resolution="auto"` keeps the finest H3 resolution (7 → 10) whose expected number of false
change labels stays below 0.25 per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np

from geo_service.analysis.categories import CATEGORIES
from geo_service.analysis.notices import notice, sv_number

TREND_LABELS = ("intensifying_hot", "diminishing_hot", "intensifying_cold", "diminishing_cold")
CONFIRMABLE = ("new_hot", "consecutive_hot")
UNCERTAIN = ("new_hot", "consecutive_hot", "new_cold", "consecutive_cold")
LABEL_KEYS: tuple[str, ...] = (*CATEGORIES, *(f"confirmed_{name}" for name in CONFIRMABLE))
WARN_AT = 0.1  # expected false change labels per run below which no warning is shown
AUTO_LIMIT = 0.25  # resolution="auto" keeps the finest resolution below this
AUTO_RESOLUTIONS = (7, 8, 9, 10)
DEFAULT_RUNS = 19

Result = TypeVar("Result")


def confirmed_labels(category: np.ndarray, in_alarm: np.ndarray) -> np.ndarray:
    """New and consecutive hot cells that lie in a scan cluster with an alarm."""
    return np.isin(category, CONFIRMABLE) & in_alarm


def uncertain_labels(category: np.ndarray, confirmed: np.ndarray) -> np.ndarray:
    """New and consecutive hot or cold labels without a confirming scan alarm."""
    return np.isin(category, UNCERTAIN) & ~confirmed


def label_counts(category: np.ndarray, confirmed: np.ndarray) -> np.ndarray:
    """Cells per label of LABEL_KEYS: the categories, then the confirmed new/consecutive."""
    per_category = np.array([(category == name).sum() for name in CATEGORIES])
    per_confirmed = np.array([(confirmed & (category == name)).sum() for name in CONFIRMABLE])
    return np.concatenate([per_category, per_confirmed])


def false_change_labels(counts: np.ndarray) -> np.ndarray:
    """Change labels per run from label_counts rows: trend labels plus confirmed new/consecutive."""
    keys = [*TREND_LABELS, *(f"confirmed_{name}" for name in CONFIRMABLE)]
    return np.asarray(counts)[..., [LABEL_KEYS.index(key) for key in keys]].sum(axis=-1)


def permuted_cubes(
    rows: np.ndarray,
    steps: np.ndarray,
    weights: np.ndarray,
    shape: tuple[int, int],
    runs: int,
    seed: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(values, events) cubes with the events' period labels shuffled; cells stay put."""
    rng = np.random.default_rng(seed)
    size = shape[0] * shape[1]
    for _ in range(runs):
        flat = rows * shape[1] + rng.permutation(steps)
        events = np.bincount(flat, minlength=size).reshape(shape).astype(np.float64)
        values = np.bincount(flat, weights=weights, minlength=size).reshape(shape)
        yield values, events


def cube_events(values: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, ...]:
    """One entry per event (row, step, weight) from a cube; a bin's value is shared equally."""
    counts = np.rint(events).astype(np.int64).ravel()
    flat = np.repeat(np.arange(counts.size), counts)
    per_event = np.divide(values.ravel(), counts, out=np.zeros(counts.size), where=counts > 0)
    return flat // events.shape[1], flat % events.shape[1], per_event[flat]


def summarise(counts: np.ndarray, runs: int, seed: int) -> dict[str, Any]:
    """The stored calibration: mean cells and share of runs per label, and the change totals."""
    counts = np.asarray(counts, dtype=np.float64).reshape(runs, len(LABEL_KEYS))
    change = false_change_labels(counts)
    return {
        "runs": int(runs),
        "seed": int(seed),
        "mean_cells": _by_label(counts.mean(axis=0)),
        "share_of_runs": _by_label((counts > 0).mean(axis=0)),
        "false_change_labels_per_run": round(float(change.mean()), 4),
        "false_change_labels_share_of_runs": round(float((change > 0).mean()), 4),
    }


def _by_label(values: np.ndarray) -> dict[str, float]:
    return {key: round(float(v), 4) for key, v in zip(LABEL_KEYS, values, strict=True)}


def calibration_warnings(calibration: dict[str, Any] | None) -> list[dict[str, str]]:
    """A coordinator's warning when chance change labels are expected (≥ 0.1 per run)."""
    if not calibration:
        return []
    rate = calibration["false_change_labels_per_run"]
    if rate < WARN_AT:
        return []
    if rate < 1:
        every = max(round(1 / rate), 2)
        how_sv = f"ungefär en gång var {every}:e körning"
        how_en = f"about once every {every} runs"
    else:
        how_sv = f"ungefär {sv_number(rate, 1)} gånger per körning"
        how_en = f"about {rate:.1f} times per run"
    return [
        notice(
            "chance_change_labels",
            f"Med de här inställningarna dyker en förändring (tilltagande, avtagande eller "
            f"bekräftad ny hotspot) upp av en slump {how_sv}. Se en enskild förändring som "
            "en anledning att titta närmare, inte som ett bevis; större celler eller längre "
            "perioder ger färre slumpträffar.",
            f"With these settings a change (intensifying, diminishing or a confirmed new hot "
            f"spot) appears by chance {how_en}. Treat a single change as a reason to look "
            "closer, not as proof; larger cells or longer periods give fewer chance hits.",
        )
    ]


def choose_resolution(
    run_at: Callable[[int], Result], rate_of: Callable[[Result], float]
) -> tuple[Result, dict[str, Any]]:
    """The finest resolution of AUTO_RESOLUTIONS whose false change labels stay below the limit.

    Tries the finest first and stops at the first that passes; if none does, the coarsest.
    """
    tried: dict[str, float] = {}
    result: Result | None = None
    for resolution in sorted(AUTO_RESOLUTIONS, reverse=True):
        result = run_at(resolution)
        tried[str(resolution)] = rate_of(result)
        if tried[str(resolution)] < AUTO_LIMIT:
            break
    assert result is not None
    return result, {
        "resolution": int(min(int(r) for r in tried)),
        "false_change_labels_per_run": tried,
        "limit": AUTO_LIMIT,
    }
