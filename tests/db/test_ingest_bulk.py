"""The bulk path (a municipality's first large import loaded, indexed and validated as its own
table, then attached as the municipality's partition) stores the same events as the row-by-row
path and leaves a partition with exactly the indexes and constraints of any other.
"""

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from geo_service.errors import GeoServiceError
from geo_service.ingest.bulk import BULK_MIN_ROWS, should_bulk_load
from geo_service.ingest.pipeline import ImportOptions, ImportReport, ingest_file
from tests.conftest import fetch
from tests.db.test_ingest_files import DATA, make_tenant

FILES = ["police_extract_excel.csv", "place_events.csv", "duplicates.csv"]


def partition_schema(engine: Engine, mc: str) -> list[tuple]:
    """Indexes and constraints of a municipality's partition, names and table left out."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT 'index', pg_get_indexdef(indexrelid), indisvalid FROM pg_index "
                "WHERE indrelid = CAST(:t AS regclass) "
                "UNION ALL SELECT 'constraint', pg_get_constraintdef(oid), convalidated "
                "FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) ORDER BY 1, 2"
            ),
            {"t": f"event_{mc}"},
        ).all()
    return sorted(
        (kind, re.sub(r"INDEX \S+ ON public\.\S+", "INDEX ON", definition), valid)
        for kind, definition, valid in rows
    )


def bound(engine: Engine, mc: str) -> str | None:
    """The partition bound of event_<mc>, or None when it is not a partition of event."""
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                "JOIN pg_inherits i ON i.inhrelid = c.oid "
                "WHERE c.relname = :t AND i.inhparent = 'event'::regclass"
            ),
            {"t": f"event_{mc}"},
        ).scalar()


def autovacuum_and_statistics(engine: Engine, mc: str) -> tuple[object, set[str]]:
    """The partition's storage options (None: autovacuum on) and the columns with statistics."""
    with engine.connect() as conn:
        options = conn.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = :t"), {"t": f"event_{mc}"}
        ).scalar()
        analysed = conn.execute(
            text("SELECT attname FROM pg_stats WHERE tablename = :t"), {"t": f"event_{mc}"}
        ).scalars()
        return options, set(analysed)


def stage_tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT relname FROM pg_class WHERE starts_with(relname, 'event_stage_')")
            ).scalars()
        )


def stored(engine: Engine, mc: str) -> list[tuple]:
    """A municipality's events, without what differs between two imports (ids, batch)."""
    sql = (
        "SELECT source_id, kind, source, category, content_hash, occurred_at, severity, "
        "ST_AsText(geom), h3_r8, h3_r9, h3_r10, geocode_method, geocode_score, "
        "(SELECT name FROM place p WHERE p.municipality_code = e.municipality_code "
        " AND p.id = e.place_id), description, attributes, source_crs, created_by "
        "FROM event e WHERE municipality_code = :mc ORDER BY source_id"
    )
    return [tuple(r.values()) for r in fetch(engine, sql, mc=mc)]


def load(
    engine: Engine, mc: str, name: str, bulk: bool | None, path: Path | None = None
) -> ImportReport:
    options = ImportOptions(mc, "polisen", "incident", bulk=bulk, created_by="token:7")
    report = ingest_file(engine, path or DATA / name, options)
    assert report.adds_up, report
    return report


@pytest.mark.parametrize("index", range(len(FILES)))
def test_bulk_path_stores_what_the_row_path_stores(engine: Engine, index: int) -> None:
    row_mc, bulk_mc = make_tenant(engine, f"13{index}1"), make_tenant(engine, f"13{index}2")
    before = partition_schema(engine, bulk_mc)
    row = load(engine, row_mc, FILES[index], bulk=False)
    bulk = load(engine, bulk_mc, FILES[index], bulk=True)
    assert (bulk.stored, bulk.quarantine_reasons) == (row.stored, row.quarantine_reasons)
    assert bulk.stored > 0
    assert stored(engine, bulk_mc) == stored(engine, row_mc)
    assert partition_schema(engine, bulk_mc) == before == partition_schema(engine, row_mc)
    assert all(valid for _, _, valid in before)
    assert bound(engine, bulk_mc) == f"FOR VALUES IN ('{bulk_mc}')"
    assert stage_tables(engine) == []
    options, analysed = autovacuum_and_statistics(engine, bulk_mc)
    assert options is None  # autovacuum, off while loading, is on again
    assert {"category", "occurred_at", "geom", "h3_r10", "place_id"} <= analysed
    with engine.connect() as conn:  # new events continue the identity sequence
        ids = conn.execute(text("SELECT max(id), count(DISTINCT id), count(*) FROM event")).one()
    assert ids[1] == ids[2]


