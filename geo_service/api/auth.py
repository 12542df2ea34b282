"""Bearer tokens, principals and tenant scoping.

Tokens look like `gs_<kommunkod>_<secret>`; only their SHA-256 is stored. A token belongs to one
municipality and one role, and expires (a year by default). Anonymous callers get the `public`
role, and only for a municipality whose settings enable a public view (aggregates only, small
counts suppressed).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo_service.db.constants import PUBLIC, ROLES
from geo_service.db.models import ApiToken, AuditLog
from geo_service.errors import Forbidden, GeoServiceError, Unauthorized
from geo_service.ingest.redact import redact_json, redact_text
from geo_service.privacy import Disclosure, is_suppressed


@dataclass(frozen=True)
class Principal:
    """Who is calling: their tenant, role and token."""

    municipality_code: str | None
    role: str
    organisation: str = ""
    token_id: int | None = None
    disclosure: Disclosure | None = None
    """What the caller may see (set by the API's tenant check, with the tenant's k)."""
    expires_at: datetime | None = None
    """When the token expires (None: anonymous)."""

    def require_tenant(self, municipality_code: str) -> None:
        """Raise unless the caller belongs to `municipality_code` (anonymous: public view on)."""
        if self.municipality_code is not None and self.municipality_code != municipality_code:
            raise Forbidden(
                "forbidden_tenant",
                f"This token belongs to municipality {self.municipality_code}, "
                f"not {municipality_code}.",
            )

    def require_unexpired(self) -> None:
        """Raise `token_expired` once the token's expiry has passed."""
        if self.expires_at is not None and self.expires_at <= datetime.now(UTC):
            raise Unauthorized(
                "token_expired",
                f"The token expired on {self.expires_at:%Y-%m-%d}; "
                "ask an administrator for a new one.",
            )

    @property
    def tenant(self) -> str:
        """The checked tenant of a `tenant_access` route (set there, also for anonymous)."""
        if self.municipality_code is None:
            raise RuntimeError("tenant is only known after tenant_access")
        return self.municipality_code

    @property
    def suppressed(self) -> bool:
        """True when counts below k must be hidden from this caller."""
        return is_suppressed(self.role)

    @property
    def seen(self) -> Disclosure:
        """The disclosure of a `tenant_access` route (set there with the tenant's k)."""
        if self.disclosure is None:
            raise RuntimeError("the disclosure is only known after tenant_access")
        return self.disclosure

    @property
    def actor(self) -> str:
        """How this caller is recorded in `created_by` columns: `token:<id>` or `public`."""
        return f"token:{self.token_id}" if self.token_id is not None else PUBLIC


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    municipality_code: str,
    role: str,
    organisation: str,
    name: str | None = None,
    days: int = 365,
) -> str:
    """Store a new token's hash and return the token itself (shown once); it expires after
    `days` days."""
    if role not in ROLES:
        raise GeoServiceError("invalid_role", f"Role must be one of {', '.join(ROLES)}.")
    if days < 1:
        raise GeoServiceError("invalid_days", "A token must be valid for at least 1 day.")
    token = f"gs_{municipality_code}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiToken(
            municipality_code=municipality_code,
            token_hash=hash_token(token),
            role=role,
            organisation=organisation,
            name=name,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
    )
    session.flush()
    return token


def _unauthorized(message: str) -> Unauthorized:
    return Unauthorized("unauthorized", message)


def bearer_token(header: str) -> str | None:
    """The token of an Authorization header value, however the scheme is spelled (`Bearer`,
    `bearer`, extra spaces); None when it is not a bearer header."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def principal_from_header(session: Session, header: str) -> Principal:
    """The caller for an Authorization header value; an empty header is anonymous (`public`)."""
    if not header.strip():
        return Principal(municipality_code=None, role=PUBLIC)
    token = bearer_token(header) or ""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "gs":
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
    principal = Principal(
        row.municipality_code, row.role, row.organisation, row.id, expires_at=row.expires_at
    )
    principal.require_unexpired()
    return principal


def audit(
    session: Session, principal: Principal, action: str, resource: str, detail: dict[str, Any]
) -> None:
    """Write one audit record (raw reads, changes) in the request's transaction; its texts are
    redacted (a detail may quote a file name or a header)."""
    session.add(
        AuditLog(
            municipality_code=principal.municipality_code,
            token_id=principal.token_id,
            role=principal.role,
            organisation=principal.organisation,
            action=action,
            resource=redact_text(resource),
            detail=redact_json(detail),
        )
    )


def revoke_token(session: Session, municipality_code: str, token_id: int) -> bool:
    """Mark a token revoked; returns False when no such live token exists."""
    result = session.execute(
        text(
            "UPDATE api_token SET revoked_at = now() WHERE municipality_code = :mc "
            "AND id = :id AND revoked_at IS NULL"
        ),
        {"mc": municipality_code, "id": token_id},
    )
    return bool(result.rowcount)


def list_tokens(session: Session, municipality_code: str) -> list[ApiToken]:
    """The tenant's tokens (hashes only), oldest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.municipality_code == municipality_code)
            .order_by(ApiToken.id)
        )
    )
