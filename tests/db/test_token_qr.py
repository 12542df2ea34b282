"""`geo-service token create --role reporter --qr` prints the field app's sign-in link with a
working reporter token, as a QR code in the terminal and, with --qr-png, as a PNG file."""

from pathlib import Path

import segno
from PIL import Image
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from geo_service.api.auth import principal_from_header
from geo_service.cli import app
from tests.db.test_ingest_files import make_tenant

MC = "1288"


def test_reporter_qr_signs_in_to_the_field_app(engine: Engine, tmp_path: Path) -> None:
    make_tenant(engine, MC)
    png = tmp_path / "rapportor.png"
    result = CliRunner().invoke(
        app,
        [
            "token",
            "create",
            "--municipality",
            MC,
            "--role",
            "reporter",
            "--org",
            "Perstorps Bostäder",
            "--qr",
            "--qr-png",
            str(png),
            "--url",
            "https://est.perstorp.se/",
        ],
    )
    assert result.exit_code == 0, result.output
    token, link, *qr_lines = result.stdout.splitlines()
    assert link == f"https://est.perstorp.se/rapportera/#token={token}"
    # the terminal code is the link's QR: one text row per two module rows, quiet zone included
    code = segno.make(link, error="m")
    assert len(qr_lines) == (code.symbol_size()[1] + 1) // 2
    assert any("█" in line or "▀" in line or "▄" in line for line in qr_lines)
    with Image.open(png) as image:
        assert image.size == code.symbol_size(scale=8, border=4)
    with Session(engine) as session:
        principal = principal_from_header(session, f"Bearer {token}")
    assert (principal.role, principal.municipality_code, principal.organisation) == (
        "reporter",
        MC,
        "Perstorps Bostäder",
    )
