"""The CLI: geo-service ingest prints a report that adds up; quarantine list/export/retry."""

import json
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from geo_service.cli import app
from tests.db.test_ingest_files import DATA, make_tenant

MC = "1294"


def test_ingest_then_export_and_retry_the_quarantine(engine: Engine, tmp_path: Path) -> None:
    make_tenant(engine, MC)
    runner = CliRunner()
    formula = tmp_path / "formula.csv"
    formula.write_text(
        (DATA / "injection.csv").read_text()
        + "i5;2025-05-06 10:00;=cmd|' /C calc'!A0;x;56,1330;13,3830\n"
    )
    result = runner.invoke(
        app,
        [
            "ingest",
            str(formula),
            "--municipality",
            MC,
            "--source",
            "cli_src",
            "--kind",
            "incident",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["stored"], report["quarantined"]) == (5, 3, 2)

    listed = runner.invoke(app, ["quarantine", "list", "--municipality", MC])
    assert "unknown_category" in listed.stdout

    out = tmp_path / "karantan.csv"
    exported = runner.invoke(app, ["quarantine", "export", "--municipality", MC, "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8-sig")
    assert "unknown_category" in text
    assert ";'=cmd|" in text  # a spreadsheet shows the formula as text instead of running it

    retried = runner.invoke(app, ["quarantine", "retry", "--municipality", MC, "--json"])
    assert retried.exit_code == 0, retried.output
    again = json.loads(retried.stdout)
    assert again["rows_read"] == 2 and again["quarantine_reasons"] == {"unknown_category": 2}
