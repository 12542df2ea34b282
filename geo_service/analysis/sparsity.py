"""How sparse the cube is (recorded with every run), and the permutation-count warning."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from geo_service.analysis.notices import sv_number


def cube_sparsity(values: np.ndarray, events: int) -> dict[str, Any]:
    """Events, bins, mean value and events per bin, and the share of non-zero bins (§2)."""
    bins = int(values.size)
    return {
        "events": int(events),
        "cells": int(values.shape[0]),
        "periods": int(values.shape[1]),
        "bins": bins,
        "mean_value_per_bin": float(values.sum() / bins) if bins else 0.0,
        "mean_events_per_bin": float(events / bins) if bins else 0.0,
        "nonzero_share": float(np.count_nonzero(values) / bins) if bins else 0.0,
    }


def permutation_warnings(
    permutations: int, alpha: float, fdr: bool, cells: int
) -> list[dict[str, str]]:
    """Warn when R permutations cannot resolve significance: p ≥ 1/(R + 1).

    With BH over m cells a lone hot bin needs p ≤ α/m, so R + 1 must reach m/α.
    """
    if permutations <= 0:
        return []
    tests = cells if fdr else 1
    needed = math.ceil(tests / alpha)
    if permutations + 1 >= needed:
        return []
    floor = 1 / (permutations + 1)
    return [
        {
            "code": "too_few_permutations",
            "message_sv": (
                f"Med {permutations} permutationer kan inget p-värde bli lägre än "
                f"{sv_number(floor, 4)}. För att en enskild cell ska kunna bli signifikant "
                f"bland {tests} celler per period behövs minst {needed - 1} permutationer."
            ),
            "message_en": (
                f"With {permutations} permutations no p-value can be below {floor:.4f}. "
                f"For a single cell to be able to reach significance among {tests} cells per "
                f"period, at least {needed - 1} permutations are needed."
            ),
        }
    ]
