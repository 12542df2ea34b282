"""Example bodies for the OpenAPI: realistic Perstorp data (kommun 1275), valid for their schemas.

One place for them so that models, list responses and tests share the same examples. FastAPI
drops nulls from the OpenAPI document, so required nullable fields carry values here.
"""

from typing import Any

MC = "1275"
CELL = "891f2e19d5bffff"
"""An H3 resolution 9 cell at Stationsområdet in Perstorp, as lowercase hex."""
CELL_R8 = "881f2e19d5fffff"
HEXAGON = [
    [13.391128, 56.137452],
    [13.391261, 56.135914],
    [13.394004, 56.135305],
    [13.396615, 56.136235],
    [13.396482, 56.137772],
    [13.393739, 56.138381],
    [13.391128, 56.137452],
]
STATION_POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [
            [13.3905, 56.1352],
            [13.3985, 56.1352],
            [13.3985, 56.1392],
            [13.3905, 56.1392],
            [13.3905, 56.1352],
        ]
    ],
}

HOTSPOT_CELL: dict[str, Any] = {
    "cell": CELL,
    "resolution": 9,
    "category": "intensifying_hot",
    "z": 3.21,
    "p": 0.0013,
    "hot_share": 0.8,
    "cold_share": 0.0,
    "trend_tau": 0.42,
    "trend_p": 0.01,
    "count_trend_tau": 0.3,
    "count_trend_p": 0.04,
    "run_length": 5,
    "total": 14.0,
    "last_value": 3.0,
    "suppressed": False,
}
HOTSPOT_LIST = {
    "total": 37,
    "limit": 500,
    "offset": 0,
    "run_id": 12,
    "municipality_code": MC,
    "period_start": None,
    "items": [HOTSPOT_CELL],
}
HOTSPOT_GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": CELL,
            "geometry": {"type": "Polygon", "coordinates": [HEXAGON]},
            "properties": HOTSPOT_CELL,
        }
    ],
    "run_id": 12,
    "municipality_code": MC,
    "total": 37,
    "limit": 500,
    "offset": 0,
}
RUN_SUMMARY = {
    "id": 12,
    "municipality_code": MC,
    "status": "completed",
    "resolution": 9,
    "period_start": "2026-05-19T00:00:00+02:00",
    "period_end": "2026-11-17T00:00:00+01:00",
    "n_periods": 13,
    "started_at": "2026-11-16T07:02:11+01:00",
    "finished_at": "2026-11-16T07:02:14+01:00",
}
RUN_DETAIL = {
    **RUN_SUMMARY,
    "params": {
        "resolution": 9,
        "n_periods": 13,
        "period_days": 14,
        "value": "count",
        "study_area": "boundary",
    },
    "watermark": {"events": 2841, "max_occurred_at": "2026-11-16T22:40:00+01:00"},
    "sparsity": {"cells": 412, "nonzero_share": 0.18},
    "warnings": [],
    "timings": {"aggregate_s": 0.21, "analysis_s": 1.4},
    "error": None,
    "categories": {"intensifying_hot": 3, "new_hot": 1, "persistent_hot": 2, "no_pattern": 406},
}
RUN_LIST = {"total": 4, "limit": 50, "offset": 0, "items": [RUN_SUMMARY]}
RUN_REQUEST = {
    "resolution": 9,
    "n_periods": 26,
    "kinds": ["incident", "observation"],
    "categories": ["klotter", "skadegorelse"],
}
EVENT = {
    "id": 1234,
    "kind": "observation",
    "category": "klotter",
    "source": "rapportor_perstorps_kommun",
    "occurred_at": "2026-11-12T21:30:00+01:00",
    "severity": 2,
    "x": 400278.7,
    "y": 6222531.7,
    "lon": 13.3953,
    "lat": 56.1374,
    "h3_r9": CELL,
    "place_id": 2,
    "geocode_method": "coordinates",
    "description": "Nytt klotter på vägg och elskåp",
    "created_by": "token:7",
}
EVENT_LIST = {"total": 2841, "limit": 500, "offset": 0, "items": [EVENT]}
EVENT_COUNTS = {
    "municipality_code": MC,
    "resolution": 8,
    "k": 3,
    "suppressed_cells": 5,
    "items": [{"cell": CELL_R8, "count": 41}],
}
TILEJSON = {
    "tilejson": "3.0.0",
    "name": "hotspots",
    "description": "Emerging hot spots of Perstorp",
    "version": "1.0.12",
    "attribution": "geo_service",
    "scheme": "xyz",
    "tiles": ["https://est.perstorp.se/tiles/hotspots/{z}/{x}/{y}.mvt?municipality=1275&run=12"],
    "vector_layers": [
        {
            "id": "hotspots",
            "description": "H3 cells",
            "fields": {"category": "String"},
            "minzoom": 8,
            "maxzoom": 16,
        }
    ],
    "bounds": [13.2, 56.05, 13.55, 56.25],
    "center": [13.3953, 56.1374, 12],
    "minzoom": 8,
    "maxzoom": 16,
}
HEALTH = {
    "status": "ok",
    "version": "0.1.0",
    "database": "ok",
    "postgis_version": "3.5.2",
    "schema_revision": "0007",
    "schema_head": "0007",
    "municipalities": [{"municipality_code": MC, "name": "Perstorp", "events": 2841}],
}
BOUNDARY = {
    "type": "Feature",
    "id": MC,
    "properties": {"name": "Perstorp"},
    "geometry": {
        "type": "MultiPolygon",
        "coordinates": [
            [[[13.25, 56.07], [13.52, 56.07], [13.52, 56.22], [13.25, 56.22], [13.25, 56.07]]]
        ],
    },
    "bbox": [13.25, 56.07, 13.52, 56.22],
}

