"""Request and response models of imports, rapportör observations and the quarantine."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import Moment, RequestBody


class ImportReportOut(BaseModel):
    """What happened to every row: rows_read = stored + updated + unchanged + quarantined."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.IMPORT_REPORT]})

    batch_id: int | None
    municipality_code: str
    source: str
    kind: str
    filename: str | None
    format: str
    rows_read: int
    stored: int
    updated: int
    unchanged: int
    quarantined: int
    quarantine_reasons: dict[str, int] = Field(examples=[{"outside_area": 2}])
    geocode_methods: dict[str, int] = Field(examples=[{"coordinates": 120, "place": 3}])
    columns: dict[str, str] = Field(description="Event field → the file's column.")
    warnings: list[str]


class ImportSummary(BaseModel):
    """One import batch in a list."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.IMPORT_SUMMARY]})

    id: int
    source: str
    kind: str | None
    filename: str | None
    started_at: datetime
    finished_at: datetime | None
    rows_read: int
    stored: int
    updated: int
    unchanged: int
    quarantined: int


class ObservationIn(RequestBody):
    """One rapportör report: what, where (coordinates, address or place name), when, severity."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [ex.OBSERVATION_IN, ex.OBSERVATION_AT_POINT]},
    )
    category: str = Field(min_length=1, max_length=80, description="Code, label or alias.")
    occurred_at: Moment = Field(description="When; without offset it is Swedish time.")
    severity: int | None = Field(None, ge=1, le=3)
    description: str | None = Field(None, max_length=2000, description="Redacted on storage.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    north: float | None = Field(None, description="SWEREF 99 TM northing (or a local zone).")
    east: float | None = Field(None, description="SWEREF 99 TM easting.")
    address: str | None = Field(None, max_length=200)
    place: str | None = Field(None, max_length=200, description="Place name or alias.")
    client_id: str | None = Field(
        None,
        max_length=100,
        description="The app's own id, kept per token: sending it again updates only the "
        "observation this token sent with it.",
    )

    @model_validator(mode="after")
    def _has_location(self) -> "ObservationIn":
        pairs = (self.lat is None) == (self.lon is None) and (self.north is None) == (
            self.east is None
        )
        where = any(v is not None for v in (self.lat, self.north, self.address, self.place))
        if not pairs or not where:
            raise ValueError("give lat+lon, north+east, an address or a place name")
        return self


class ObservationResult(BaseModel):
    """What happened to one submitted observation (index in the request, from 0)."""

    index: int
    status: Literal["stored", "quarantined", "unchanged"] = Field(
        description="`unchanged`: a resend of a report stored more than 24 h ago, which is kept "
        "as it was (`reason_code` edit_window_passed)."
    )
    reason_code: str | None = None
    message: str | None = None


class ObservationReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.OBSERVATION_REPORT]})

    report: ImportReportOut
    results: list[ObservationResult]


class ObservationOut(BaseModel):
    """A stored observation as its reporter (or an analyst) sees it."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.OBSERVATION_OUT]})

    id: int
    category: str
    occurred_at: datetime
    severity: int | None
    description: str | None
    lat: float | None
    lon: float | None
    place_id: int | None
    geocode_method: str
    created_by: str | None
    kind: str = "observation"
    created_at: datetime | None = None
    editable_until: datetime | None = Field(
        None, description="Until when its reporter may correct or withdraw it."
    )
    walk_id: int | None = Field(None, description="The safety walk of a walk finding.")


class QuarantineRow(BaseModel):
    """A row that could not be stored, with the reason and the row as it came (redacted)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.QUARANTINE_ROW]})

    id: int
    batch_id: int
    row_number: int | None
    reason_code: str
    message: str
    raw: dict[str, Any]
    created_at: datetime
    resolved_at: datetime | None
