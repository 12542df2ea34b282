"""Who is calling, and what their tenant lets them see, kept in memory for a few seconds.

Every request needs its caller (a token lookup) and, on a tenant's routes, the tenant's k and
whether its public view is on. These change rarely, and only from the CLI or SQL (a token
revoked, a setting raised), so each process keeps them for `auth_cache_seconds` (10 by
default): such a change takes effect within that time in every process. A request whose caller
and tenant are known costs no database round trip and no worker thread for them.
"""

import hashlib
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.api.auth import PUBLIC, Principal, principal_from_header
from geo_service.api.reads import short_read
from geo_service.errors import Unauthorized
from geo_service.privacy import Disclosure, is_suppressed
from geo_service.tiles.cache import LRUCache

TENANT_VIEW = text("""
SELECT geo_service_k(:mc, :floor) AS k,
       coalesce((SELECT (settings->>'public_view')::boolean FROM municipality
                 WHERE municipality_code = :mc), false) AS public_view
""")
"""A tenant's k (the largest of the configured, stored and municipal k) and its public view."""


@dataclass(frozen=True)
class TenantView:
    k: int
    public_view: bool


@dataclass
class Callers:
    """The per-process caches of token checks and tenant views."""

    app: FastAPI
    floor: int
    principals: LRUCache[Principal]
    tenants: LRUCache[TenantView]

    async def principal(self, header: str) -> Principal:
        """The caller for an Authorization header value (anonymous: `public`)."""
        key = hashlib.sha256(header.encode()).digest()
        found = self.principals.get(key)
        if found is None:
            found = await short_read(self.app, lambda s: principal_from_header(s, header))
            self.principals.put(key, found)
        found.require_unexpired()  # exact, also while the check is kept
        return found

    async def disclosure(self, principal: Principal, mc: str) -> Disclosure:
        """What `principal` may see of municipality `mc`, after checking they may read it:
        tokens their own tenant only, anonymous callers only where the public view is on."""
        principal.require_tenant(mc)
        view = self.tenants.get(mc)
        if view is None:
            view = await short_read(self.app, lambda s: self._tenant_view(s, mc))
            self.tenants.put(mc, view)
        if principal.role == PUBLIC and not view.public_view:
            raise Unauthorized(
                "unauthorized", f"Municipality {mc} has no public view; send a token."
            )
        return Disclosure(is_suppressed(principal.role), view.k)

    def _tenant_view(self, session: Session, mc: str) -> TenantView:
        row = session.execute(TENANT_VIEW, {"mc": mc, "floor": self.floor}).one()
        return TenantView(int(row.k), bool(row.public_view))


def callers(app: FastAPI) -> Callers:
    """The app's caches, made on first use."""
    found: Callers | None = getattr(app.state, "callers", None)
    if found is None:
        s = app.state.settings
        ttl = s.auth_cache_seconds
        found = app.state.callers = Callers(
            app,
            s.k_suppression,
            LRUCache(10_000, ttl=ttl),
            LRUCache(10_000, ttl=ttl),
        )
    return found