IMPORT_REPORT = {
    "batch_id": 31,
    "municipality_code": MC,
    "source": "polisen",
    "kind": "incident",
    "filename": "polisen_2026-11.csv",
    "format": "csv",
    "rows_read": 125,
    "stored": 118,
    "updated": 2,
    "unchanged": 3,
    "quarantined": 2,
    "quarantine_reasons": {"outside_area": 1, "unknown_category": 1},
    "geocode_methods": {"coordinates": 110, "place": 8},
    "columns": {"occurred_at": "datum", "category": "brottstyp", "north": "n", "east": "e"},
    "warnings": [],
}
IMPORT_SUMMARY = {
    "id": 31,
    "source": "polisen",
    "kind": "incident",
    "filename": "polisen_2026-11.csv",
    "started_at": "2026-11-16T06:55:02+01:00",
    "finished_at": "2026-11-16T06:55:04+01:00",
    "rows_read": 125,
    "stored": 118,
    "updated": 2,
    "unchanged": 3,
    "quarantined": 2,
}
OBSERVATION_IN = {
    "category": "klotter",
    "occurred_at": "2026-11-12T21:30:00+01:00",
    "severity": 2,
    "place": "stationen",
    "description": "Nytt klotter på tunneln",
    "client_id": "app-4711",
}
OBSERVATION_AT_POINT = {
    "category": "belysning",
    "occurred_at": "2026-11-13T17:05:00+01:00",
    "lat": 56.1374,
    "lon": 13.3953,
    "description": "Trasig gatlampa vid gångtunneln",
}
OBSERVATION_REPORT = {
    "report": {
        **IMPORT_REPORT,
        "batch_id": 32,
        "source": "rapportor_perstorps_kommun",
        "kind": "observation",
        "filename": "api",
        "format": "frame",
        "rows_read": 2,
        "stored": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
        "quarantine_reasons": {"unknown_place": 1},
        "geocode_methods": {"place": 1},
        "columns": {"category": "kategori", "occurred_at": "datum"},
    },
    "results": [
        {"index": 0, "status": "stored", "reason_code": None, "message": None},
        {
            "index": 1,
            "status": "quarantined",
            "reason_code": "unknown_place",
            "message": "Okänd plats 'gamla bruket'",
        },
    ],
}
OBSERVATION_OUT = {
    "id": 1234,
    "category": "klotter",
    "occurred_at": "2026-11-12T21:30:00+01:00",
    "severity": 2,
    "description": "Nytt klotter på tunneln",
    "lat": 56.1374,
    "lon": 13.3953,
    "place_id": 2,
    "geocode_method": "place",
    "created_by": "token:7",
}
QUARANTINE_ROW = {
    "id": 88,
    "batch_id": 31,
    "row_number": 17,
    "reason_code": "outside_area",
    "message": "Punkten ligger utanför kommunen",
    "raw": {
        "datum": "2026-11-03 22:10",
        "brottstyp": "Skadegörelse",
        "n": "6172000",
        "e": "390000",
    },
    "created_at": "2026-11-16T06:55:03+01:00",
    "resolved_at": "2026-11-16T09:30:00+01:00",
}

PLACE_IN = {
    "name": "Stationsområdet",
    "kind": "station",
    "aliases": ["stationen", "resecentrum"],
    "note": "Perrongerna och gångtunneln",
    "geometry": STATION_POLYGON,
}
PLACE_POINT_IN = {
    "name": "Gångtunneln",
    "kind": "other",
    "aliases": ["tunneln"],
    "geometry": {"type": "Point", "coordinates": [13.3953, 56.1374]},
    "radius_m": 60,
}
PLACE_PATCH = {"aliases": ["stationen", "resecentrum", "perrongen"]}
PLACE_OUT = {
    "id": 2,
    "name": "Stationsområdet",
    "kind": "station",
    "aliases": ["stationen", "station", "resecentrum"],
    "area_id": 1,
    "note": "Perrongerna och gångtunneln",
    "geometry": STATION_POLYGON,
}

