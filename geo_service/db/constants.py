"""Closed vocabularies shared by the schema's CHECK constraints, the ingest and the API."""

from geo_service.privacy import PUBLIC as PUBLIC  # the anonymous role (public view), defined once

EVENT_KINDS = ("incident", "observation", "tip", "fault_report", "walk_finding")
GEOCODE_METHODS = (
    "coordinates",
    "coordinates_swapped",
    "address_exact",
    "address_fuzzy",
    "place",
    "place_polygon",
    "municipality_centroid",
)
SOURCE_KINDS = ("police", "rapportor", "public", "field_app", "municipality", "other")
PLACE_KINDS = (
    "centrum",
    "station",
    "park",
    "school",
    "residential",
    "industrial",
    "square",
    "sports",
    "village",
    "other",
)
ROLES = ("admin", "analyst", "coordinator", "reporter", "viewer")
MEASURE_STATUSES = ("planned", "ongoing", "done", "cancelled")
RUN_STATUSES = ("running", "completed", "failed")


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression `column IN (...)` for a closed vocabulary."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
