"""The bulk path (secondary indexes and foreign keys dropped, rebuilt at the end) stores the
same events as the row-by-row path and leaves `event` with exactly its indexes and constraints.
"""

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from geo_service.errors import GeoServiceError
from geo_service.ingest.bulk import BULK_MIN_ROWS, should_bulk_load
from geo_service.ingest.pipeline import ImportOptions, ingest_file
from tests.db.test_ingest_files import DATA, make_tenant

MC = "1298"
FILES = ["police_extract_excel.csv", "place_events.csv", "duplicates.csv"]


@pytest.fixture(scope="module")
def tenant(engine: Engine) -> str:
    return make_tenant(engine, MC)


def event_schema(engine: Engine) -> list[tuple]:
    """Every index and constraint on event, with its definition and validity."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid), "
            "indisvalid FROM pg_index WHERE indrelid = 'event'::regclass "
            "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE conrelid = 'event'::regclass ORDER BY 1, 2"
        ))]  # fmt: skip


def stored(engine: Engine, source: str) -> list[tuple]:
    """The events of a source, without what differs between two imports (ids, batch)."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT source_id, kind, category, content_hash, occurred_at, severity, "
            "ST_AsText(geom), h3_r8, h3_r9, h3_r10, geocode_method, geocode_score, place_id, "
            "description, attributes FROM event WHERE municipality_code = :mc AND source = :s "
            "ORDER BY source_id"
        ), {"mc": MC, "s": source})]  # fmt: skip


def load(engine: Engine, name: str, source: str, bulk: bool, path: Path | None = None):
    report = ingest_file(engine, path or DATA / name, ImportOptions(MC, source, "incident",
                                                                    bulk=bulk))  # fmt: skip
    assert report.adds_up, report
    return report


@pytest.mark.parametrize("name", FILES)
def test_bulk_path_stores_what_the_row_path_stores(engine: Engine, tenant: str, name: str) -> None:
    before = event_schema(engine)
    stem = name.split(".")[0]
    row = load(engine, name, f"row_{stem}", bulk=False)
    bulk = load(engine, name, f"bulk_{stem}", bulk=True)
    assert event_schema(engine) == before
    assert (bulk.stored, bulk.quarantine_reasons) == (row.stored, row.quarantine_reasons)
    assert bulk.stored > 0
    assert stored(engine, f"bulk_{stem}") == stored(engine, f"row_{stem}")


def test_bulk_reimport_updates_changed_rows_only(engine: Engine, tenant: str,
                                                 tmp_path: Path) -> None:  # fmt: skip
    first = load(engine, "police_extract_excel.csv", "bulk_again", bulk=True)
    again = load(engine, "police_extract_excel.csv", "bulk_again", bulk=True)
    assert (first.stored, again.stored, again.updated, again.unchanged) == (5, 0, 0, 5)
    changed = tmp_path / "changed.csv"
    changed.write_bytes((DATA / "police_extract_excel.csv").read_bytes().replace(
        "Cykelstöld".encode("cp1252"), "Cykelstöld, två cyklar".encode("cp1252")))  # fmt: skip
    third = load(engine, "", "bulk_again", bulk=True, path=changed)
    assert (third.stored, third.updated, third.unchanged) == (0, 1, 4)
    assert any("två cyklar" in (r[13] or "") for r in stored(engine, "bulk_again"))


def test_failed_bulk_import_leaves_indexes_in_place(engine: Engine, tenant: str) -> None:
    before = event_schema(engine)
    with pytest.raises(GeoServiceError):
        load(engine, "header_only.csv", "bulk_empty", bulk=True)
    assert event_schema(engine) == before


def test_large_imports_into_a_small_table_take_the_bulk_path(engine: Engine) -> None:
    with engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM event")).scalar_one()
        assert should_bulk_load(conn, max(BULK_MIN_ROWS, existing))
        assert not should_bulk_load(conn, BULK_MIN_ROWS - 1)


@pytest.mark.parametrize("bulk", [False, True])
def test_blank_report_date_is_stored_as_null(engine: Engine, tenant: str, tmp_path: Path,
                                             bulk: bool) -> None:  # fmt: skip
    path = tmp_path / "reported.csv"
    path.write_text("id;datum;anmäld;kategori;lat;lon\n"
                    "r1;2025-05-05 10:00;2025-05-06 09:00;klotter;56,1330;13,3830\n"
                    "r2;2025-05-05 11:00;;klotter;56,1330;13,3830\n", encoding="utf-8")  # fmt: skip
    source = f"reported_{bulk}"
    assert load(engine, "", source, bulk=bulk, path=path).stored == 2
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT source_id, to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
            "FROM event WHERE municipality_code = :mc AND source = :s ORDER BY source_id"
        ), {"mc": MC, "s": source}).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [("r1", "2025-05-06 07:00"), ("r2", None)]
