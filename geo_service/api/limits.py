"""Request size limits: bodies over the limit get 413 before the handler reads them.

JSON and form bodies may be max_body_kb; multipart uploads max_upload_mb. Checked on the
Content-Length header and, for chunked bodies, while the body streams in.
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo_service.api.problems import problem_body

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
