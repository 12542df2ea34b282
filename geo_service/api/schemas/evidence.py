"""Evidence for the action plan: near repeats per category group and the backtest of methods."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

BAND_EXAMPLE: dict[str, Any] = {
    "distance_from": 0.0,
    "distance_to": 100.0,
    "time_from": 0.0,
    "time_to": 7.0,
    "observed": 146,
    "expected": 99.97,
    "ratio": 1.46,
    "p": 0.001,
    "p_adj": 0.002,
    "significant": True,
    "suppressed": False,
}
GROUP_EXAMPLE: dict[str, Any] = {
    "group": "vandalism",
    "label_sv": "Skadegörelse och klotter",
    "label_en": "Vandalism and graffiti",
    "categories": ["skadegorelse", "klotter"],
    "events": 277,
    "sentence_sv": "Efter skadegörelse eller klotter är risken förhöjd inom "
    "400 m i 56 dagar, 1,2 gånger det väntade.",
    "sentence_en": "After vandalism or graffiti the risk is raised within 400 m for 56 days, "
    "1.2 times the expected.",
    "bands": [BAND_EXAMPLE],
}
METHOD_EXAMPLE: dict[str, Any] = {
    "method": "kde",
    "label_sv": "kärntäthet (KDE)",
    "label_en": "kernel density (KDE)",
    "coverage": 0.05,
    "pai": 17.6,
    "pai_low": 16.9,
    "pai_high": 18.4,
    "pei_star": 0.87,
    "pei_star_low": 0.83,
    "pei_star_high": 0.91,
    "hit_rate": 0.88,
    "origins": 12,
}


class NearRepeatBand(BaseModel):
    """One distance band × time band; a band covers (from, to], the first of each kind [0, to].

    For viewers, reporters and the public, bands with fewer than k pairs show no count, ratio
    or p (null, `suppressed` true).
    """

    distance_from: float = Field(description="Metres.")
    distance_to: float = Field(description="Metres.")
    time_from: float = Field(description="Days.")
    time_to: float = Field(description="Days.")
    observed: int | None = Field(description="Pairs of events this close in space and time.")
    expected: float = Field(description="Pairs expected if where and when were independent.")
    ratio: float | None = Field(description="observed / expected.")
    p: float | None = Field(description="Monte Carlo p from permuting the events' times.")
    p_adj: float | None = Field(description="Benjamini–Hochberg over the table's bands.")
    significant: bool | None = Field(description="p_adj < 0.05 and more pairs than expected.")
    suppressed: bool = False


class NearRepeatGroup(BaseModel):
    group: str = Field(description="The category group (see `categories`).")
    label_sv: str
    label_en: str
    categories: list[str] = Field(description="Taxonomy codes of the group.")
    events: int | None = Field(description="Events of the group in the window (null below k).")
    sentence_sv: str
    sentence_en: str
    bands: list[NearRepeatBand] = Field(
        description="Distance-major; empty when the group has too few events to test."
    )


class NearRepeatList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_code": "1275",
                    "start": "2025-11-15",
                    "end": "2026-11-14",
                    "permutations": 999,
                    "seed": 0,
                    "groups": [GROUP_EXAMPLE],
                }
            ]
        }
    )

    municipality_code: str
    start: date = Field(description="First day of the window (Stockholm).")
    end: date = Field(description="Last day of the window (inclusive).")
    permutations: int
    seed: int
    groups: list[NearRepeatGroup]


class MethodScore(BaseModel):
    """A method at one coverage: means over the origins with 95 % t-intervals."""

    method: str
    label_sv: str
    label_en: str
    coverage: float = Field(description="Share of the study area flagged.")
    pai: float | None = Field(description="Mean PAI: (n/N)/(a/A).")
    pai_low: float | None
    pai_high: float | None
    pei_star: float | None = Field(description="Mean PEI*: n/n*, 1 = the best possible cells.")
    pei_star_low: float | None
    pei_star_high: float | None
    hit_rate: float | None = Field(description="Σ events caught / Σ events over the origins.")
    origins: int = Field(description="Predicted periods with events.")


class Evaluation(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_code": "1275",
                    "run_id": 12,
                    "first_day": "2026-06-01",
                    "last_day": "2026-11-15",
                    "origins": 12,
                    "period_days": 14,
                    "resolution": 9,
                    "cells": 1984,
                    "events": 281,
                    "winner": "kde",
                    "sentence_sv": "På era egna data de senaste 12 perioderna fångade "
                    "kärntäthet (KDE) flest händelser: PAI 17,6 (16,9–18,4) när 5 % av "
                    "ytan pekas ut, mot PAI 17,6 för prospektiv hotspotkartläggning.",
                    "sentence_en": "On your own data over the last 12 periods, kernel "
                    "density (KDE) caught the most events: PAI 17.6 (16.9–18.4) with 5% "
                    "of the area flagged, against PAI 17.6 for prospective hot-spotting.",
                    "methods": [METHOD_EXAMPLE],
                }
            ]
        }
    )

    municipality_code: str
    run_id: int = Field(description="The run whose events, periods and end were evaluated.")
    first_day: date = Field(description="First predicted day (Stockholm).")
    last_day: date = Field(description="Last predicted day (inclusive).")
    origins: int = Field(description="Predicted periods, each ranked from earlier data only.")
    period_days: int
    resolution: int = Field(description="H3 resolution of the ranked cells.")
    cells: int = Field(description="Cells in the study area (A).")
    events: int | None = Field(description="Events in the predicted periods (null below k).")
    winner: str = Field(description="The method that caught the most events at 5 % coverage.")
    sentence_sv: str
    sentence_en: str
    methods: list[MethodScore]
