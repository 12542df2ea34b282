"""Response models of a run's periods and one period's Gi* bins (the dashboard's slider)."""

from datetime import date

from pydantic import BaseModel, Field


class PeriodSummary(BaseModel):
    start: date = Field(description="First day of the period (Europe/Stockholm).")
    last_day: date = Field(description="Last day of the period, inclusive.")
    hot: int = Field(description="Cells that were a hot spot (p < 0.05) in the period.")
    cold: int = Field(description="Cells that were a cold spot (p < 0.05) in the period.")


class RunPeriodList(BaseModel):
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
    place_id: int
    name: str
    meeting_date: date
    run_id: int
    period_days: int
    baseline_periods: int
    periods: list[SeriesPeriod]
    meetings: list[date] = Field(description="Meetings in the span: snapshots and this one.")