def test_after_a_bulk_import_the_row_path_updates_changed_rows(
    engine: Engine, tmp_path: Path
) -> None:
    mc = make_tenant(engine, "1341")
    first = load(engine, mc, "police_extract_excel.csv", bulk=True)
    with engine.connect() as conn:
        assert not should_bulk_load(conn, mc, BULK_MIN_ROWS)
    again = load(engine, mc, "police_extract_excel.csv", bulk=True)
    assert (first.stored, again.stored, again.updated, again.unchanged) == (5, 0, 0, 5)
    changed = tmp_path / "changed.csv"
    changed.write_bytes(
        (DATA / "police_extract_excel.csv")
        .read_bytes()
        .replace("Cykelstöld".encode("cp1252"), "Cykelstöld, två cyklar".encode("cp1252"))
    )
    third = load(engine, mc, "", bulk=True, path=changed)
    assert (third.stored, third.updated, third.unchanged) == (0, 1, 4)
    assert any("två cyklar" in (r[14] or "") for r in stored(engine, mc))


def test_failed_bulk_import_leaves_the_partition_as_it_was(engine: Engine) -> None:
    mc = make_tenant(engine, "1342")
    before = partition_schema(engine, mc)
    with pytest.raises(GeoServiceError):
        load(engine, mc, "header_only.csv", bulk=True)
    assert partition_schema(engine, mc) == before
    assert bound(engine, mc) == f"FOR VALUES IN ('{mc}')"
    assert stage_tables(engine) == []
    assert load(engine, mc, "police_extract_excel.csv", bulk=True).stored == 5


def test_only_large_imports_into_a_municipality_without_events_take_the_bulk_path(
    engine: Engine,
) -> None:
    mc = make_tenant(engine, "1343")
    with engine.connect() as conn:
        assert should_bulk_load(conn, mc, BULK_MIN_ROWS)
        assert not should_bulk_load(conn, mc, BULK_MIN_ROWS - 1)
    load(engine, mc, "police_extract_excel.csv", bulk=False)
    with engine.connect() as conn:
        assert not should_bulk_load(conn, mc, BULK_MIN_ROWS)


@pytest.mark.parametrize("bulk", [False, True])
def test_blank_report_date_is_stored_as_null(engine: Engine, tmp_path: Path, bulk: bool) -> None:
    mc = make_tenant(engine, f"135{int(bulk)}")
    path = tmp_path / "reported.csv"
    path.write_text(
        "id;datum;anmäld;kategori;lat;lon\n"
        "r1;2025-05-05 10:00;2025-05-06 09:00;klotter;56,1330;13,3830\n"
        "r2;2025-05-05 11:00;;klotter;56,1330;13,3830\n",
        encoding="utf-8",
    )
    assert load(engine, mc, "", bulk=bulk, path=path).stored == 2
    sql = (
        "SELECT source_id, to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
        "FROM event WHERE municipality_code = :mc ORDER BY source_id"
    )
    rows = fetch(engine, sql, mc=mc)
    assert [tuple(r.values()) for r in rows] == [("r1", "2025-05-06 07:00"), ("r2", None)]


def test_deleting_a_municipality_deletes_its_events(engine: Engine) -> None:
    mc, other = make_tenant(engine, "1361"), make_tenant(engine, "1362")
    load(engine, mc, "police_extract_excel.csv", bulk=True)
    load(engine, other, "police_extract_excel.csv", bulk=False)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM municipality WHERE municipality_code = :mc"), {"mc": mc})
    assert stored(engine, mc) == []
    assert len(stored(engine, other)) == 5


def test_a_bulk_import_that_restarts_its_reader_after_staging_rows_still_completes(
    engine: Engine, tmp_path: Path
) -> None:
    """A broken row late in a 3 MB file restarts the reader in a tolerant mode after the first
    chunks are staged; the restart starts from a clean stage, so every row is stored or
    quarantined and nothing is left behind."""
    mc = make_tenant(engine, "1346")
    lines = (DATA / "police_extract_excel.csv").read_bytes().splitlines()
    header, rows = lines[0], lines[1:]
    body = [row.replace(b"K100", b"K%05d" % i, 1) for i in range(6000) for row in rows]
    broken = b"5000-K9999-25;2025-03-20;12:00;Klotter;en rad;med;f\xf6r;m\xe5nga;f\xe4lt"
    path = tmp_path / "late_broken_row.csv"
    path.write_bytes(b"\r\n".join([header, *body, broken]) + b"\r\n")
    options = ImportOptions(mc, "polisen", "incident", bulk=True, chunk_rows=5_000)
    report = ingest_file(engine, path, options)
    assert report.adds_up, report
    assert report.stored == 30_000 and report.quarantined == 1
    assert stage_tables(engine) == []
