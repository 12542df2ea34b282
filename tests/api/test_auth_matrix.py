"""Every route of the app (read from the OpenAPI, so new endpoints are covered) × every role and
anonymous × own and other tenant: no 5xx, and a token never reads or writes another tenant."""

import re

import pytest
from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from geo_service.db.constants import ROLES
from tests.api.serving_data import PRIVATE_MC, PUBLIC_MC, Tenant, bearer

OPEN = {"/api/v1/health", "/api/v1/palette"}


def _operations() -> list[tuple[str, str]]:
    spec = create_app().openapi()
    return [(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if p not in OPEN]


def _fill(path: str, t: Tenant) -> str:
    values = {
        "run_id": str(t.run_id),
        "event_id": str(t.event_ids[0]),
        "layer": "hotspots",
        "z": "14",
        "x": "8800",
        "y": "5130",
        "meeting_date": "2025-03-17",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), path)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_role_and_tenant_matrix(tenants: dict[str, Tenant], method: str, path: str) -> None:
    with TestClient(create_app()) as client:
        for own, other in ((PUBLIC_MC, PRIVATE_MC), (PRIVATE_MC, PUBLIC_MC)):
            mine, theirs = tenants[own], tenants[other]
            for role in (*ROLES, None):
                headers = bearer(mine.tokens[role] if role else None)
                kwargs = {"json": []} if method in ("POST", "PUT", "PATCH") else {}
                for target in (mine, theirs):
                    r = client.request(
                        method,
                        _fill(path, target),
                        params={"municipality": target.code},
                        headers=headers,
                        **kwargs,
                    )
                    where = f"{method} {path} role={role} own={own} target={target.code}"
                    assert r.status_code < 500, f"{where}: {r.status_code} {r.text[:200]}"
                    if role and target is theirs:
                        assert r.status_code in (401, 403, 404, 422), f"{where}: {r.status_code}"
                        assert theirs.cell_b not in r.text
                    if role is None and target.code == PRIVATE_MC:
                        assert r.status_code in (401, 422), f"{where}: {r.status_code}"
