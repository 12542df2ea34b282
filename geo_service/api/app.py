"""The FastAPI app factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.orm import sessionmaker

from geo_service.api.deps import no_nul_parameters
from geo_service.api.docs import TAGS, install_docs
from geo_service.api.limits import JsonDepthLimit, RequestSizeLimit
from geo_service.api.logs import install_log_redaction
from geo_service.api.problems import install_problem_handlers, problem_responses
from geo_service.api.ratelimit import WriteRateLimit
from geo_service.api.reads import read_engine
from geo_service.api.routers import (
    clusters,
    dashboard,
    evaluation,
    events,
    field,
    health,
    hotspots,
    imports,
    measures,
    meetings,
    near_repeats,
    observations,
    palette,
    places,
    priorities,
    quarantine,
    runs,
    tiles,
    walks,
)
from geo_service.config import Settings, get_settings
from geo_service.db.engine import get_engine
from geo_service.tiles.fastpath import CachedTileFastPath

API_PREFIX = "/api/v1"
ERROR_RESPONSES = problem_responses(503)
"""Every operation may meet an unreachable database; the routes document their own errors."""
API_ROUTERS = (
    health,
    hotspots,
    clusters,
    runs,
    events,
    places,
    priorities,
    meetings,
    measures,
    imports,
    observations,
    walks,
    quarantine,
    palette,
    near_repeats,
    evaluation,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = app.state.settings.worker_threads
    gc.collect()
    gc.freeze()
    yield
    pool = getattr(app.state, "render_pool", None)
    if pool is not None:
        pool.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; the settings decide the database."""
    settings = settings or get_settings()
    app = FastAPI(
        title="geo_service",
        version="0.1.0",
        description="Hotspots, priorities and the lägesbild for EST in Swedish municipalities.",
        responses=ERROR_RESPONSES,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(no_nul_parameters)],
        lifespan=_lifespan,
    )
    install_docs(app)
    app.state.settings = settings
    install_log_redaction()
    engine = get_engine(settings.database_url, settings.db_pool_size, settings.db_max_overflow)
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    app.state.reads = read_engine(settings.database_url, settings.read_pool_size)
    install_problem_handlers(app)
    for module in API_ROUTERS:
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(tiles.router)
    app.add_middleware(
        WriteRateLimit, per_minute=settings.write_rate_per_minute, burst=settings.write_burst
    )
    app.add_middleware(JsonDepthLimit)  # inside the size limit, which bounds what it reads
    app.add_middleware(
        RequestSizeLimit,
        max_body_bytes=settings.max_body_kb * 1024,
        max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
    )
    app.add_middleware(CachedTileFastPath)  # tile cache hits skip routing (docs/serving.md)
    if settings.cors_origins:  # outermost, so cached tiles, 413 and 429 carry the CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match"],
        )
    dashboard.install_dashboard(app, API_PREFIX)
    field.install_field_app(app, API_PREFIX)
    return app
