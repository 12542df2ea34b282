"""The dashboard's HTTP side without a browser: the page, its vendored files and the boundary."""

import re

import pytest
from fastapi.testclient import TestClient

from geo_service.api.app import create_app
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def client(demo_run: Demo):
    with TestClient(create_app()) as c:
        yield c


def test_page_and_its_files_come_from_the_service(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)
    for path in re.findall(r"(?:src|href)=\"(/dashboard/[^\"]+)\"", page.text):
        r = client.get(path)
        assert r.status_code == 200 and len(r.content) > 1000, path
    assert client.get("/dashboard/vendor/maplibre-gl/LICENSE.txt").status_code == 200
    assert client.get("/dashboard/nothing.js").status_code == 404


def test_boundary_is_the_municipality_in_wgs84(client: TestClient, demo_run: Demo) -> None:
    r = client.get(
        "/api/v1/boundary",
        params={"municipality": demo_run.municipality},
        headers={"Authorization": f"Bearer {demo_run.token}"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["properties"]["name"] == "Perstorp"
    assert body["geometry"]["type"] == "MultiPolygon"
    west, south, east, north = body["bbox"]
    assert 13.2 < west < 13.4 < east < 13.6 and 56.0 < south < 56.14 < north < 56.3


def test_boundary_needs_a_token_of_that_municipality(client: TestClient, demo_run: Demo) -> None:
    anonymous = client.get("/api/v1/boundary", params={"municipality": demo_run.municipality})
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    other = client.get(
        "/api/v1/boundary",
        params={"municipality": "1276"},
        headers={"Authorization": f"Bearer {demo_run.token}"},
    )
    assert other.status_code == 403 and other.json()["code"] == "forbidden_tenant"
