"""Load the Perstorp demo into the database; loading twice changes nothing."""

import hashlib
import json

import pandas as pd
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo_service.db.models import Area, Measure, Place, Source, SurveyResult
from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp as demo
from geo_service.grid import latlng_to_cells
from geo_service.ingest.loader import UpsertCounts, upsert_events


def load_demo(session: Session, seed: int = 1275) -> UpsertCounts:
    """Municipality, sources, areas, places, survey, measures and events of the demo."""
    mc = demo.CODE
    ensure_municipality(session, mc, demo.NAME, demo.boundary().wkt, demo.NOTE)
    session.execute(
        _PERIODS,
        {
            "anchor": demo.PERIOD_ANCHOR,
            "days": demo.PERIOD_DAYS,
            "mc": mc,
            "to_date": demo.MEETING_DATE.isoformat(),
        },
    )
    sources = [
        {"municipality_code": mc, "code": c, "name": n, "kind": k} for c, n, k in demo.SOURCES
    ]
    session.execute(insert(Source).values(sources).on_conflict_do_nothing())
    _load_areas_and_places(session, mc)
    _load_survey(session, mc)
    _load_measures(session, mc)
    session.flush()
    return session_upsert(session, mc, event_frame(demo.generate_events(seed)))


_PERIODS = text("""
UPDATE municipality SET period_anchor = :anchor, period_length_days = :days,
  settings = jsonb_set(coalesce(settings, '{}'), '{analysis}',
    coalesce(settings -> 'analysis', '{}') || jsonb_build_object('to_date', CAST(:to_date AS text)))
WHERE municipality_code = :mc
""")
"""The demo's calendar, and its analysis end date pinned to its last meeting: runs made at any
later day (by the worker or `analyze`) end their data where the demo's data end."""
_PLACE_AREAS = text(
    "UPDATE place p SET area_id = a.id FROM area a WHERE p.municipality_code = :mc "
    "AND a.municipality_code = :mc AND ST_Intersects(a.geom, p.point) AND p.area_id IS NULL"
)


def _ids(session: Session, table: str, mc: str) -> dict[str, int]:
    """Name → id of the tenant's areas or places."""
    sql = text(f"SELECT name, id FROM {table} WHERE municipality_code = :mc")  # a fixed name
    return dict(session.execute(sql, {"mc": mc}).all())


def _load_areas_and_places(session: Session, mc: str) -> None:
    """The demo's areas and places, each place in the area its point falls in."""
    area_rows = [
        {"municipality_code": mc, "name": name, "geom": _multi(g), "note": demo.NOTE}
        for name, g in demo.areas().items()
    ]
    session.execute(insert(Area).values(area_rows).on_conflict_do_nothing())
    load_places(session, mc)
    session.execute(_PLACE_AREAS, {"mc": mc})


def load_places(session: Session, mc: str) -> None:
    """The demo's places (polygons, points, aliases) in municipality `mc`; existing ones kept."""
    place_rows = [
        {
            "municipality_code": mc,
            "name": p.name,
            "kind": p.kind,
            "aliases": list(p.aliases),
            "geom": _multi(p.polygon()),
            "point": "SRID=3006;POINT({} {})".format(*p.xy()),
            "note": demo.NOTE,
        }
        for p in demo.PLACES
    ]
    session.execute(insert(Place).values(place_rows).on_conflict_do_nothing())


def _load_survey(session: Session, mc: str) -> None:
    """The demo's safety-survey results per area, year and question."""
    area_ids = _ids(session, "area", mc)
    rows = [
        {
            "municipality_code": mc,
            "area_id": area_ids[r.area],
            "year": r.year,
            "question": r.question,
            "index_value": r.index_value,
            "respondents": r.respondents,
        }
        for r in demo.survey().itertuples()
    ]
    session.execute(insert(SurveyResult).values(rows).on_conflict_do_nothing())


def _load_measures(session: Session, mc: str) -> None:
    """The demo's measures, each once (by title)."""
    place_ids = _ids(session, "place", mc)
    existing = set(
        session.execute(
            text("SELECT title FROM measure WHERE municipality_code = :mc"), {"mc": mc}
        ).scalars()
    )
    for m in demo.measures():
        if m["title"] not in existing:
            session.add(Measure(municipality_code=mc, place_id=place_ids[m.pop("place")], **m))


def session_upsert(session: Session, mc: str, frame: pd.DataFrame) -> UpsertCounts:
    return upsert_events(session.connection(), mc, frame)


def event_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The demo events in the loader's column layout."""
    out = events[
        [
            "kind",
            "category",
            "source",
            "source_id",
            "occurred_at",
            "severity",
            "x",
            "y",
            "description",
        ]
    ].copy()
    for res in (8, 9, 10):
        out[f"h3_r{res}"] = latlng_to_cells(events["lat"].to_numpy(), events["lon"].to_numpy(), res)
    out["geocode_method"] = "coordinates"
    out["geocode_score"] = 1.0
    out["attributes"] = [json.dumps({"demo": True}) for _ in range(len(out))]
    out["created_by"] = "demo"
    out["content_hash"] = [
        hashlib.md5(
            f"{r.kind}|{r.category}|{r.occurred_at}|{r.x:.2f}|{r.y:.2f}|{r.description}".encode()
        ).hexdigest()
        for r in out.itertuples()
    ]
    return out


def _multi(geom: BaseGeometry) -> object:
    """A MultiPolygon SQL expression in EPSG:3006 from a shapely polygon."""
    return func.ST_Multi(func.ST_GeomFromText(geom.wkt, 3006))