PRIORITY = {
    "place_id": 2,
    "name": "Stationsområdet",
    "kind": "station",
    "rank": 1,
    "score": 0.82,
    "level": "red",
    "listed": True,
    "components": [
        {
            "key": "hotspot",
            "label_sv": "Hot spot",
            "label_en": "Hot spot",
            "value": 1.0,
            "weight": 0.4,
            "contribution": 0.4,
        },
        {
            "key": "change",
            "label_sv": "Ökning",
            "label_en": "Increase",
            "value": 0.7,
            "weight": 0.3,
            "contribution": 0.21,
        },
    ],
    "change": {
        "current": 9,
        "baseline": 4,
        "baseline_periods": 6,
        "rate_ratio": 2.25,
        "ci_low": 1.1,
        "ci_high": 4.6,
        "p_increase": 0.012,
    },
    "top_categories": [
        {"code": "klotter", "label_sv": "Klotter", "label_en": "Graffiti", "count": 5},
        {"code": "skadegorelse", "label_sv": "Skadegörelse", "label_en": "Vandalism", "count": 4},
    ],
    "emerging_category": "intensifying_hot",
    "reason_sv": "Intensifierande hot spot; klotter och skadegörelse ökar (9 mot 4 i snitt).",
    "reason_en": "Intensifying hot spot; graffiti and vandalism rising (9 against 4 on average).",
    "reason": "Intensifierande hot spot; klotter och skadegörelse ökar (9 mot 4 i snitt).",
}
PRIORITIES = {
    "municipality_code": MC,
    "meeting_date": "2026-11-17",
    "run_id": 12,
    "period_start": "2026-11-03T00:00:00+01:00",
    "period_end": "2026-11-17T00:00:00+01:00",
    "period_days": 14,
    "params": {"thresholds": {"yellow": 0.4, "red": 0.7}},
    "warnings": [],
    "priorities": [PRIORITY],
}
SNAPSHOT = {
    "id": 3,
    "municipality_code": MC,
    "meeting_date": "2026-11-17",
    "run_id": 12,
    "params": {"thresholds": {"yellow": 0.4, "red": 0.7}},
    "priorities": [PRIORITY],
    "created_at": "2026-11-17T09:12:40+01:00",
    "created_by": "token:4",
}
COMPARISON = {
    "meeting_date": "2026-11-17",
    "snapshot_id": 3,
    "previous_meeting_date": "2026-10-20",
    "previous_snapshot_id": 2,
    "changes": [
        {
            "place_id": 2,
            "name": "Stationsområdet",
            "status": "up",
            "rank": 1,
            "previous_rank": 3,
            "score": 0.82,
            "previous_score": 0.55,
            "level": "red",
            "previous_level": "yellow",
        }
    ],
}
MEASURE_IN = {
    "place_id": 2,
    "kind": "belysning",
    "title": "Ny belysning i gångtunneln",
    "description": "LED-armaturer och klotterskydd på väggarna",
    "start_date": "2026-09-01",
    "end_date": "2026-09-30",
    "status": "done",
    "responsible_org": "Perstorps kommun, Tekniska förvaltningen",
}
MEASURE_PATCH = {"status": "ongoing", "end_date": "2026-10-15"}
MEASURE_OUT = {"id": 5, **MEASURE_IN, "created_at": "2026-08-20T10:00:00+02:00"}
FOLLOWUP = {
    "measure_id": 5,
    "place_id": 2,
    "title": "Ny belysning i gångtunneln",
    "window_days": 56,
    "before": {"start": "2026-07-06", "end": "2026-08-31"},
    "after": {"start": "2026-10-01", "end": "2026-11-25"},
    "place_before": 18,
    "place_after": 9,
    "comparison_place_ids": [1, 3, 7],
    "comparison_before": 40,
    "comparison_after": 38,
    "ratio": 0.53,
    "ci_low": 0.23,
    "ci_high": 1.19,
    "confidence": 0.95,
    "p_two_sided": 0.12,
    "place_rate_ratio": 0.5,
    "comparison_rate_ratio": 0.95,
    "continuity_corrected": False,
    "change_percent": -47.4,
    "reduction": False,
    "increase": False,
    "summary_sv": "Händelserna vid Stationsområdet minskade med 47 % jämfört med "
    "jämförelseplatserna, men skillnaden är inte säker (95 % KI 0,23–1,19).",
    "summary_en": "Events at Stationsområdet fell by 47% against the comparison places, but "
    "the difference is not certain (95% CI 0.23–1.19).",
}


def json_example(example: Any, media_type: str = "application/json") -> dict[str, Any]:
    """An OpenAPI `content` entry with one example, for `responses={200: ...}`."""
    return {"content": {media_type: {"example": example}}}
