"""Models of the field app's routes: who the token is, categories, place suggestions,
corrections of one's own reports, and safety walks."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from geo_service.api.schemas.fields import Day, Moment, RequestBody

ME = {
    "municipality_code": "1275",
    "municipality_name": "Perstorp",
    "organisation": "Perstorps Bostäder",
    "role": "reporter",
    "token_id": 12,
}
CATEGORY = {
    "code": "klotter",
    "label_sv": "Klotter",
    "label_en": "Graffiti",
    "icon": "🎨",
    "uses": 42,
}
SUGGESTION = {
    "type": "place",
    "label": "Stationsområdet",
    "place_id": 2,
    "lat": 56.1372,
    "lon": 13.3945,
    "score": 1.0,
}
CORRECTION = {"severity": 3, "description": "Stor tag på perrongens vägg"}
ROUTE = {"type": "LineString", "coordinates": [[13.3905, 56.1352], [13.3945, 56.1372]]}
WALK_IN = {
    "name": "Trivselvandring Centrum",
    "walk_date": "2026-11-10",
    "organisations": ["Perstorps kommun", "Perstorps Bostäder", "Polisen"],
    "route": ROUTE,
}
WALK = {
    "id": 1,
    **WALK_IN,
    "note": "Kvällsvandring",
    "created_by": "token:12",
    "created_at": "2026-11-10T19:02:00+01:00",
    "findings": 4,
}
FINDING = {
    "id": 10482,
    "category": "belysning",
    "label_sv": "Belysning",
    "label_en": "Lighting",
    "severity": 2,
    "description": "Trasig lampa i gångtunneln",
    "occurred_at": "2026-11-10T19:20:00+01:00",
    "lat": 56.1372,
    "lon": 13.3945,
    "place_id": 2,
    "place_name": "Stationsområdet",
}


class Me(BaseModel):
    """The token's municipality, organisation and role (what the app shows after sign-in)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ME]})

    municipality_code: str
    municipality_name: str
    organisation: str
    role: str
    token_id: int = Field(
        description="The token's id (as `token list` shows it): the field app keeps each waiting "
        "report for the token it was written under."
    )


class FieldCategoryOut(BaseModel):
    """A category to pick, with a Swedish and an English label and an icon."""

    model_config = ConfigDict(json_schema_extra={"examples": [CATEGORY]})

    code: str
    label_sv: str
    label_en: str
    icon: str
    uses: int = Field(description="Observations and walk findings of the last 365 days.")


class SuggestionOut(BaseModel):
    """A place or address matching what was typed, with its point in WGS84."""

    model_config = ConfigDict(json_schema_extra={"examples": [SUGGESTION]})

    type: Literal["place", "address"]
    label: str
    place_id: int | None
    lat: float
    lon: float
    score: float


class ObservationCorrection(RequestBody):
    """What to change in one's own report (within 24 hours); fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CORRECTION]})

    category: str | None = Field(None, min_length=1, max_length=80)
    severity: int | None = Field(None, ge=1, le=3)
    description: str | None = Field(None, max_length=2000, description="Redacted on storage.")
    occurred_at: Moment | None = None


Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]


class LineStringIn(BaseModel):
    """A route as a GeoJSON LineString in WGS84: [longitude, latitude] pairs, at least two."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ROUTE]})

    type: Literal["LineString"]
    coordinates: list[tuple[Lon, Lat]] = Field(min_length=2, max_length=20_000)


class WalkIn(RequestBody):
    """A safety walk: name, date, the organisations taking part and an optional route."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [WALK_IN]})

    name: str = Field(min_length=1, max_length=200)
    walk_date: Day
    organisations: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(None, max_length=2000)
    route: LineStringIn | None = Field(
        None, description="GeoJSON LineString in WGS84, drawn or recorded by GPS."
    )


class WalkChange(RequestBody):
    """Fields of a walk to change; `route: null` removes the route."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"route": ROUTE}]})

    name: str | None = Field(None, min_length=1, max_length=200)
    walk_date: Day | None = None
    organisations: list[str] | None = Field(None, max_length=50)
    note: str | None = Field(None, max_length=2000)
    route: LineStringIn | None = None


class WalkOut(BaseModel):
    """A stored walk with its number of findings."""

    model_config = ConfigDict(json_schema_extra={"examples": [WALK]})

    id: int
    name: str
    walk_date: date
    organisations: list[str]
    note: str | None
    route: dict[str, Any] | None
    created_by: str | None
    created_at: datetime
    findings: int


class WalkFinding(BaseModel):
    """A finding of a walk, linked to the place it lies in."""

    model_config = ConfigDict(json_schema_extra={"examples": [FINDING]})

    id: int
    category: str
    label_sv: str | None
    label_en: str | None
    severity: int | None
    description: str | None
    occurred_at: datetime
    lat: float | None
    lon: float | None
    place_id: int | None
    place_name: str | None


class WalkSummary(BaseModel):
    """A walk and its findings, for the printable summary."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"walk": WALK, "items": [FINDING]}]})

    walk: WalkOut
    items: list[WalkFinding]
