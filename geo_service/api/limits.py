"""Request limits: bodies over the size limit get 413, JSON nested too deep 422, before the
handler reads them.

JSON and form bodies may be max_body_kb; multipart uploads max_upload_mb. Checked on the
Content-Length header and, for chunked bodies, while the body streams in. A JSON body may nest
`MAX_DEPTH` levels (geo_service.ingest.limits).
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_service.api.problems import http_status, problem_body
from geo_service.errors import Unprocessable
from geo_service.ingest.limits import MAX_DEPTH, check_json_depth

PROBLEM = b"application/problem+json"


class BodyTooLarge(Exception):
    """Raised inside receive() when a streamed body passes the limit."""


async def send_problem(
    send: Send, status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]] = ()
) -> None:
    """Send a whole problem+json response from ASGI middleware."""
    body = json.dumps(problem_body(status, code, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestSizeLimit:
    """ASGI middleware answering 413 for bodies over the configured limits."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes

    def limit_for(self, scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-type" and value.startswith(b"multipart/form-data"):
                return self.max_upload
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        detail = f"The request body is larger than {limit // 1024} KiB."
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await send_problem(send, 413, "request_too_large", detail)
                return
        seen = 0
        started = answered = False

        async def counted() -> Message:
            nonlocal seen, answered
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    # answered here: a body parser may turn the exception into its own 400
                    if not started and not answered:
                        answered = True
                        await send_problem(send, 413, "request_too_large", detail)
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 413 is already sent; the app's own answer is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started and not answered:
                await send_problem(send, 413, "request_too_large", detail)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind = value.split(b";")[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


class JsonDepthLimit:
    """ASGI middleware answering 422 for a JSON body nested deeper than `MAX_DEPTH` levels, so
    that no parser recurses into it. Inside `RequestSizeLimit`, which bounds what it reads."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        parts: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        try:
            detail = f"The JSON body is nested deeper than the limit of {MAX_DEPTH} levels."
            check_json_depth(body, detail)
        except Unprocessable as exc:
            await send_problem(send, http_status(exc), exc.code, exc.message)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
