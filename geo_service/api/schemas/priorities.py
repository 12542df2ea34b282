"""Request and response models of places, priorities, meetings and measures."""

from dataclasses import fields
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import Day, Int4Id, RequestBody
from geo_service.priorities.service import MeetingPriorities


class PlaceIn(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.PLACE_IN, ex.PLACE_POINT_IN]})

    name: str = Field(min_length=1, max_length=200)
    kind: str = "other"
    aliases: list[str] = Field(default_factory=list)
    area_id: Int4Id | None = None
    note: str | None = None
    geometry: dict[str, Any] = Field(
        description="GeoJSON Point, Polygon or MultiPolygon in WGS84 (EPSG:4326)."
    )
    radius_m: float | None = Field(None, gt=0, le=5000, description="For a Point: circle radius.")


class PlacePatch(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.PLACE_PATCH]})

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = None
    aliases: list[str] | None = None
    area_id: Int4Id | None = None
    note: str | None = None
    geometry: dict[str, Any] | None = None
    radius_m: float | None = Field(None, gt=0, le=5000)


class PlaceOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.PLACE_OUT]})

    id: int
    name: str
    kind: str
    aliases: list[str]
    area_id: int | None
    note: str | None
    geometry: dict[str, Any] | None


class Component(BaseModel):
    key: str
    label_sv: str
    label_en: str
    value: float | None = Field(description="Null for suppressed roles at a small place.")
    weight: float
    contribution: float | None = Field(description="Null for suppressed roles at a small place.")


class ChangeTest(BaseModel):
    """The change test: the latest period against the previous ones (null where suppressed)."""

    current: int | None
    baseline: int | None
    baseline_periods: int
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_increase: float | None


class CategoryCount(BaseModel):
    code: str
    label_sv: str
    label_en: str
    count: int | None


class Priority(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.PRIORITY]})

    place_id: int
    name: str
    kind: str
    rank: int
    score: float
    level: Literal["green", "yellow", "red"]
    listed: bool = Field(description="On the meeting's list: level yellow or red.")
    components: list[Component]
    change: ChangeTest
    top_categories: list[CategoryCount]
    emerging_category: str | None
    reason_sv: str
    reason_en: str
    reason: str = Field(description="The reason in the requested language.")


Priorities = create_model(
    "Priorities",
    __config__=ConfigDict(json_schema_extra={"examples": [ex.PRIORITIES]}),
    **{f.name: (f.type, ...) for f in fields(MeetingPriorities) if f.name != "items"},
    priorities=(list[Priority], ...),
)
"""The response: the fields of MeetingPriorities, its ranked places typed as `priorities`."""


class Snapshot(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.SNAPSHOT]})

    id: int
    municipality_code: str
    meeting_date: date
    run_id: int
    params: dict[str, Any]
    priorities: list[Priority]
    created_at: datetime
    created_by: str | None


class Change(BaseModel):
    place_id: int
    name: str
    status: Literal["new", "up", "down", "same", "gone", "off_list"]
    rank: int | None
    previous_rank: int | None
    score: float | None
    previous_score: float | None
    level: str | None
    previous_level: str | None


class Comparison(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.COMPARISON]})

    meeting_date: date
    snapshot_id: int | None
    previous_meeting_date: date | None
    previous_snapshot_id: int | None
    changes: list[Change]


MeasureStatus = Literal["planned", "ongoing", "done", "cancelled"]


class MeasureIn(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.MEASURE_IN]})

    place_id: Int4Id
    kind: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1)
    description: str | None = None
    start_date: Day
    end_date: Day | None = None
    status: MeasureStatus = "planned"
    responsible_org: str | None = None


class MeasurePatch(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.MEASURE_PATCH]})

    place_id: Int4Id | None = None
    kind: str | None = Field(None, min_length=1, max_length=40)
    title: str | None = Field(None, min_length=1)
    description: str | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    status: MeasureStatus | None = None
    responsible_org: str | None = None


class MeasureOut(MeasureIn):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.MEASURE_OUT]})

    id: int
    created_at: datetime


class Window(BaseModel):
    start: date
    end: date


class Followup(BaseModel):
    """Before/after at the place against comparison places: ratio of rate ratios with a CI."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.FOLLOWUP]})

    measure_id: int
    place_id: int
    title: str
    window_days: int
    before: Window
    after: Window
    place_before: int | None = Field(
        description="Null (with the ratios) when any count is below k for viewers."
    )
    place_after: int | None
    comparison_place_ids: list[int]
    comparison_before: int | None
    comparison_after: int | None
    ratio: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    p_two_sided: float | None
    place_rate_ratio: float | None
    comparison_rate_ratio: float | None
    continuity_corrected: bool
    change_percent: float | None
    reduction: bool
    increase: bool
    summary_sv: str
    summary_en: str
