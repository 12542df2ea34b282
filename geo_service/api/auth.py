"""Bearer tokens, roles and tenant scoping (DESIGN.md §5).

Tokens look like `gs_<kommunkod>_<secret>`; only their SHA-256 is stored. A token belongs to one
municipality and one role. Anonymous callers get the `public` role, and only for a municipality
whose settings enable a public view (aggregates only, small counts suppressed).
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_service.api.deps import get_session
from geo_service.db.constants import ROLES
from geo_service.db.models import ApiToken, AuditLog
from geo_service.errors import GeoServiceError

PUBLIC = "public"
RAW_READERS = ("admin", "analyst", "coordinator")
"""Roles that may see exact points and free text; every such read is audited."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: their tenant, role and token."""

    municipality_code: str | None
    role: str
    organisation: str = ""
    token_id: int | None = None

    def require_tenant(self, municipality_code: str) -> None:
        """Raise unless the caller belongs to `municipality_code` (anonymous: public view on)."""
        if self.municipality_code is not None and self.municipality_code != municipality_code:
            raise GeoServiceError(
                "forbidden_tenant",
                f"This token belongs to municipality {self.municipality_code}, "
                f"not {municipality_code}.",
                status=403,
            )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, municipality_code: str, role: str, organisation: str, name: str | None = None
) -> str:
    """Store a new token's hash and return the token itself (shown once)."""
    if role not in ROLES:
        raise GeoServiceError("invalid_role", f"Role must be one of {', '.join(ROLES)}.")
    token = f"gs_{municipality_code}_{secrets.token_urlsafe(32)}"
    session.add(ApiToken(municipality_code=municipality_code, token_hash=hash_token(token),
                         role=role, organisation=organisation, name=name))  # fmt: skip
    session.flush()
    return token


def _unauthorized(message: str) -> GeoServiceError:
    return GeoServiceError("unauthorized", message, status=401)


def authenticate(request: Request, session: Session = Depends(get_session)) -> Principal:
    """The caller from the Authorization header; anonymous callers become `public`."""
    header = request.headers.get("authorization", "")
    if not header:
        return Principal(municipality_code=None, role=PUBLIC)
    scheme, _, token = header.partition(" ")
    parts = token.split("_")
    if scheme.lower() != "bearer" or len(parts) < 3 or parts[0] != "gs":
        raise _unauthorized("Send 'Authorization: Bearer gs_<kommunkod>_<secret>'.")
    row = session.execute(
        select(ApiToken).where(
            ApiToken.municipality_code == parts[1],
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
        )
    ).scalar_one_or_none()
    if row is None:
        raise _unauthorized("The token is unknown or revoked.")
    return Principal(row.municipality_code, row.role, row.organisation, row.id)


def require(*roles: str) -> Callable[..., Principal]:
    """A dependency that lets through only the given roles (`public` = anonymous allowed)."""

    def dependency(principal: Principal = Depends(authenticate)) -> Principal:
        if principal.role not in roles:
            if principal.role == PUBLIC:
                raise _unauthorized("This endpoint needs a token.")
            raise GeoServiceError(
                "forbidden_role",
                f"Role {principal.role!r} may not do this; allowed: {', '.join(roles)}.",
                status=403,
            )
        return principal

    return dependency


def scope(session: Session, principal: Principal, municipality_code: str) -> None:
    """Check tenant access: tokens only their own tenant; anonymous only where public view is on."""
    principal.require_tenant(municipality_code)
    if principal.role == PUBLIC:
        enabled = session.execute(
            text(
                "SELECT (settings->>'public_view')::boolean FROM municipality "
                "WHERE municipality_code = :mc"
            ),  # fmt: skip
            {"mc": municipality_code},
        ).scalar()
        if not enabled:
            raise _unauthorized(
                f"Municipality {municipality_code} has no public view; send a token."
            )


def audit(
    session: Session, principal: Principal, action: str, resource: str, detail: dict[str, Any]
) -> None:
    """Write one audit record (raw reads, changes) in the request's transaction."""
    session.add(AuditLog(municipality_code=principal.municipality_code, token_id=principal.token_id,
                         role=principal.role, organisation=principal.organisation, action=action,
                         resource=resource, detail=detail))  # fmt: skip
