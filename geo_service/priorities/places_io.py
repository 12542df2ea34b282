"""`geo-service places load FILE`: places from GeoJSON or GeoPackage, reprojected to EPSG:3006.

Columns: `name` (or namn), optional `kind` (or typ), `aliases` (or alias; a list or a string
separated by ';' or ','), `note`. A file without a CRS is taken as WGS84 (GeoJSON's rule).
Loading again updates places of the same name.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.db.constants import PLACE_KINDS
from geo_service.errors import GeoServiceError
from geo_service.priorities.places import DEFAULT_RADIUS_M, assign_areas

NAME_COLUMNS = ("name", "namn", "NAME", "Namn")
KIND_COLUMNS = ("kind", "typ", "KIND")
ALIAS_COLUMNS = ("aliases", "alias", "ALIASES")


@dataclass(frozen=True)
class PlaceLoad:
    """What a load did."""

    read: int
    stored: int
    skipped: list[str]


def _first(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if c in frame.columns), None)


def _aliases(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text_value = str(value).strip()
    if text_value.startswith("["):
        try:
            return [str(v) for v in json.loads(text_value)]
        except json.JSONDecodeError:
            pass
    sep = ";" if ";" in text_value else ","
    return [part.strip() for part in text_value.split(sep) if part.strip()]


def _read_file(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """A vector file through pyogrio, or a clear error when it is missing or unreadable."""
    if not path.exists():
        raise GeoServiceError("file_not_found", f"No such file: {path}")
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise GeoServiceError("unreadable_file", f"Cannot read {path.name}: {exc}") from None
    return frame


def read_places(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """The file's features in EPSG:3006 with name, kind, aliases and note columns."""
    frame = _read_file(path, layer)
    name = _first(frame, NAME_COLUMNS)
    if name is None:
        raise GeoServiceError(
            "missing_column", f"{path.name} has no name column (one of {', '.join(NAME_COLUMNS)})."
        )
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame.to_crs(3006)
    kind, alias = _first(frame, KIND_COLUMNS), _first(frame, ALIAS_COLUMNS)
    out = gpd.GeoDataFrame(
        {
            "name": frame[name].astype(str).str.strip(),
            "kind": frame[kind].fillna("other").astype(str) if kind else "other",
            "aliases": frame[alias].map(_aliases) if alias else [[] for _ in range(len(frame))],
            "note": frame["note"] if "note" in frame.columns else None,
        },
        geometry=frame.geometry,
        crs=3006,
    )
    return out


def load_places(session: Session, mc: str, path: Path, layer: str | None = None) -> PlaceLoad:
    """Upsert the file's places by name; features without a name or geometry are skipped."""
    frame = read_places(path, layer)
    skipped = []
    rows = []
    for row in frame.itertuples():
        geom = row.geometry
        if not row.name or geom is None or geom.is_empty:
            skipped.append(f"{row.name or '(no name)'}: no name or geometry")
            continue
        if geom.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            skipped.append(f"{row.name}: {geom.geom_type} is not a place geometry")
            continue
        kind = row.kind if row.kind in PLACE_KINDS else "other"
        rows.append(
            {
                "mc": mc,
                "name": row.name,
                "kind": kind,
                "aliases": row.aliases,
                "note": None if pd.isna(row.note) else row.note,
                "wkt": geom.wkt,
                "radius": DEFAULT_RADIUS_M,
            }
        )
    if rows:
        session.execute(
            text(
                "INSERT INTO place (municipality_code, name, kind, aliases, note, geom, point) "
                "SELECT :mc, :name, :kind, :aliases, :note, "
                " CASE WHEN GeometryType(g) = 'POINT' THEN ST_Multi(ST_Buffer(g, :radius, 16)) "
                "      ELSE ST_Multi(ST_MakeValid(g)) END, "
                " CASE WHEN GeometryType(g) = 'POINT' THEN g ELSE ST_PointOnSurface(g) END "
                "FROM (SELECT ST_GeomFromText(:wkt, 3006) AS g) s "
                "ON CONFLICT (municipality_code, name) DO UPDATE SET kind = excluded.kind, "
                " aliases = excluded.aliases, note = excluded.note, geom = excluded.geom, "
                " point = excluded.point"
            ),
            rows,
        )
        assign_areas(session, mc)
    return PlaceLoad(read=len(frame), stored=len(rows), skipped=skipped)


def load_areas(session: Session, mc: str, path: Path, layer: str | None = None) -> PlaceLoad:
    """Upsert areas (kommundelar, survey sub-areas) by name; only polygons are areas."""
    frame = read_places(path, layer)
    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]) & frame["name"].ne("")
    skipped = [f"{n or '(no name)'}: not a named polygon" for n in frame.loc[~polygonal, "name"]]
    rows = [
        {
            "mc": mc,
            "name": row.name,
            "kind": row.kind if row.kind != "other" else "district",
            "aliases": row.aliases,
            "note": None if pd.isna(row.note) else row.note,
            "wkt": row.geometry.wkt,
        }
        for row in frame[polygonal].itertuples()
    ]
    if rows:
        session.execute(
            text(
                "INSERT INTO area (municipality_code, name, kind, aliases, note, geom) "
                "VALUES (:mc, :name, :kind, :aliases, :note, "
                " ST_Multi(ST_MakeValid(ST_GeomFromText(:wkt, 3006)))) "
                "ON CONFLICT (municipality_code, name) DO UPDATE SET kind = excluded.kind, "
                " aliases = excluded.aliases, note = excluded.note, geom = excluded.geom"
            ),
            rows,
        )
        assign_areas(session, mc)
    return PlaceLoad(read=len(frame), stored=len(rows), skipped=skipped)


def read_boundary(path: Path, layer: str | None = None) -> str:
    """A municipality boundary file as one (multi)polygon WKT in EPSG:3006."""
    frame = _read_file(path, layer)
    frame = (frame.set_crs(4326) if frame.crs is None else frame).to_crs(3006)
    polygons = frame[frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise GeoServiceError("no_polygon", f"{path.name} has no polygon to use as a boundary.")
    return polygons.geometry.union_all().wkt
