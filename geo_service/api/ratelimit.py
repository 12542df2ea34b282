"""Per-token rate limits on write requests: an in-memory token bucket per caller and process.

The caller is the bearer token itself (its hash, however the scheme is spelled) or, when
anonymous, the client address. Reads are not limited here; tiles and hotspots are cached instead.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from geo_service.api.auth import bearer_token
from geo_service.api.limits import send_problem

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """`rate` requests per second sustained, `burst` at once, per key."""

    def __init__(self, rate_per_second: float, burst: int, max_keys: int = 100_000) -> None:
        self.rate = rate_per_second
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[bytes, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: bytes, now: float | None = None) -> float:
        """0 when the request may pass, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._buckets.clear()
                bucket = self._buckets[key] = Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate


def caller_key(scope: Scope) -> bytes:
    """The hashed bearer token (else the whole Authorization header), else the client address."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = bearer_token(value.decode("latin-1"))
            return hashlib.sha256(token.encode("latin-1") if token else value).digest()
    client = scope.get("client") or ("?", 0)
    return f"ip:{client[0]}".encode()


class WriteRateLimit:
    """ASGI middleware answering 429 (with Retry-After) when a caller writes too fast."""

    def __init__(self, app: ASGIApp, per_minute: float, burst: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute / 60.0, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in WRITE_METHODS:
            wait = self.buckets.take(caller_key(scope))
            if wait > 0:
                retry = str(max(1, round(wait))).encode()
                await send_problem(
                    send,
                    429,
                    "rate_limited",
                    "Too many write requests; try again later.",
                    [(b"retry-after", retry)],
                )
                return
        await self.app(scope, receive, send)
