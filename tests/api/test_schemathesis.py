"""Schemathesis over the whole OpenAPI: no 5xx and no response that breaks the schema.

Requests go as the admin of a tenant of its own (9903), the role that may call every
operation, so that generated requests reach the handlers and generated writes touch no other
test; the write rate limit is lifted so that it does not answer in their place.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as st_checks
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.config import get_settings
from tests.api.serving_data import _seed

CHECKS = [st_checks.not_a_server_error, st_checks.response_schema_conformance]


def test_api_conforms_to_its_openapi(engine: Engine) -> None:
    with Session(engine) as session:
        tenant = _seed(session, "9903", True, 13.3630)
        session.commit()
    unlimited = {"write_rate_per_minute": 1e9, "write_burst": 10**9}
    app = create_app(get_settings().model_copy(update=unlimited))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {tenant.tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    declared = sum(len(methods) for methods in app.openapi()["paths"].values())
    assert len(operations) == declared > 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
