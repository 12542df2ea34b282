"""The evidence in the lägesbild: near-repeat heat tables and the backtest chart (yearly), and
the backtest's one line in the meeting lägesbild's method note."""

from datetime import date
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, to_hex
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.errors import GeoServiceError
from geo_service.evidence.evaluation import Evaluation, evaluate_run, winner_sentence
from geo_service.evidence.groups import GROUPS
from geo_service.evidence.near_repeats import (
    MIN_PAIRS,
    NearRepeats,
    near_repeat_sentence,
    near_repeats,
)
from geo_service.evidence.texts import METHOD_LABELS, day_band, number
from geo_service.reports.charts import PALETTE, to_data_uri

RATIO_COLOURS = plt.get_cmap("RdBu_r")
RATIO_NORM = LogNorm(vmin=0.5, vmax=2.0)  # white at 1, strongest at half and at double
COLOUR_SPAN = 0.4  # the light middle of the colour map, so black numbers stay readable

TEXTS = {
    "sv": {
        "near_repeats": "Nära upprepningar",
        "near_repeats_note": "Kvoten mellan observerade och väntade par av händelser per "
        "avstånd och tid (Knox). Fetstil med * = fler par än väntat även efter korrektion för "
        "många test (Benjamini–Hochberg, 999 permutationer). Siffran inom parentes är antalet "
        "par.",
        "distance": "Avstånd",
        "days": "dagar",
        "backtest": "Vilken metod hade förutsagt nästa period?",
        "backtest_chart": "PAI per metod (medel och 95 % intervall)",
        "backtest_note": "Varje period förutsägs med data från före perioden enbart. PAI = "
        "andelen händelser i de utpekade cellerna delat med deras andel av ytan.",
        "area_share": "{share} % av ytan",
        "no_run": "Ingen analyskörning att utvärdera.",
    },
    "en": {
        "near_repeats": "Near repeats",
        "near_repeats_note": "The ratio of observed to expected pairs of events per distance "
        "and time (Knox). Bold with * = more pairs than expected after a correction for many "
        "tests (Benjamini–Hochberg, 999 permutations). In brackets: the number of pairs.",
        "distance": "Distance",
        "days": "days",
        "backtest": "Which method would have predicted the next period?",
        "backtest_chart": "PAI per method (mean and 95% interval)",
        "backtest_note": "Each period is predicted from data before it only. PAI = the share "
        "of events in the flagged cells divided by their share of the area.",
        "area_share": "{share}% of the area",
        "no_run": "No analysis run to evaluate.",
    },
}

_RUN_OF_YEAR = text("""
SELECT id FROM analysis_run
WHERE municipality_code = :mc AND status = 'completed'
  AND period_end <= make_timestamptz(:year + 1, 1, 1, 0, 0, 0, 'Europe/Stockholm')
ORDER BY period_end DESC, finished_at DESC NULLS LAST, id DESC LIMIT 1
""")


def ratio_colour(ratio: float) -> str:
    """A light background colour for a ratio: blue below 1, white at 1, red above."""
    shade = float(RATIO_NORM(min(max(ratio, 0.5), 2.0)))
    return to_hex(RATIO_COLOURS(0.5 + (shade - 0.5) * COLOUR_SPAN))


def heat_rows(table: pd.DataFrame, lang: str) -> tuple[list[str], list[dict[str, Any]]]:
    """(time band headers, rows): per distance band the cells' ratio, colour and significance."""
    times = table.drop_duplicates("time_to")
    headers = [day_band(a, b) for a, b in zip(times["time_from"], times["time_to"], strict=True)]
    rows = []
    for (d_from, d_to), band in table.groupby(["distance_from", "distance_to"], sort=True):
        cells = [
            {
                "ratio": number(r.ratio, lang, 2),
                "observed": int(r.observed),
                "significant": bool(r.significant),
                "colour": "#ffffff" if r.ratio != r.ratio else ratio_colour(r.ratio),
            }
            for r in band.itertuples()
        ]
        rows.append({"label": f"{d_from:g}–{d_to:g} m", "cells": cells})
    return headers, rows


def near_repeat_section(result: NearRepeats, lang: str, k: int) -> dict[str, Any]:
    headers, rows = heat_rows(result.table, lang) if result.table is not None else ([], [])
    return {
        "label": result.group.label(lang),
        "events": result.events,
        "headers": headers,
        "rows": rows,
        "sentence": near_repeat_sentence(result, lang, k),
    }


def backtest_chart(evaluation: Evaluation, lang: str, title: str, share: str) -> str:
    """Bars of mean PAI per method, one colour per coverage, with the 95 % intervals."""
    summary = evaluation.summary
    methods = list(dict.fromkeys(summary["method"]))
    coverages = sorted(summary["coverage"].unique())
    width = 0.8 / len(coverages)
    fig, ax = plt.subplots(figsize=(8, 3.4))
    x = np.arange(len(methods))
    for i, coverage in enumerate(coverages):
        rows = summary[summary["coverage"] == coverage].set_index("method").reindex(methods)
        error = np.vstack([rows["pai"] - rows["pai_low"], rows["pai_high"] - rows["pai"]])
        ax.bar(
            x + (i - (len(coverages) - 1) / 2) * width,
            rows["pai"],
            width,
            yerr=np.nan_to_num(error),
            capsize=2,
            color=PALETTE[i % len(PALETTE)],
            label=share.format(share=f"{coverage * 100:.0f}"),
        )
    ax.set_xticks(x)
    ax.set_xticklabels(
        [METHOD_LABELS[lang].get(m, m) for m in methods], rotation=25, ha="right", fontsize=8
    )
    ax.set_ylabel("PAI")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    return to_data_uri(fig)


def yearly_evidence(
    session: Session, mc: str, year: int, lang: str, k: int = MIN_PAIRS
) -> dict[str, Any]:
    """The yearly lägesbild's near-repeat tables (events of the year) and backtest chart; the
    sentences name no band with fewer than `k` pairs."""
    t = TEXTS[lang]
    start, stop = date(year, 1, 1), date(year + 1, 1, 1)
    sections = [
        near_repeat_section(near_repeats(session, mc, g, start, stop), lang, k) for g in GROUPS
    ]
    chart, sentence = None, t["no_run"]
    run_id = session.execute(_RUN_OF_YEAR, {"mc": mc, "year": year}).scalar()
    if run_id is not None:
        try:
            evaluation = evaluate_run(session, mc, run_id)
        except GeoServiceError as exc:
            sentence = exc.message
        else:
            chart = backtest_chart(evaluation, lang, t["backtest_chart"], t["area_share"])
            sentence = winner_sentence(evaluation, lang)
    return {
        "ev_t": t,
        "near_repeat_sections": sections,
        "backtest_image": chart,
        "backtest_sentence": sentence,
    }


def evaluation_text(session: Session, mc: str, run_id: int, lang: str) -> str:
    """The meeting lägesbild's line on the backtest of its run ('' when it cannot be made)."""
    try:
        return winner_sentence(evaluate_run(session, mc, run_id), lang)
    except GeoServiceError:
        return ""
