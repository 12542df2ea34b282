"""The evidence as response bodies, with counts below k hidden for suppressed roles."""

import math
from typing import Any

import pandas as pd

from geo_service.evidence.evaluation import Evaluation, ranking, winner_sentence
from geo_service.evidence.near_repeats import NearRepeats, near_repeat_sentence
from geo_service.evidence.texts import METHOD_LABELS

_HIDDEN = ("observed", "ratio", "p", "p_adj", "significant")


def _float(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def band_rows(table: pd.DataFrame, suppress: bool, k: int) -> list[dict[str, Any]]:
    """The band table as rows; suppressed: bands with 0 < observed < k lose what reveals it."""
    rows = []
    for band in table.to_dict("records"):
        row = {
            "distance_from": float(band["distance_from"]),
            "distance_to": float(band["distance_to"]),
            "time_from": float(band["time_from"]),
            "time_to": float(band["time_to"]),
            "observed": int(band["observed"]),
            "expected": float(band["expected"]),
            "ratio": _float(float(band["ratio"])),
            "p": _float(float(band["p"])),
            "p_adj": _float(float(band["p_adj"])),
            "significant": bool(band["significant"]),
            "suppressed": False,
        }
        if suppress and 0 < row["observed"] < k:
            row.update(dict.fromkeys(_HIDDEN), suppressed=True)
        rows.append(row)
    return rows


def near_repeat_group(result: NearRepeats, suppress: bool, k: int) -> dict[str, Any]:
    """One group's table and sentences; the sentences never name a band with fewer than k pairs."""
    group = result.group
    hide_total = suppress and 0 < result.events < k
    return {
        "group": group.code,
        "label_sv": group.label_sv,
        "label_en": group.label_en,
        "categories": list(group.categories),
        "events": None if hide_total else result.events,
        "sentence_sv": near_repeat_sentence(result, "sv", k),
        "sentence_en": near_repeat_sentence(result, "en", k),
        "bands": [] if result.table is None else band_rows(result.table, suppress, k),
    }


def evaluation_body(evaluation: Evaluation, suppress: bool, k: int) -> dict[str, Any]:
    """The backtest summary per method and coverage, the winner and its sentences."""
    methods = [
        {
            "method": row["method"],
            "label_sv": METHOD_LABELS["sv"].get(row["method"], row["method"]),
            "label_en": METHOD_LABELS["en"].get(row["method"], row["method"]),
            "coverage": float(row["coverage"]),
            **{
                name: _float(float(row[name]))
                for name in (
                    "pai",
                    "pai_low",
                    "pai_high",
                    "pei_star",
                    "pei_star_low",
                    "pei_star_high",
                    "hit_rate",
                )
            },
            "origins": int(row["origins"]),
        }
        for row in evaluation.summary.to_dict("records")
    ]
    params = evaluation.params
    return {
        "run_id": evaluation.run_id,
        "first_day": evaluation.first_day,
        "last_day": evaluation.last_day,
        "origins": int(params["origins"]),
        "period_days": int(params["period_days"]),
        "resolution": int(params["resolution"]),
        "cells": int(params["n_cells"]),
        "events": None if suppress and 0 < evaluation.events < k else evaluation.events,
        "winner": str(ranking(evaluation).iloc[0]["method"]),
        "sentence_sv": winner_sentence(evaluation, "sv"),
        "sentence_en": winner_sentence(evaluation, "en"),
        "methods": methods,
    }
