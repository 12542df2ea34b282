"""Emerging hot spot categories from hot/cold bins and the trend behind them (see `trend`).

Rules are evaluated in the table's order and the first match wins; cold rules mirror hot rules
with hot ↔ cold swapped and the trend direction reversed (an intensifying cold spot's z falls).
"""

from __future__ import annotations

import numpy as np

HOT_CATEGORIES = (
    "new_hot",
    "consecutive_hot",
    "intensifying_hot",
    "persistent_hot",
    "diminishing_hot",
    "oscillating_hot",
    "sporadic_hot",
    "historical_hot",
)
COLD_CATEGORIES = tuple(name.replace("_hot", "_cold") for name in HOT_CATEGORIES)
CATEGORIES: tuple[str, ...] = (*HOT_CATEGORIES, *COLD_CATEGORIES, "no_pattern")

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "new_hot": {"sv": "Ny hotspot", "en": "New hot spot"},
    "consecutive_hot": {"sv": "Sammanhängande hotspot", "en": "Consecutive hot spot"},
    "intensifying_hot": {"sv": "Tilltagande hotspot", "en": "Intensifying hot spot"},
    "persistent_hot": {"sv": "Ihållande hotspot", "en": "Persistent hot spot"},
    "diminishing_hot": {"sv": "Avtagande hotspot", "en": "Diminishing hot spot"},
    "oscillating_hot": {"sv": "Växlande hotspot", "en": "Oscillating hot spot"},
    "sporadic_hot": {"sv": "Sporadisk hotspot", "en": "Sporadic hot spot"},
    "historical_hot": {"sv": "Historisk hotspot", "en": "Historical hot spot"},
    "new_cold": {"sv": "Ny coldspot", "en": "New cold spot"},
    "consecutive_cold": {"sv": "Sammanhängande coldspot", "en": "Consecutive cold spot"},
    "intensifying_cold": {"sv": "Tilltagande coldspot", "en": "Intensifying cold spot"},
    "persistent_cold": {"sv": "Ihållande coldspot", "en": "Persistent cold spot"},
    "diminishing_cold": {"sv": "Avtagande coldspot", "en": "Diminishing cold spot"},
    "oscillating_cold": {"sv": "Växlande coldspot", "en": "Oscillating cold spot"},
    "sporadic_cold": {"sv": "Sporadisk coldspot", "en": "Sporadic cold spot"},
    "historical_cold": {"sv": "Historisk coldspot", "en": "Historical cold spot"},
    "no_pattern": {"sv": "Inget mönster", "en": "No pattern"},
}


def final_run_length(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True that ends at the last step, per row (0 if the last is False)."""
    flags = np.asarray(flags, dtype=bool)
    n = flags.shape[1]
    off = ~flags[:, ::-1]
    first_off = np.where(off.any(axis=1), off.argmax(axis=1), n)
    return first_off.astype(np.int64)


def _share_at_least_90(count: np.ndarray, n_steps: int) -> np.ndarray:
    """count / T ≥ 0.9, in exact integer arithmetic."""
    return count * 10 >= 9 * n_steps


def _rules(
    same: np.ndarray, other: np.ndarray, towards: np.ndarray, away: np.ndarray
) -> list[np.ndarray]:
    """Rules 1–8 of §4 for one side; `same`/`other` are its and the opposite side's bins."""
    n_steps = same.shape[1]
    final = same[:, -1]
    earlier_sig = (same[:, :-1] | other[:, :-1]).any(axis=1)
    count = same.sum(axis=1)
    high = _share_at_least_90(count, n_steps)
    any_other = other.any(axis=1)
    run = final_run_length(same)
    return [
        final & ~earlier_sig,  # 1 new
        final & (run >= 2) & (count == run) & ~any_other & ~high,  # 2 consecutive
        final & high & towards,  # 3 intensifying
        final & high & ~towards & ~away,  # 4 persistent
        final & high & away,  # 5 diminishing
        final & any_other & ~high,  # 6 oscillating
        final & ~high & ~any_other,  # 7 sporadic
        ~final & ~other[:, -1] & high,  # 8 historical
    ]


def classify(hot: np.ndarray, cold: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """Category name per location from (locations × T) hot/cold flags.

    `trend` is the direction of the significant category trend per location: +1, −1 or 0.
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    trend = np.asarray(trend)
    up, down = trend > 0, trend < 0
    conditions = _rules(hot, cold, up, down) + _rules(cold, hot, down, up)
    codes = np.select(conditions, np.arange(len(conditions)), default=len(CATEGORIES) - 1)
    return np.asarray(CATEGORIES, dtype=object)[codes]


def final_state_run_length(hot: np.ndarray, cold: np.ndarray) -> np.ndarray:
    """Length of the final run of the final state (hot or cold); 0 if the last bin is neither."""
    return np.maximum(final_run_length(hot), final_run_length(cold))
