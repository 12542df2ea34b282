"""docker-compose.yml: PostGIS, a migrate step and the API; valid wherever a compose client is."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose_clients() -> list[list[str]]:
    clients = []
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        clients.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        clients.append(["docker-compose"])
    return clients


def test_compose_runs_postgis_then_migrations_then_the_api() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert "geo-service db upgrade" in services["migrate"]["command"]
    assert "demo load" in services["migrate"]["command"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    url = services["api"]["environment"]["GEO_SERVICE_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    assert (ROOT / "Dockerfile").read_text().count("geo-service") >= 1


@pytest.mark.parametrize(
    "client",
    _compose_clients()
    or [
        pytest.param(
            None,
            marks=pytest.mark.skip(
                reason="no docker compose or docker-compose client on this machine"
            ),
        )
    ],
)
def test_compose_file_validates_offline(client: list[str]) -> None:
    result = subprocess.run([*client, "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
