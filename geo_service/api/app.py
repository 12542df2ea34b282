"""The FastAPI app factory."""

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker

from geo_service.api.problems import Problem, install_problem_handlers
from geo_service.api.routers import health, measures, meetings, places, priorities
from geo_service.config import Settings, get_settings
from geo_service.db.engine import get_engine

API_PREFIX = "/api/v1"
ERROR_RESPONSES = {
    400: {"model": Problem, "description": "Bad input"},
    422: {"model": Problem, "description": "Invalid request"},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured app; the settings decide the database."""
    settings = settings or get_settings()
    app = FastAPI(
        title="geo_service",
        version="0.1.0",
        description="Hotspots, priorities and the lägesbild for EST in Swedish municipalities.",
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.sessions = sessionmaker(get_engine(settings.database_url), expire_on_commit=False)
    install_problem_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    for module in (places, priorities, meetings, measures):
        app.include_router(module.router, prefix=API_PREFIX)
    return app
