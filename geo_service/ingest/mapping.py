"""From a file's own columns to the event fields: a mapping file, or recognised common names.

A mapping (YAML or JSON, stored on the source) looks like::

    columns: {occurred_at: Händelsedatum, category: Brottstyp, north: X, east: Y}
    categories: {"Skadegörelse": skadegorelse, "1201": stold}
    crs: 3008
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from geo_service.errors import GeoServiceError
from geo_service.geocode.text import fold
from geo_service.ingest.limits import MAX_DEPTH, check_json_depth, load_yaml
from geo_service.ingest.parse import TEXT

FIELDS = (
    "source_id",
    "occurred_at",
    "time",
    "reported_at",
    "category",
    "description",
    "severity",
    "address",
    "town",
    "place",
    "lat",
    "lon",
    "north",
    "east",
)
KNOWN_NAMES: dict[str, tuple[str, ...]] = {
    "source_id": (
        "id",
        "source_id",
        "arendenummer",
        "arendenr",
        "diarienummer",
        "handelsenummer",
        "lopnummer",
        "referens",
        "reference",
        "anmalningsnummer",
        "ak_nummer",
    ),
    "occurred_at": (
        "datum",
        "date",
        "handelsedatum",
        "tidpunkt",
        "datetime",
        "occurred_at",
        "brottsdatum",
        "starttid",
        "datum_tid",
        "datumtid",
        "when",
        "nar",
    ),
    "time": ("tid", "time", "klockslag", "kl", "klockan"),
    "reported_at": (
        "reported_at",
        "anmald",
        "anmalningsdatum",
        "rapporterad",
        "registrerad",
        "inrapporterad",
    ),
    "category": (
        "kategori",
        "brottstyp",
        "category",
        "typ",
        "type",
        "brottskod",
        "handelsetyp",
        "what",
        "vad",
        "brott",
    ),
    "description": (
        "beskrivning",
        "description",
        "fritext",
        "text",
        "kommentar",
        "notering",
        "summary",
        "sammanfattning",
        "anteckning",
    ),
    "severity": ("allvarlighetsgrad", "severity", "prio", "prioritet", "grad", "allvarlighet"),
    "address": ("adress", "address", "gatuadress", "brottsplatsadress", "street_address"),
    "town": ("ort", "postort", "town", "city", "tatort"),
    "place": ("plats", "place", "platsnamn", "place_name", "omrade", "location"),
    "lat": ("lat", "latitud", "latitude", "lat_wgs84"),
    "lon": ("lon", "lng", "long", "longitud", "longitude", "lon_wgs84"),
    "north": ("n", "nord", "northing", "x", "x_koord", "nordkoordinat", "x_sweref", "n_sweref"),
    "east": ("e", "o", "ost", "easting", "y", "y_koord", "ostkoordinat", "y_sweref", "e_sweref"),
}
_MAPPING_KEYS = {"columns", "categories", "crs", "kind", "severity"}


@dataclass
class Mapping:
    """Column and category mapping of one source."""

    columns: dict[str, str] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    crs: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "categories": self.categories, "crs": self.crs}


def parse_mapping(data: dict[str, Any] | None) -> Mapping:
    """A Mapping from its YAML/JSON form; unknown keys or fields are an error."""
    if not data:
        return Mapping()
    if not isinstance(data, dict) or set(data) - _MAPPING_KEYS:
        raise GeoServiceError(
            "invalid_mapping",
            f"Mappningen får bara ha nycklarna {', '.join(sorted(_MAPPING_KEYS))}.",
        )
    columns = {str(k): str(v) for k, v in (data.get("columns") or {}).items()}
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise GeoServiceError(
            "invalid_mapping",
            f"Okända fält i mappningen: {', '.join(sorted(unknown))}. "
            f"Giltiga fält: {', '.join(FIELDS)}.",
        )
    categories = {fold(k): str(v) for k, v in (data.get("categories") or {}).items()}
    crs = data.get("crs")
    return Mapping(columns=columns, categories=categories, crs=int(crs) if crs else None)


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (.yaml, .yml or .json)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            message = f"Mappningsfilen är nästlad djupare än gränsen {MAX_DEPTH} nivåer."
            check_json_depth(text.encode(), message)
            data = json.loads(text)
        else:
            data = load_yaml(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise GeoServiceError("invalid_mapping", f"Mappningsfilen kan inte läsas: {exc}") from exc
    return parse_mapping(data)


def resolve_columns(file_columns: list[str], mapping: Mapping) -> dict[str, str]:
    """Event field → file column, from the mapping first, then from known names."""
    present = {str(c) for c in file_columns}
    missing = [c for c in mapping.columns.values() if c not in present]
    if missing:
        raise GeoServiceError(
            "missing_columns",
            f"Mappningen nämner kolumner som saknas i filen: {', '.join(missing)}. "
            f"Filens kolumner: {', '.join(map(str, file_columns))}.",
        )
    resolved = dict(mapping.columns)
    folded = {fold(c): str(c) for c in file_columns}
    taken = set(resolved.values())
    for name in FIELDS:
        if name in resolved:
            continue
        for alias in KNOWN_NAMES[name]:
            column = folded.get(alias)
            if column is not None and column not in taken:
                resolved[name] = column
                taken.add(column)
                break
    return resolved


def check_required(resolved: dict[str, str], file_columns: list[str], has_geometry: bool) -> None:
    """Raise with the file's columns and what is missing unless time, category and place exist."""
    missing = []
    if "occurred_at" not in resolved:
        missing.append("datum (Datum/Date/Tidpunkt)")
    if "category" not in resolved:
        missing.append("kategori (Kategori/Brottstyp/Category)")
    coords = ({"lat", "lon"} <= resolved.keys()) or ({"north", "east"} <= resolved.keys())
    if not (has_geometry or coords or "address" in resolved or "place" in resolved):
        missing.append("plats (Lat+Lon, N+E, X+Y, Adress eller Plats)")
    if missing:
        raise GeoServiceError(
            "missing_columns",
            f"Obligatoriska fält saknas: {'; '.join(missing)}. "
            f"Filens kolumner: {', '.join(map(str, file_columns)) or '(inga)'}.",
        )


def apply(frame: pd.DataFrame, resolved: dict[str, str]) -> pd.DataFrame:
    """The frame with event-field columns (strings) in place of the file's."""
    columns = {name: frame[column].astype(TEXT) for name, column in resolved.items()}
    return pd.DataFrame(columns, index=frame.index)
