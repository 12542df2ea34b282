"""The README's command lines run as printed after `make demo`: from a project folder whose
`.env` names the demo's database (as `make demo` writes it), each exits 0 without a traceback."""

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from geo_service.demo import perstorp
from geo_service.runs import run_analysis
from tests.conftest import ROOT
from tests.db.own_demo import engine_of, own_demo_database

SECTION = "## Command line"
FENCE = re.compile(r"```sh\n(.*?)```", re.S)


def readme_command_lines() -> list[str]:
    """The lines of the shell blocks in the README's command-line section (comments left out)."""
    text = (ROOT / "README.md").read_text()
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end > 0 else None]
    return [
        line.strip()
        for block in FENCE.findall(section)
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@pytest.fixture(scope="module")
def project(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project folder as after `make demo`: the demo loaded and analysed for its meeting, `.env`
    naming the database, the virtualenv and docs beside it."""
    for url in own_demo_database(server_url, "geo_service_readme"):
        with Session(engine_of(url)) as session:
            run_analysis(session, perstorp.CODE, to_date=perstorp.MEETING_DATE)
            session.commit()
        folder = tmp_path_factory.mktemp("project")
        (folder / ".env").write_text(f"GEO_SERVICE_DATABASE_URL={url}\n")
        for name in (".venv", "docs"):
            (folder / name).symlink_to(ROOT / name)
        yield folder


def test_the_readme_has_command_lines_to_run() -> None:
    lines = readme_command_lines()
    assert len(lines) >= 10
    assert all(line.startswith(".venv/bin/geo-service ") for line in lines)


@pytest.mark.parametrize("line", readme_command_lines())
def test_a_readme_command_runs_as_printed(project: Path, line: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEO_SERVICE_")}
    done = subprocess.run(
        ["bash", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output, output
    if " analyze " in line:  # the period's last day, inclusive, as the dashboard and lägesbild
        assert "2026-11-15" in output and "2026-11-16" not in output, output
