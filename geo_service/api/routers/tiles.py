"""Vector tiles and TileJSON: /tiles/{layer}/{z}/{x}/{y}.mvt and /tiles/{layer}.json.

Hot path: a tile request checks the token (cached a few seconds), then serves a tile rendered once
per (layer, municipality, run, privacy variant, z, x, y). Run-versioned URLs are immutable.
"""

from dataclasses import dataclass, replace

from fastapi import Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from geo_service.api.auth import PUBLIC, Principal
from geo_service.api.callers import callers
from geo_service.api.problems import TENANT_ERRORS, problem_responses
from geo_service.api.routes import api_router
from geo_service.api.schemas.serving import TileJSON
from geo_service.errors import GeoServiceError, NotFound
from geo_service.priorities.service import priorities_for_run
from geo_service.privacy import Disclosure
from geo_service.results.runs import resolve_run
from geo_service.tiles.cache import LRUCache
from geo_service.tiles.encoding import VARY, accepts_gzip, compressed, gzip_etag
from geo_service.tiles.fastpath import validators
from geo_service.tiles.layers import LAYERS, valid_tile
from geo_service.tiles.sql import PlaceRanking, render_tile
from geo_service.tiles.tilejson import tilejson

router = api_router(prefix="/tiles", tags=["tiles"], responses=TENANT_ERRORS)
MVT = "application/vnd.mapbox-vector-tile"
YEAR = 365 * 24 * 3600
ERRORS = problem_responses(
    (400, 404, 409),
    notes={
        400: "Bad z/x/y or missing municipality",
        404: "Unknown layer or run",
        409: "The asked run is not completed",
    },
    examples={
        400: ("invalid_tile", "No tile 3/9/1: need 0 ≤ z ≤ 22 and 0 ≤ x, y < 2^z."),
        404: ("unknown_layer", "No tile layer 'heat'; known: hotspots, places, events_agg."),
        409: ("run_not_completed", "Analysis run 12 is running, not completed."),
    },
)
SECURITY = {"security": [{"HTTPBearer": []}, {}]}
"""Tiles read the token themselves: a bearer token, or anonymous where the public view is on."""
MUNICIPALITY = Query(
    None,
    pattern=r"^[0-9]{4}$",
    description="Kommunkod; defaults to the token's municipality (required when anonymous).",
)
RUN = Query(None, ge=1, le=2**62, description="Analysis run id; default the latest completed.")


@dataclass
class TileState:
    """Per-app caches of tiles, rankings and checked runs."""

    tiles: LRUCache[bytes]
    events: LRUCache[bytes]
    rankings: LRUCache[PlaceRanking]
    runs: LRUCache[bool]


