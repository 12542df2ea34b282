"""Schemathesis over the whole OpenAPI: no 5xx and no response that breaks the schema.

Requests go as an analyst of a tenant of its own (9903), so generated writes touch no other test.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as st_checks
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from tests.api.serving_data import _seed

CHECKS = [st_checks.not_a_server_error, st_checks.response_schema_conformance]


def test_api_conforms_to_its_openapi(engine: Engine) -> None:
    with Session(engine) as session:
        tenant = _seed(session, "9903", True, 13.3630)
        session.commit()
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
    headers = {"Authorization": f"Bearer {tenant.tokens['analyst']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
