"""The OpenAPI is complete: summaries, documented Problem errors, and examples that validate.

Walks `create_app().openapi()`; every example is checked against its own schema with jsonschema,
`$ref`s resolved against the components. Real error answers are checked against the documents.
"""

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker

from geo_service.api.app import create_app
from geo_service.api.problems import PROBLEM, PROBLEM_REF

APP = create_app()
SPEC = APP.openapi()
METHODS = ("get", "post", "put", "patch", "delete")


def operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


FORMATS = FormatChecker()
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """RFC 3339 with an offset (jsonschema checks date-time only with an extra package)."""
    if not isinstance(value, str) or not RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return True


def errors_of(example: Any, schema: dict[str, Any]) -> list[str]:
    """Why `example` does not validate against `schema` (refs resolved in the components)."""
    root = {"allOf": [schema], "components": SPEC["components"]}
    validator = Draft202012Validator(root, format_checker=FORMATS)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(example)]


def json_bodies() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, media type object) of every JSON request body and 2xx JSON response."""
    for name, op in operations():
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            if is_json(media_type):
                yield f"{name} request {media_type}", media
        for status, response in op["responses"].items():
            for media_type, media in response.get("content", {}).items():
                if status.startswith("2") and is_json(media_type):
                    yield f"{name} {status} {media_type}", media


def generated_summary(path: str, method: str, op: dict[str, Any]) -> str:
    """The summary FastAPI makes up from the function name (operationId = name + path + method)."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    return op["operationId"].removesuffix(suffix).replace("_", " ").title()


def test_every_operation_has_its_own_summary_and_a_description() -> None:
    missing = [
        f"{method.upper()} {path}"
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
        if not op.get("summary")
        or op["summary"] == generated_summary(path, method, op)
        or not op.get("description")
    ]
    assert len(list(operations())) >= 35
    assert (
        generated_summary("/api/v1/places", "get", {"operationId": "list_places_api_v1_places_get"})
        == "List Places"
    )
    assert missing == []


def _documents_problem(response: dict[str, Any] | None) -> bool:
    media = (response or {}).get("content", {}).get(PROBLEM, {})
    return media.get("schema", {}).get("$ref") == PROBLEM_REF


def test_authenticated_operations_document_401_and_403_as_problems() -> None:
    authenticated = [(name, op) for name, op in operations() if op.get("security")]
    assert len(authenticated) >= 30  # everything but health
    missing = [
        f"{name} {status}"
        for name, op in authenticated
        for status in ("401", "403")
        if not _documents_problem(op["responses"].get(status))
    ]
    assert missing == []


def test_every_error_is_a_problem_and_validated_input_documents_422() -> None:
    wrong = [
        f"{name} {status}"
        for name, op in operations()
        for status, response in op["responses"].items()
        if status[0] in "45" and not _documents_problem(response)
    ]
    no_422 = [
        name
        for name, op in operations()
        if (op.get("parameters") or op.get("requestBody")) and "422" not in op["responses"]
    ]
    assert wrong == [] and no_422 == []


def test_every_json_body_and_success_response_has_an_example() -> None:
    bodies = list(json_bodies())
    assert len(bodies) >= 35
    missing = [
        where
        for where, media in bodies
        if not ({"example", "examples"} & set(media))
        and not ({"example", "examples"} & set(resolve(media.get("schema", {}))))
    ]
    assert missing == []


def _schema_examples(node: Any, where: str) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every `examples` list of a schema anywhere in the spec."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            for i, example in enumerate(node["examples"]):
                yield f"{where} examples[{i}]", example, node
        for key, value in node.items():
            yield from _schema_examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _schema_examples(value, f"{where}/{i}")


def _media_examples() -> Iterator[tuple[str, Any, dict[str, Any]]]:
    for name, op in operations():
        medias = [
            ("request " + t, m) for t, m in op.get("requestBody", {}).get("content", {}).items()
        ]
        medias += [
            (f"{status} {t}", m)
            for status, r in op["responses"].items()
            for t, m in r.get("content", {}).items()
        ]
        for label, media in medias:
            if "schema" not in media:
                continue
            if "example" in media:
                yield f"{name} {label} example", media["example"], media["schema"]
            for key, example in media.get("examples", {}).items():
                yield f"{name} {label} examples.{key}", example["value"], media["schema"]


def test_every_example_validates_against_its_schema() -> None:
    examples = [*_schema_examples(SPEC, "#"), *_media_examples()]
    assert len(examples) >= 80
    invalid = {where: errors_of(ex, schema) for where, ex, schema in examples}
    assert {where: e for where, e in invalid.items() if e} == {}


def test_an_invalid_example_is_caught() -> None:
    """The validator is not lenient: missing fields, wrong types and bad formats fail."""
    place_in = SPEC["components"]["schemas"]["PlaceIn"]
    assert errors_of({"name": "Stationsområdet"}, place_in)
    assert errors_of(
        {"title": "x", "status": "404", "code": "x", "detail": "x"}, {"$ref": PROBLEM_REF}
    )
    moment = {"type": "string", "format": "date-time"}
    assert errors_of("2026-11-13T17:05:00", moment) and errors_of("2026-11-13", moment)
    assert errors_of("2026-11-13T17:05:00+01:00", moment) == []
    assert errors_of("1275", {"type": "string", "format": "date"})


@pytest.mark.usefixtures("database_url")
def test_real_error_answers_match_their_documentation() -> None:
    """401, 422 and 404 answers are problem+json and validate against the documented schema."""
    client = TestClient(create_app())
    cases = [
        ("get", "/api/v1/places", {"municipality": "1275"}, "401"),
        ("get", "/tiles/hotspots.json", {"municipality": "12x5"}, "422"),
        ("get", "/tiles/heat.json", {"municipality": "1275"}, "404"),
    ]
    for method, path, params, status in cases:
        answer = client.request(method, path, params=params)
        assert str(answer.status_code) == status, answer.text
        assert answer.headers["content-type"] == PROBLEM
        template = "/tiles/{layer}.json" if path.startswith("/tiles") else path
        documented = SPEC["paths"][template][method]["responses"][status]["content"][PROBLEM]
        assert errors_of(answer.json(), documented["schema"]) == []


def test_the_docs_page_works_offline_and_every_tag_is_described() -> None:
    with TestClient(create_app()) as client:
        page = client.get("/docs")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        fetched = {url: client.get(url).status_code for url in assets}
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    assert not re.search(r"https?://", page.text)  # no CDN, no other host
    assert assets and all(status == 200 for status in fetched.values()), fetched
    described = {tag["name"]: tag.get("description") for tag in SPEC.get("tags", [])}
    used = {tag for _, operation in operations() for tag in operation.get("tags", [])}
    assert used <= described.keys() and all(described[tag] for tag in used)
