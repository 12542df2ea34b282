"""Response models of the serving endpoints: hotspots, runs, raw events, event counts, TileJSON.

H3 cells travel as lowercase hex strings (JavaScript cannot hold a 64-bit integer).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_service.api.schemas import examples as ex
from geo_service.api.schemas.fields import RequestBody

CELL_EXAMPLE = ex.CELL


class Page(BaseModel):
    """Pagination of a list response."""

    total: int = Field(description="Items matching the filters, over all pages.", examples=[120])
    limit: int = Field(examples=[100])
    offset: int = Field(examples=[0])


class HotspotCell(BaseModel):
    """One H3 cell of an analysis run with its emerging hot spot category and statistics."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.HOTSPOT_CELL]})

    cell: str = Field(description="H3 index as lowercase hex.", examples=[CELL_EXAMPLE])
    resolution: int
    category: str = Field(description="Emerging hot spot category.")
    confirmed: bool = Field(
        False, description="A new or consecutive hot spot inside a scan cluster with an alarm."
    )
    uncertain: bool = Field(
        False,
        description="A new or consecutive label that the scan does not confirm: may be chance.",
    )
    z: float | None = Field(description="Gi* z-score of the last (or the chosen) period.")
    p: float | None = Field(description="p-value of that z-score.")
    hot_share: float | None = None
    cold_share: float | None = None
    trend_tau: float | None = Field(
        None,
        description="Mann-Kendall τ of the neighbourhood counts (the trend behind the category; "
        "null where no category depends on it).",
    )
    trend_p: float | None = None
    z_trend_tau: float | None = Field(None, description="Mann-Kendall τ of the z-score series.")
    z_trend_p: float | None = None
    count_trend_tau: float | None = Field(None, description="Mann-Kendall τ of the counts.")
    count_trend_p: float | None = None
    run_length: int | None = None
    total: float | None = Field(
        None, description="Events over the run; null when below k for viewer and anonymous."
    )
    last_value: float | None = Field(
        None, description="Events in the last (or chosen) period; null when below k."
    )
    suppressed: bool = Field(False, description="True when a count was hidden (below k).")


class HotspotList(Page):
    """Cells of one run, ordered by z descending."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.HOTSPOT_LIST]})

    run_id: int = Field(examples=[12])
    municipality_code: str = Field(examples=["1275"])
    period_start: datetime | None = Field(None, description="The chosen period, if any.")
    items: list[HotspotCell]


class PolygonGeometry(BaseModel):
    """A GeoJSON Polygon in WGS84 (RFC 7946)."""

    type: Literal["Polygon"] = "Polygon"
    coordinates: list[list[list[float]]]


class HotspotFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: str = Field(description="The H3 cell as hex.", examples=[CELL_EXAMPLE])
    geometry: PolygonGeometry
    properties: HotspotCell


class HotspotFeatureCollection(BaseModel):
    """RFC 7946 FeatureCollection of hotspot cells (WGS84), with the run and page."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.HOTSPOT_GEOJSON]})

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[HotspotFeature]
    run_id: int
    municipality_code: str
    total: int
    limit: int
    offset: int


class RunSummary(BaseModel):
    """An analysis run as listed."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [ex.RUN_SUMMARY]}
    )

    id: int = Field(examples=[12])
    municipality_code: str = Field(examples=["1275"])
    status: str = Field(examples=["completed"])
    resolution: int = Field(examples=[9])
    period_start: datetime
    period_end: datetime
    n_periods: int = Field(examples=[13])
    started_at: datetime
    finished_at: datetime | None = None


class RunDetail(RunSummary):
    """An analysis run with everything needed to reproduce and judge it."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.RUN_DETAIL]})

    params: dict[str, Any]
    watermark: dict[str, Any]
    sparsity: dict[str, Any]
    warnings: list[Any]
    calibration: dict[str, Any] = Field(
        default_factory=dict,
        description="The run's own false alarms from time permutations, and with resolution "
        "'auto' the resolution chosen and the numbers behind the choice.",
    )
    timings: dict[str, Any]
    error: str | None = None
    categories: dict[str, int] = Field(
        default_factory=dict, description="Cells per emerging hot spot category."
    )


class RunList(Page):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.RUN_LIST]})

    items: list[RunSummary]


class RunRequest(RequestBody):
    """Parameters of a new run; anything omitted takes the municipality's defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [ex.RUN_REQUEST, {"resolution": 8}]},
    )

    resolution: Annotated[int, Field(ge=5, le=10)] | Literal["auto"] | None = Field(
        None, description="H3 resolution 5–10, or 'auto' (self-calibrated)."
    )
    n_periods: int | None = Field(None, ge=4, le=260)
    kinds: list[str] | None = Field(None, max_length=10)
    categories: list[str] | None = Field(None, max_length=100)


class EventOut(BaseModel):
    """A raw event with its exact point: for analyst, coordinator and admin only (audited)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.EVENT]})

    id: int = Field(examples=[1234])
    kind: str = Field(examples=["incident"])
    category: str = Field(examples=["skadegorelse"])
    source: str = Field(examples=["polisen"])
    occurred_at: datetime
    severity: int | None = None
    x: float | None = Field(None, description="SWEREF 99 TM easting (EPSG:3006).")
    y: float | None = Field(None, description="SWEREF 99 TM northing (EPSG:3006).")
    lon: float | None = None
    lat: float | None = None
    h3_r9: str | None = Field(None, examples=[CELL_EXAMPLE])
    place_id: int | None = None
    geocode_method: str
    description: str | None = None
    created_by: str | None = None


class EventList(Page):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.EVENT_LIST]})

    items: list[EventOut]


class EventCount(BaseModel):
    """Events in one H3 cell; cells below k are left out for viewer and anonymous."""

    cell: str = Field(examples=[CELL_EXAMPLE])
    count: int = Field(examples=[7])


class EventCountList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ex.EVENT_COUNTS]})

    municipality_code: str
    resolution: int
    k: int = Field(description="Counts below k are left out for viewer, reporter and anonymous.")
    suppressed_cells: int = Field(description="How many cells were left out (0 for raw readers).")
    items: list[EventCount]


class VectorLayer(BaseModel):
    id: str
    description: str
    fields: dict[str, str]
    minzoom: int
    maxzoom: int


class TileJSON(BaseModel):
    """TileJSON 3.0.0 for one tile layer of one municipality."""

    model_config = ConfigDict(json_schema_extra={"examples": [ex.TILEJSON]})

    tilejson: Literal["3.0.0"] = "3.0.0"
    name: str
    description: str
    version: str = Field(description="The run id (hotspots, places) or a data version.")
    attribution: str
    scheme: Literal["xyz"] = "xyz"
    tiles: list[str]
    vector_layers: list[VectorLayer]
    bounds: list[float] = Field(min_length=4, max_length=4)
    center: list[float] = Field(min_length=3, max_length=3)
    minzoom: int
    maxzoom: int
