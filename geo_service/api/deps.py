"""Request dependencies as typed aliases: the session, the settings, and who may do what.

A route states its needs in its signature (`session: SessionDep`, `principal: PlaceWriter`).
The role sets below are the one permissions table: each names a permission once, and every
route that needs it uses the alias built from it.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from geo_service.api.auth import PUBLIC, Principal
from geo_service.api.callers import callers
from geo_service.config import Settings
from geo_service.db.constants import ROLES
from geo_service.errors import Forbidden, Unauthorized

STAFF = ("admin", "analyst", "coordinator")
"""The municipality's analysis staff: import files, handle the quarantine, start analysis runs,
and read exact points and free text (every such read is audited)."""
AGGREGATE_READERS = (*ROLES, PUBLIC)
"""Everyone may read aggregates; anonymous only where the tenant's public view is on."""
EVENT_READERS = (*STAFF, "reporter")
"""Raw events: the raw readers, and reporters their own observations."""
OBSERVERS = ("reporter", "coordinator", "analyst", "admin")
"""May send observations (rapportörer and the staff who enter theirs)."""
PLACE_READERS = ("admin", "analyst", "coordinator", "viewer")
"""May read places, measures, priorities, meeting snapshots and the lägesbild."""
PLACE_WRITERS = ("admin", "coordinator")
"""May change places and measures and freeze a meeting's priorities."""


def no_nul_parameters(request: Request) -> None:
    """Every route's path and query parameters without NUL bytes (no text column takes one):
    a 422 naming each parameter that has one, whatever type the route gives it."""
    given = [("path", request.path_params.items()), ("query", request.query_params.multi_items())]
    errors = [
        {"loc": (where, name), "msg": "text must not contain NUL bytes", "type": "value_error"}
        for where, items in given
        for name, value in items
        if "\x00" in str(value)
    ]
    if errors:
        raise RequestValidationError(errors)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request, committed when the handler returns without error.

    Opening it costs nothing (it connects at its first query); committing or closing one that
    holds a connection runs in a worker thread, one that holds none costs nothing."""
    factory: sessionmaker[Session] = request.app.state.sessions
    session = factory()
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with (async: no I/O, so no worker-thread step)."""
    return request.app.state.settings


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `geo-service token create`: `Bearer gs_<kommunkod>_<secret>`.",
)


async def authenticate(
    request: Request, _: HTTPAuthorizationCredentials | None = Security(bearer)
) -> Principal:
    """The caller from the Authorization header; anonymous callers become `public`
    (token checks are kept for `auth_cache_seconds`, geo_service.api.callers)."""
    return await callers(request.app).principal(request.headers.get("authorization", ""))


def require(*roles: str) -> Callable[..., Principal]:
    """A dependency that lets through only the given roles (`public` = anonymous allowed)."""

    async def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        # async: a check without I/O needs no worker-thread step
        if principal.role not in roles:
            if principal.role == PUBLIC:
                raise Unauthorized("unauthorized", "This endpoint needs a token.")
            raise Forbidden(
                "forbidden_role",
                f"Role {principal.role!r} may not do this; allowed: {', '.join(roles)}.",
            )
        return principal

    return dependency


MUNICIPALITY_QUERY = Query(
    ..., pattern=r"^[0-9]{4}$", description="Kommunkod of the tenant, e.g. 1275.", examples=["1275"]
)
PLACE_MUNICIPALITY_QUERY = Query(..., pattern=r"^[0-9]{4}$", description="Kommunkod, e.g. 1275.")


def tenant_access(*roles: str, query: Any = MUNICIPALITY_QUERY) -> Callable[..., Principal]:
    """A dependency for routes with ?municipality=<kommunkod>: checks role, then tenant.

    Returns the principal with `municipality_code` set to the checked tenant (also when anonymous)
    and its `disclosure`: suppressed or not, and the tenant's k (geo_service.privacy).
    `query` is the parameter's declaration, so a route family can keep its own OpenAPI description.
    """
    allowed = require(*roles)

    async def dependency(
        request: Request, municipality: str = query, principal: Principal = Depends(allowed)
    ) -> Principal:
        seen = await callers(request.app).disclosure(principal, municipality)
        return replace(principal, municipality_code=municipality, disclosure=seen)

    return dependency


Caller = Annotated[Principal, Depends(require(*ROLES))]
"""Any valid token, whatever its role (routes about the token itself)."""
AggregateReader = Annotated[Principal, Depends(tenant_access(*AGGREGATE_READERS))]
EventReader = Annotated[Principal, Depends(tenant_access(*EVENT_READERS))]
Observer = Annotated[Principal, Depends(tenant_access(*OBSERVERS))]
Staff = Annotated[Principal, Depends(tenant_access(*STAFF))]
PlaceReader = Annotated[
    Principal, Depends(tenant_access(*PLACE_READERS, query=PLACE_MUNICIPALITY_QUERY))
]
PlaceWriter = Annotated[
    Principal, Depends(tenant_access(*PLACE_WRITERS, query=PLACE_MUNICIPALITY_QUERY))
]
