"""How sparse the cube is, and the warning a coordinator sees when it is too sparse (§2)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SPARSE_MEAN_PER_BIN = 0.5


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


def _sv_number(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def sparsity_warnings(sparsity: dict[str, Any], permutations: int) -> list[dict[str, str]]:
    """The §2 warning when there are fewer than 0.5 events per cell and period, else none."""
    mean = sparsity["mean_events_per_bin"]
    if mean >= SPARSE_MEAN_PER_BIN:
        return []
    share = 100 * sparsity["nonzero_share"]
    if permutations > 0:
        perm_sv = f"Permutationstest ({permutations} omdragningar) används redan för p-värdena."
        perm_en = f"Permutation p-values ({permutations} permutations) are already in use."
    else:
        perm_sv = (
            "Du kan också slå på permutationstest (permutations), som ger säkrare p-värden "
            "när antalen är små."
        )
        perm_en = (
            "You can also turn on permutation p-values (permutations), which are more "
            "reliable when counts are small."
        )
    return [
        {
            "code": "sparse_data",
            "message_sv": (
                f"Underlaget är tunt: i snitt {_sv_number(mean)} händelser per cell och period, "
                f"och bara {_sv_number(share, 0)} % av cellerna och perioderna har någon "
                "händelse alls. Då blir hotspot-analysen osäker. Välj större celler (lägre "
                "upplösning, t.ex. 8 i stället för 9) eller längre perioder (t.ex. 28 dagar i "
                f"stället för 14). {perm_sv}"
            ),
            "message_en": (
                f"The data are thin: on average {mean:.2f} events per cell and period, and only "
                f"{share:.0f}% of cell-periods have any event at all, so the hot spot analysis "
                "is uncertain. Use larger cells (a coarser resolution, e.g. 8 instead of 9) or "
                f"longer periods (e.g. 28 days instead of 14). {perm_en}"
            ),
        }
    ]


def permutation_warnings(
    permutations: int, alpha: float, fdr: bool, cells: int
) -> list[dict[str, str]]:
    """Warn when R permutations cannot resolve significance: p ≥ 1/(R + 1) (METHODS.md §2).

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
                f"{_sv_number(floor, 4)}. För att en enskild cell ska kunna bli signifikant "
                f"bland {tests} celler per period behövs minst {needed - 1} permutationer."
            ),
            "message_en": (
                f"With {permutations} permutations no p-value can be below {floor:.4f}. "
                f"For a single cell to be able to reach significance among {tests} cells per "
                f"period, at least {needed - 1} permutations are needed."
            ),
        }
    ]