def _state(request: Request) -> TileState:
    app = request.app
    state = getattr(app.state, "tile_state", None)
    if state is None:
        s = app.state.settings
        state = TileState(
            tiles=LRUCache(s.tile_cache_size),
            events=LRUCache(s.tile_cache_size // 4, ttl=s.events_tile_seconds),
            rankings=LRUCache(1_000, ttl=s.events_tile_seconds),
            runs=LRUCache(10_000, ttl=s.auth_cache_seconds),
        )
        app.state.tile_state = state
    return state


async def _reader(request: Request, municipality: str | None) -> tuple[Principal, Disclosure]:
    """The caller, and what they may see of the municipality they read (anonymous callers must
    name it; tokens default to their own)."""
    known = callers(request.app)
    principal = await known.principal(request.headers.get("authorization", ""))
    mc = municipality or principal.municipality_code
    if mc is None:
        raise GeoServiceError(
            "municipality_required", "Anonymous tile requests need ?municipality=<kommunkod>."
        )
    seen = await known.disclosure(principal, mc)
    return replace(principal, municipality_code=mc, disclosure=seen), seen


def _layer(name: str) -> None:
    if name not in LAYERS:
        raise NotFound("unknown_layer", f"No tile layer {name!r}; known: {', '.join(LAYERS)}.")


def _coordinates(z: str, x: str, y: str) -> tuple[int, int, int]:
    try:
        zi, xi, yi = int(z), int(x), int(y)
    except ValueError:
        zi = -1
    if zi < 0 or not valid_tile(zi, xi, yi):
        raise GeoServiceError(
            "invalid_tile", f"No tile {z}/{x}/{y}: need 0 ≤ z ≤ 22 and 0 ≤ x, y < 2^z."
        )
    return zi, xi, yi


def _latest(request: Request, mc: str) -> int:
    with request.app.state.sessions() as session:
        return resolve_run(session, mc, None)


def _ranking(request: Request, session: Session, mc: str, run: int) -> PlaceRanking:
    """The places' ranking for the meeting that reviews the run, as the priorities API gives it
    (computed once per run and process)."""
    rankings = _state(request).rankings
    found = rankings.get((mc, run))
    if found is None:
        found = PlaceRanking.of(priorities_for_run(session, mc, run).items)
        rankings.put((mc, run), found)
    return found


def _render(
    request: Request, layer: str, mc: str, run: int | None, z: int, x: int, y: int, suppress: bool
) -> bytes:
    """Check a given run belongs to the tenant and is completed, then render the tile."""
    settings = request.app.state.settings
    checked = _state(request).runs
    with request.app.state.sessions() as session:
        if LAYERS[layer].run_versioned and checked.get((mc, run)) is None:
            resolve_run(session, mc, run)  # checked again after auth_cache_seconds
            checked.put((mc, run), True)
        ranking = _ranking(request, session, mc, run) if layer == "places" else None
        conn = session.connection()
        data = render_tile(
            conn,
            layer,
            mc,
            z,
            x,
            y,
            run_id=run,
            suppress=suppress,
            k=settings.k_suppression,
            ranking=ranking,
        )
        session.commit()
    return data


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    responses={
        200: {
            "content": {MVT: {"schema": {"type": "string", "format": "binary"}}},
            "description": "A Mapbox Vector Tile with one layer named like the source",
        },
        204: {"description": "Empty tile"},
        304: {"description": "Not modified (If-None-Match)"},
        **ERRORS,
    },
    response_class=Response,
    openapi_extra=SECURITY,
)
async def tile(
    request: Request,
    layer: str,
    z: str,
    x: str,
    y: str,
    municipality: str | None = MUNICIPALITY,
    run: int | None = RUN,
) -> Response:
    """One vector tile.

    MVT tile of `hotspots`, `places` or `events_agg`; counts below k left out for viewers."""
    _layer(layer)
    zi, xi, yi = _coordinates(z, x, y)
    state = _state(request)
    principal, seen = await _reader(request, municipality)
    mc = principal.tenant
    spec = LAYERS[layer]
    suppress = seen.suppressed
    shown_k = seen.k if suppress else 0
    visibility = "public" if principal.role == PUBLIC else "private"
    if zi < spec.minzoom or zi > spec.maxzoom:
        return Response(status_code=204, headers={"Cache-Control": f"{visibility}, max-age={YEAR}"})
    cache = state.tiles if spec.immutable else state.events
    run_id = run
    if spec.run_versioned and run is None:
        run_id = await run_in_threadpool(_latest, request, mc)
    key = (layer, mc, run_id, shown_k, zi, xi, yi)
    data = cache.get(key)
    if data is None:
        data = await run_in_threadpool(_render, request, layer, mc, run_id, zi, xi, yi, suppress)
        cache.put(key, data)
    lifetime = request.app.state.settings.events_tile_seconds
    etag, max_age = validators(spec, key, data, run is not None, lifetime)
    gzipped = bool(data) and accepts_gzip(request.headers.get("accept-encoding", ""))
    if gzipped:
        etag = gzip_etag(etag)
    headers = {"ETag": etag, "Cache-Control": f"{visibility}, {max_age}", "Vary": VARY}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if not data:
        return Response(status_code=204, headers=headers)
    if gzipped:
        body = compressed(cache, key, data)
        return Response(body, media_type=MVT, headers=headers | {"Content-Encoding": "gzip"})
    return Response(data, media_type=MVT, headers=headers)


@router.get("/{layer}.json", response_model=TileJSON, responses=ERRORS, openapi_extra=SECURITY)
async def tile_json(
    request: Request, layer: str, municipality: str | None = MUNICIPALITY, run: int | None = RUN
) -> dict:
    """TileJSON 3.0.0.

    TileJSON of one layer with absolute tile URLs that carry the run id (new run, new URLs)."""
    _layer(layer)
    principal, _ = await _reader(request, municipality)
    return await run_in_threadpool(_tilejson, request, layer, principal.tenant, run)


def _tilejson(request: Request, layer: str, mc: str, run: int | None) -> dict:
    with request.app.state.sessions() as session:
        run_id = resolve_run(session, mc, run) if LAYERS[layer].run_versioned else None
        conn = session.connection()
        version = f"1.0.{run_id}" if run_id is not None else "1.0.0"
        base_url = request.app.state.settings.base_url  # never the request's Host header
        return tilejson(conn, layer, mc, version, base_url, run_id)
