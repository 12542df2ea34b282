"""Every operation of the OpenAPI × bad values: NUL bytes in text, integers beyond int4 and
int8, dates like 0001-01-01 and 9999-12-31, in each path and query parameter and each field of
each JSON body. Each is a 4xx problem that names the parameter, never a 5xx or a reset
connection (the test client raises whatever the app does not answer).

Requests go as the admin of a tenant of its own (9874), so that they reach the handlers.
"""

import copy
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.config import get_settings
from tests.api.serving_data import Tenant, _seed

MC = "9874"
TEXT = ["a\x00b"]
INT4_PAST, INT8_PAST, INT8_BELOW = 2**31, 2**63, -(2**63) - 1
DATE = ["0001-01-01", "9999-12-31"]
MOMENT = ["0001-01-01T00:00:00", "9999-12-31T23:59:59"]
GOOD = {"municipality": MC, "meeting_date": "2025-03-24", "layer": "hotspots", "lang": "sv"}
"""Values of required parameters that are not the one under test."""


def _schema() -> dict[str, Any]:
    return create_app().openapi()


def _types(schema: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    """The kinds of value a parameter or field takes: text, integer, date, moment (and those
    of its array items), following $ref and anyOf."""
    if "$ref" in schema:
        return _types(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], spec)
    found: set[str] = set()
    for option in schema.get("anyOf", []):
        found |= _types(option, spec)
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "array":
        found |= _types(schema.get("items", {}), spec)
    elif kind == "integer":
        found.add("integer")
    elif kind == "string" and "enum" not in schema:
        found.add({"date": "date", "date-time": "moment"}.get(fmt or "", "text"))
    return found


VALUES = {"text": TEXT, "date": DATE, "moment": MOMENT}


def _maximum(schema: dict[str, Any]) -> int | None:
    found = [schema.get("maximum"), *(o.get("maximum") for o in schema.get("anyOf", []))]
    return next((m for m in found if m is not None), None)


def _bad_values(types: set[str], schema: dict[str, Any]) -> list[object]:
    """Bad values of these types; past int4 only where the schema does not take it (ids of
    bigint columns may be that large: that is a 404, not bad input)."""
    values: list[object] = []
    for kind in sorted(types):
        if kind == "integer":
            maximum = _maximum(schema)
            past_int4 = maximum is None or maximum < INT4_PAST
            values += [INT4_PAST, INT8_PAST, INT8_BELOW] if past_int4 else [INT8_PAST, INT8_BELOW]
        else:
            values += VALUES[kind]
    return values


def _parameter_cases() -> list[Any]:
    spec, cases = _schema(), []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                for value in _bad_values(_types(schema, spec), schema):
                    label = f"{method} {path} {parameter['name']}={value!r}"
                    cases.append(pytest.param(method, path, operation, parameter, value, id=label))
    return cases


def _body_cases() -> list[Any]:
    spec, cases = _schema(), []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            schema = _object_schema(content["application/json"]["schema"], spec)
            for field, field_schema in schema["properties"].items():
                for value in _bad_values(_types(field_schema, spec), field_schema):
                    label = f"{method} {path} body.{field}={value!r}"
                    cases.append(pytest.param(method, path, schema, field, value, id=label))
    return cases


def _object_schema(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The object a body takes (a single object where it takes one or a list)."""
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            return spec["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
    raise AssertionError(f"no object body in {schema}")


@pytest.fixture(scope="module")
def tenant(engine: Engine) -> Tenant:
    with Session(engine) as session:
        seeded = _seed(session, MC, True, 13.3730)
        session.commit()
    return seeded


@pytest.fixture(scope="module")
def client(tenant: Tenant) -> Iterator[TestClient]:
    unlimited = {"write_rate_per_minute": 1e9, "write_burst": 10**9}  # many writes, one token
    with TestClient(create_app(get_settings().model_copy(update=unlimited))) as test_client:
        test_client.headers["Authorization"] = f"Bearer {tenant.tokens['admin']}"
        yield test_client


def _good(parameter: dict[str, Any], tenant: Tenant) -> object:
    name = parameter["name"]
    if name in GOOD:
        return GOOD[name]
    return tenant.run_id if name == "run_id" else 1


def _assert_names(response: Any, name: str) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    locations = [str(e.get("loc", ())) for e in body.get("errors", [])]
    assert name in body["detail"] or any(name in loc for loc in locations), body


@pytest.mark.parametrize(("method", "path", "operation", "parameter", "value"), _parameter_cases())
def test_a_bad_parameter_is_a_4xx_naming_it(
    client: TestClient,
    tenant: Tenant,
    method: str,
    path: str,
    operation: dict[str, Any],
    parameter: dict[str, Any],
    value: object,
) -> None:
    query: dict[str, object] = {}
    url = path
    for other in operation.get("parameters", []):
        given = value if other is parameter else _good(other, tenant)
        if other["in"] == "path":
            url = url.replace("{" + other["name"] + "}", quote(str(given), safe=""))
        elif other is parameter or other.get("required"):
            query[other["name"]] = given
    response = client.request(method.upper(), url, params=query)
    _assert_names(response, parameter["name"])


BODIES: dict[str, dict[str, Any]] = {
    "RunRequest": {},
    "PlaceIn": {"name": "Torget", "geometry": {"type": "Point", "coordinates": [13.37, 56.13]}},
    "PlacePatch": {},
    "MeasureIn": {"place_id": 1, "kind": "patrol", "title": "Vandring", "start_date": "2025-03-01"},
    "MeasurePatch": {},
    "ObservationIn": {"category": "klotter", "occurred_at": "2025-03-20T12:00", "place": "x"},
    "ObservationCorrection": {},
    "WalkIn": {"name": "Kvällsvandring", "walk_date": "2025-03-20"},
    "WalkChange": {},
}


@pytest.mark.parametrize(("method", "path", "schema", "field", "value"), _body_cases())
def test_a_bad_body_field_is_a_4xx_naming_it(
    client: TestClient,
    tenant: Tenant,
    method: str,
    path: str,
    schema: dict[str, Any],
    field: str,
    value: object,
) -> None:
    body = copy.deepcopy(BODIES[schema["title"]])
    kind = schema["properties"][field]
    takes_list = kind.get("type") == "array" or any(
        o.get("type") == "array" for o in kind.get("anyOf", [])
    )
    body[field] = [value] if takes_list else value
    url = re.sub(r"\{\w+_id\}", "1", path)
    response = client.request(method.upper(), url, params={"municipality": MC}, json=body)
    _assert_names(response, field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "a\x00b"),
        ("kind", "incident\x00"),
        ("sheet", "\x00"),
        ("crs", str(INT4_PAST)),
        ("crs", str(INT8_PAST)),
    ],
)
def test_a_bad_upload_form_field_is_a_4xx_naming_it(
    client: TestClient, field: str, value: str
) -> None:
    form = {"source": "upload_test", "kind": "incident", field: value}
    csv = "Datum;Brottstyp;Lat;Lon\n2025-03-20 12:00;Skadegörelse;56.133;13.373\n"
    response = client.post(
        "/api/v1/imports",
        params={"municipality": MC},
        files={"file": ("händelser.csv", csv.encode(), "text/csv")},
        data=form,
    )
    _assert_names(response, field)
