"""The lägesbild: self-contained HTML (no network), a PDF with text, the CLI and the yearly one."""

import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, get_as, lagesbild_as

ROOT = Path(__file__).resolve().parents[2]


def _top_place(client: TestClient, prio_db: PriorityDb) -> str:
    body = get_as(
        client, prio_db, "viewer", f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    ).json()
    return body["priorities"][0]["name"]


def test_html_lagesbild_embeds_its_images_and_fetches_nothing(
    client: TestClient, prio_db: PriorityDb
) -> None:
    html = lagesbild_as(client, prio_db, "viewer", "html").text
    sources = re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', html)
    assert len([s for s in sources if s.startswith("data:image/png;base64,")]) >= 2
    assert not [s for s in sources if not s.startswith("data:")]
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert _top_place(client, prio_db) in html
    assert "Ny belysning i Parken" in html and "minskning" in html
    assert "Datatäckning" in html and "Metod" in html


def test_pdf_lagesbild_has_pages_and_the_top_place_in_its_text(
    client: TestClient, prio_db: PriorityDb
) -> None:
    response = lagesbild_as(client, prio_db, "coordinator", lang="en")
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    assert len(reader.pages) > 0
    assert sum(len(page.images) for page in reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert _top_place(client, prio_db) in text
    assert "Ranked places" in text


def test_cli_writes_the_meeting_pdf_and_the_yearly_html(
    prio_db: PriorityDb, tmp_path: Path
) -> None:
    env = os.environ | {"GEO_SERVICE_DATABASE_URL": prio_db.url}
    cli = [sys.executable, "-m", "geo_service.cli", "report", "--municipality", MC]
    pdf = tmp_path / "lagesbild.pdf"
    done = subprocess.run(
        [*cli, "--meeting", LAST_MEETING.isoformat(), "--format", "pdf", "--out", str(pdf)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert len(PdfReader(pdf).pages) > 0
    yearly = tmp_path / "year.html"
    done = subprocess.run(
        [*cli, "--year", "2026", "--out", str(yearly)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    html = yearly.read_text()
    assert "Årshjul" in html and "Trygghetsmätningen" in html and "Oderljunga" in html
    assert html.count("data:image/png;base64,") == 6  # map, hour, weekday, wheel, trend, backtest
    early = tmp_path / "early.html"  # no run prepared for this meeting: one is made for it
    done = subprocess.run(
        [*cli, "--meeting", "2025-02-02", "--out", str(early)],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2025-02-02" in early.read_text() and "Oderljunga" in early.read_text()
