"""Retention: events older than the limit lose their free text and their exact point (moved to
their analysis cell's centroid) while every count stays; old quarantined rows are deleted; the
pass is audited; a dry run changes nothing and a second pass finds nothing to do."""

from datetime import UTC, datetime

import h3
import pandas as pd
import pytest
from pyproj import Transformer
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from geo_service.cli import app
from geo_service.db.retention import apply_retention
from geo_service.ingest.options import ImportOptions
from geo_service.ingest.pipeline import ingest_frame
from tests.db.test_ingest_files import make_tenant

MC = "1295"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 3 * 365
ROWS = [  # id, date, category, description, lat, lon
    ("g1", "2020-03-14", "Klotter", "Tags på tunneln", 56.1330, 13.3830),
    ("g2", "2021-06-01", "Skadegörelse", "Krossad ruta", 56.1372, 13.3945),
    ("g3", "2022-11-30", "Klotter", None, 56.1296, 13.3905),
    ("n1", "2025-05-12", "Klotter", "Nytt klotter", 56.1285, 13.3745),
    ("n2", "2026-01-05", "Skadegörelse", "Sönder lampa", 56.1330, 13.3831),
]
COUNTS = """
SELECT h3_parent(h3_r10, 9) AS cell, category, date_trunc('month', occurred_at) AS month,
       place_id, count(*) AS n
FROM event WHERE municipality_code = :mc GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
"""
EVENTS = """
SELECT source_id, description, ST_X(geom) AS x, ST_Y(geom) AS y, h3_r9, h3_r10, content_hash
FROM event WHERE municipality_code = :mc ORDER BY source_id
"""


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": i, "datum": d, "kategori": c, "beskrivning": t or "", "lat": la, "lon": lo}
            for i, d, c, t, la, lo in ROWS
        ]
    )


def _rows(engine: Engine, sql: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), {"mc": MC}).mappings()]


def _import(engine: Engine, frame: pd.DataFrame) -> dict:
    options = ImportOptions(municipality_code=MC, source="retention_test", kind="incident")
    with engine.begin() as conn:
        return ingest_frame(conn, frame, options).as_dict()


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> None:
    make_tenant(engine, MC)
    _import(engine, _frame())
    bad = _frame().assign(kategori="okänd sak")
    _import(engine, bad.iloc[:2])  # quarantined, then made old
    _import(engine, bad.iloc[2:3])  # quarantined, stays recent
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE quarantine SET created_at = '2021-01-01' WHERE municipality_code = :mc "
                "AND batch_id = (SELECT min(batch_id) FROM quarantine q "
                "WHERE q.municipality_code = :mc)"
            ),
            {"mc": MC},
        )


def test_a_dry_run_counts_and_changes_nothing(engine: Engine, seeded: None) -> None:
    before = _rows(engine, EVENTS)
    with engine.begin() as conn:
        (result,) = apply_retention(conn, DAYS, dry_run=True, municipality_code=MC, now=NOW)
    assert (result.events_coarsened, result.quarantine_deleted) == (3, 2)
    assert _rows(engine, EVENTS) == before
    audits = _rows(engine, "SELECT 1 FROM audit_log WHERE municipality_code = :mc")
    assert audits == []


def test_old_events_lose_text_and_exact_points_but_every_count_stays(
    engine: Engine, seeded: None
) -> None:
    counts, before = _rows(engine, COUNTS), _rows(engine, EVENTS)
    with engine.begin() as conn:
        (result,) = apply_retention(conn, DAYS, municipality_code=MC, now=NOW)
    after = {e["source_id"]: e for e in _rows(engine, EVENTS)}
    assert (result.events_coarsened, result.quarantine_deleted, result.resolution) == (3, 2, 9)
    assert _rows(engine, COUNTS) == counts
    to_sweref = Transformer.from_crs(4326, 3006, always_xy=True)
    for old in before:
        now = after[old["source_id"]]
        assert (now["h3_r9"], now["h3_r10"], now["content_hash"]) == (
            old["h3_r9"],
            old["h3_r10"],
            old["content_hash"],
        )
        if old["source_id"].startswith("n"):  # recent: untouched
            assert now == old
            continue
        assert now["description"] is None
        lat, lon = h3.cell_to_latlng(h3.int_to_str(old["h3_r9"]))
        x, y = to_sweref.transform(lon, lat)
        assert abs(now["x"] - x) < 2 and abs(now["y"] - y) < 2  # the cell's centre
        assert abs(now["x"] - old["x"]) + abs(now["y"] - old["y"]) > 1  # the point moved
    remaining = _rows(engine, "SELECT created_at FROM quarantine WHERE municipality_code = :mc")
    assert len(remaining) == 1
    (audit,) = _rows(
        engine,
        "SELECT action, detail FROM audit_log WHERE municipality_code = :mc "
        "AND action = 'retention_apply'",
    )
    assert audit["detail"]["events_coarsened"] == 3
    assert audit["detail"]["quarantine_deleted"] == 2


def test_a_second_pass_and_a_reimport_bring_nothing_back(engine: Engine, seeded: None) -> None:
    with engine.begin() as conn:
        (again,) = apply_retention(conn, DAYS, municipality_code=MC, now=NOW)
    assert (again.events_coarsened, again.quarantine_deleted) == (0, 0)
    report = _import(engine, _frame())
    assert report["unchanged"] == len(ROWS) and report["updated"] == 0
    texts = {e["source_id"]: e["description"] for e in _rows(engine, EVENTS)}
    assert texts == {"g1": None, "g2": None, "g3": None, "n1": "Nytt klotter", "n2": "Sönder lampa"}


def test_the_command_applies_the_configured_limit(engine: Engine, seeded: None) -> None:
    dry = CliRunner().invoke(app, ["retention", "apply", "--dry-run", "--municipality", MC])
    assert dry.exit_code == 0, dry.output
    assert f"{MC}: before" in dry.stdout and "would change 0 events" in dry.stdout
