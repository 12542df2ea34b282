"""Response models of a run's periods and one period's Gi* bins (the dashboard's slider)."""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

RUN_PERIODS = {
    "run_id": 12,
    "period_days": 14,
    "periods": [
        {"start": "2026-10-19", "last_day": "2026-11-01", "hot": 21, "cold": 0},
        {"start": "2026-11-02", "last_day": "2026-11-15", "hot": 34, "cold": 2},
    ],
}
PERIOD_BINS = {
    "run_id": 12,
    "period_start": "2026-11-02",
    "last_day": "2026-11-15",
    "cells": [{"id": 19129361483, "cell": "8a088b28a4a7fff", "z": 4.12, "bin": 3, "count": 6}],
}
PLACE_SERIES = {
    "place_id": 2,
    "name": "Stationsområdet",
    "meeting_date": "2026-11-17",
    "run_id": 12,
    "period_days": 14,
    "baseline_periods": 6,
    "periods": [
        {"start": "2026-10-19", "last_day": "2026-11-01", "count": 9, "usual": 7.5},
        {"start": "2026-11-02", "last_day": "2026-11-15", "count": 11, "usual": 7.33},
    ],
    "meetings": ["2026-11-03", "2026-11-17"],
}


class PeriodSummary(BaseModel):
    start: date = Field(description="First day of the period (Europe/Stockholm).")
    last_day: date = Field(description="Last day of the period, inclusive.")
    hot: int = Field(description="Cells that were a hot spot (p < 0.05) in the period.")
    cold: int = Field(description="Cells that were a cold spot (p < 0.05) in the period.")


class RunPeriodList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RUN_PERIODS]})

    run_id: int
    period_days: int
    periods: list[PeriodSummary]


class PeriodCell(BaseModel):
    id: int = Field(description="The cell's feature id in the hotspot tiles.")
    cell: str = Field(description="H3 index (hex).")
    z: float = Field(description="Gi* z-score of the period.")
    bin: int = Field(description="+3/+2/+1 hot at 99/95/90 % confidence; negative cold.")
    count: int | None = Field(description="Events in the cell that period (null below k).")


class PeriodBins(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PERIOD_BINS]})

    run_id: int
    period_start: date
    last_day: date
    cells: list[PeriodCell]


class SeriesPeriod(BaseModel):
    start: date
    last_day: date = Field(description="Last day of the period, inclusive.")
    count: int | None = Field(description="Events at the place (null below k for viewers).")
    usual: float | None = Field(
        description="Usual level: the mean count of the baseline periods before this one."
    )


class PlaceSeries(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PLACE_SERIES]})

    place_id: int
    name: str
    meeting_date: date
    run_id: int
    period_days: int
    baseline_periods: int
    periods: list[SeriesPeriod]
    meetings: list[date] = Field(description="Meetings in the span: snapshots and this one.")
