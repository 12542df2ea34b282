"""POST /api/v1/imports: multipart upload → import report; roles, tenant and size limit."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from geo_service.api.app import create_app
from geo_service.config import get_settings
from tests.conftest import make_tokens
from tests.db.test_ingest_files import DATA, make_tenant

MC = "1292"


@pytest.fixture(scope="module")
def tokens(engine: Engine) -> dict[str, str]:
    make_tenant(engine, MC)
    roles = ("admin", "analyst", "coordinator", "reporter", "viewer")
    return make_tokens(engine, MC, {role: (role, f"Org {role}") for role in roles})


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def upload(client: TestClient, token: str, name: str, **form: str):  # noqa: ANN201
    path = DATA / name
    with path.open("rb") as f:
        return client.post(
            f"/api/v1/imports?municipality={MC}",
            headers=auth(token),
            files={"file": (path.name, f, "application/octet-stream")},
            data={"source": "api_upload", "kind": "incident", **form},
        )


def test_analyst_uploads_a_swedish_csv_and_gets_the_report(tokens: dict[str, str]) -> None:
    with TestClient(create_app()) as client:
        response = upload(client, tokens["analyst"], "coordinates_bad.csv")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["rows_read"] == 6 and body["stored"] == 1
        assert body["quarantine_reasons"]["outside_area"] == 1
        total = body["stored"] + body["updated"] + body["unchanged"] + body["quarantined"]
        assert total == body["rows_read"]
        again = client.get(
            f"/api/v1/imports/{body['batch_id']}?municipality={MC}", headers=auth(tokens["analyst"])
        )
        assert again.json()["rows_read"] == 6
        quarantined = client.get(
            f"/api/v1/quarantine?municipality={MC}&batch_id={body['batch_id']}",
            headers=auth(tokens["coordinator"]),
        ).json()
        assert {q["reason_code"] for q in quarantined} >= {"zero_coordinates", "outside_area"}
        assert all("kategori" in q["raw"] for q in quarantined)


def test_upload_with_mapping_file(tokens: dict[str, str]) -> None:
    path, mapping = DATA / "custom_columns.csv", DATA / "custom_columns_mapping.yaml"
    with TestClient(create_app()) as client, path.open("rb") as f, mapping.open("rb") as m:
        response = client.post(
            f"/api/v1/imports?municipality={MC}",
            headers=auth(tokens["admin"]),
            files={"file": (path.name, f), "mapping": (mapping.name, m)},
            data={"source": "custom_api", "kind": "incident"},
        )
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == 2


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_reporters_and_viewers_may_not_import(tokens: dict[str, str], role: str) -> None:
    with TestClient(create_app()) as client:
        response = upload(client, tokens[role], "coordinates_bad.csv")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_role"


def test_bad_files_are_problem_responses(tokens: dict[str, str]) -> None:
    with TestClient(create_app()) as client:
        empty = upload(client, tokens["analyst"], "empty.csv")
        missing = upload(client, tokens["analyst"], "missing_columns.csv")
        bad_kind = upload(client, tokens["analyst"], "duplicates.csv", kind="crime")
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_file")
    assert missing.json()["code"] == "missing_columns" and "kategori" in missing.json()["detail"]
    assert bad_kind.json()["code"] == "invalid_kind"


def test_upload_over_the_size_limit_is_413(tokens: dict[str, str], tmp_path: Path) -> None:
    app = create_app(get_settings().model_copy(update={"max_upload_mb": 1}))
    big = tmp_path / "big.csv"
    big.write_text("id;datum;kategori;lat;lon\n" + "x;2025-01-01;klotter;56,13;13,38\n" * 60_000)
    with TestClient(app) as client, big.open("rb") as f:
        response = client.post(
            f"/api/v1/imports?municipality={MC}",
            headers=auth(tokens["analyst"]),
            files={"file": ("big.csv", f)},
            data={"source": "big", "kind": "incident"},
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


def test_zipped_shapefile_upload(tokens: dict[str, str], tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "felanmalan.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in DATA.glob("fault_reports.*"):
            z.write(part, part.name)
    with TestClient(create_app()) as client, archive.open("rb") as f:
        response = client.post(
            f"/api/v1/imports?municipality={MC}",
            headers=auth(tokens["coordinator"]),
            files={"file": (archive.name, f)},
            data={"source": "felanmalan", "kind": "fault_report"},
        )
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == 2
    assert response.json()["geocode_methods"] == {"coordinates": 2}
