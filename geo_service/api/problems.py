"""Errors as application/problem+json (RFC 9457) with a stable code; never a bare 500.

The one place that turns errors into HTTP: `STATUS` maps each domain error class to its status,
and `problem_body` builds every problem body (handlers, middleware and OpenAPI examples).
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from geo_service.errors import (
    Busy,
    Conflict,
    Forbidden,
    GeoServiceError,
    NotFound,
    TooLarge,
    Unauthorized,
    Unavailable,
    Unprocessable,
)
from geo_service.ingest.redact import redact_json, redact_text

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
_SERVER_PATH = re.compile(r"(?<![\w.:/\\])(?:[A-Za-z]:)?[/\\]+(?:[\w.~-]+[/\\]+)+[\w.~-]*")
"""A file path on the server (`/tmp/upload_x/upload0.gpkg`, `C:\\data\\x`), as libraries quote
them in their messages; URLs (`https://…/tiles`) are not matched."""


def public_text(text: str) -> str:
    """A message fit to send: personal data redacted, server paths left out."""
    return _SERVER_PATH.sub("…", redact_text(text))


class Problem(BaseModel):
    """The error body of every failed request."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "about:blank",
                    "title": "not found",
                    "status": 404,
                    "code": "not_found",
                    "detail": "place 42 was not found",
                },
            ]
        }
    }

    type: str = "about:blank"
    title: str
    status: int
    code: str
    detail: str
    errors: list[dict] | None = None


STATUS: dict[type[GeoServiceError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Unprocessable: 422,
    Unavailable: 503,
}
"""HTTP status per domain error class; any other GeoServiceError is invalid input (400)."""


def http_status(exc: GeoServiceError) -> int:
    """The HTTP status of a domain error: that of its nearest class in `STATUS`, else 400."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def problem_body(
    status: int, code: str, detail: str, errors: list[dict] | None = None
) -> dict[str, Any]:
    """The problem+json body: title from the code, `errors` only when given; every text in it
    redacted and without server paths (messages may quote input or a library's message)."""
    title = code.replace("_", " ")
    if errors is not None:
        errors = redact_json(errors)
    body = Problem(title=title, status=status, code=code, detail=public_text(detail), errors=errors)
    return body.model_dump(exclude_none=True)


def problem(
    status: int,
    code: str,
    detail: str,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = problem_body(status, code, detail, errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


PROBLEM_REF = "#/components/schemas/Problem"
_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: (
        "Bad input (a stable code says what)",
        "invalid_bbox",
        "bbox corners are out of range or in the wrong order.",
    ),
    401: (
        "Token missing, unknown or revoked, or the municipality has no public view",
        "unauthorized",
        "The token is unknown or revoked.",
    ),
    403: (
        "Token of another municipality, or a role that may not do this",
        "forbidden_tenant",
        "This token belongs to municipality 1275, not 1276.",
    ),
    404: ("Not found in this municipality", "not_found", "place 42 was not found"),
    409: (
        "Conflicts with what is stored",
        "snapshot_exists",
        "The meeting on 2026-11-17 already has a snapshot (id 3, run 12). Snapshots are "
        "immutable so that the minutes can cite them.",
    ),
    413: (
        "Request body or upload too large",
        "request_too_large",
        "The request body is larger than 1024 KiB.",
    ),
    422: (
        "Invalid request (parameters or body)",
        "invalid_request",
        "query.municipality: String should match pattern '^[0-9]{4}$'",
    ),
    429: (
        "Too many write requests (see Retry-After)",
        "rate_limited",
        "Too many write requests; try again later.",
    ),
    500: (
        "Unexpected error (logged)",
        "internal_error",
        "An unexpected error occurred; it has been logged.",
    ),
    503: (
        "Database unavailable, or the pool for PDFs and large GeoJSON full (server_busy, with "
        "Retry-After)",
        "database_unavailable",
        "The database cannot be reached right now.",
    ),
}


def problem_example(status: int, code: str, detail: str) -> dict[str, Any]:
    """A Problem body as the handlers write it, for OpenAPI examples."""
    if code != "invalid_request":
        return problem_body(status, code, detail)
    error = {
        "loc": ["query", "municipality"],
        "type": "string_pattern_mismatch",
        "msg": "String should match pattern '^[0-9]{4}$'",
    }
    return problem_body(status, code, detail, [error])


def problem_responses(
    *statuses: int | tuple[int, ...],
    notes: dict[int, str] | None = None,
    examples: dict[int, tuple[str, str]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses: Problem schema as problem+json, an example.

    Statuses are given one by one or as one tuple; `notes` replaces a status's description,
    `examples` its example (code, detail).
    """
    out: dict[int | str, dict[str, Any]] = {}
    flat = [s for given in statuses for s in (given if isinstance(given, tuple) else (given,))]
    for status in flat:
        description, code, detail = _PROBLEMS[status]
        code, detail = (examples or {}).get(status, (code, detail))
        out[status] = {
            "description": (notes or {}).get(status, description),
            "content": {
                PROBLEM: {
                    "schema": {"$ref": PROBLEM_REF},
                    "example": problem_example(status, code, detail),
                }
            },
        }
    return out


NOT_FOUND = problem_responses(404)
BAD_INPUT = problem_responses(400)
RUN_READ_ERRORS = problem_responses(
    (404, 409),
    notes={404: "No completed run yet, or the run is not found",
           409: "The asked run is not completed"},
    examples={409: ("run_not_completed", "Analysis run 12 is running, not completed.")},
)  # fmt: skip
"""Errors of a route that reads a run's results: the latest completed run or a given one."""
TENANT_ERRORS = problem_responses(401, 403, 422)
"""Errors every tenant route can answer (no token, another tenant or role, bad parameters):
the routers' default `responses`, so a route lists only the statuses of its own."""


def _with_problem_schema(app: FastAPI, generate: Callable[[], dict[str, Any]]) -> Callable:
    """Wrap app.openapi so the Problem schema is in the components that the responses cite."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.setdefault(
                "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            )
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def install_problem_handlers(app: FastAPI) -> None:
    app.openapi = _with_problem_schema(app, app.openapi)  # type: ignore[method-assign]

    @app.exception_handler(GeoServiceError)
    async def _domain(_: Request, exc: GeoServiceError) -> JSONResponse:
        retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
        return problem(http_status(exc), exc.code, exc.message, headers=retry)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return problem(422, "invalid_request", detail, errors)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return problem(exc.status_code, code, str(exc.detail))

    @app.exception_handler(OperationalError)
    async def _database(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable: %s", exc)
        return problem(503, "database_unavailable", "The database cannot be reached right now.")

    @app.exception_handler(PoolTimeout)
    async def _pool(_: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free: %s", type(exc).__name__)
        return problem(
            503,
            "server_busy",
            "Every database connection is in use; try again shortly.",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        # a value the database cannot hold (a NUL byte, a number out of range) that no schema
        # bound caught: bad input, not a server fault
        log.warning("value refused by the database: %s", type(exc.orig).__name__)
        return problem(400, "invalid_value", "A value is out of range or contains a NUL byte.")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem(500, "internal_error", "An unexpected error occurred; it has been logged.")
