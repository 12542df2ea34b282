"""Every file users send ends up stored (geocoded, in H3 cells, redacted) or in quarantine.

Imports go into a test municipality (1291) with Perstorp's approximate boundary and places,
so the demo's own counts stay untouched.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp
from geo_service.demo.load import load_places
from geo_service.errors import GeoServiceError
from geo_service.ingest.addresses import load_addresses
from geo_service.ingest.mapping import load_mapping
from geo_service.ingest.pipeline import ImportOptions, ingest_file
from geo_service.ingest.report import ImportReport
from tests.conftest import fetch

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
MC = "1291"


def make_tenant(engine: Engine, code: str) -> str:
    """A municipality with Perstorp's boundary and places, for import tests."""
    with Session(engine) as session:
        ensure_municipality(session, code, f"Testkommun {code}", perstorp.boundary().wkt)
        load_places(session, code)
        session.commit()
    return code


@pytest.fixture(scope="module")
def tenant(engine: Engine) -> str:
    return make_tenant(engine, MC)


def run(engine: Engine, name: str, kind: str = "incident", **kw: object) -> ImportReport:
    """Import a fixture file under a fresh source name; the report must always add up."""
    source = kw.pop("source", None) or f"test_{uuid.uuid4().hex[:8]}"
    options = ImportOptions(municipality_code=MC, source=source, kind=kind, **kw)  # type: ignore[arg-type]
    report = ingest_file(engine, DATA / name, options)
    assert report.adds_up, report
    return report


def events(engine: Engine, source: str) -> list[dict]:
    sql = (
        "SELECT source_id, category, description, geocode_method, geocode_score, "
        "ST_X(geom) x, ST_Y(geom) y, h3_r8, h3_r9, h3_r10, occurred_at, place_id, "
        "source_crs, attributes "
        "FROM event WHERE municipality_code = :mc AND source = :s ORDER BY source_id"
    )
    return [dict(r) for r in fetch(engine, sql, mc=MC, s=source)]


def quarantine(engine: Engine, batch_id: int) -> dict[str, str]:
    """raw id (or row number) → reason code of a batch's quarantined rows."""
    sql = (
        "SELECT row_number, raw, reason_code FROM quarantine "
        "WHERE municipality_code = :mc AND batch_id = :b"
    )
    rows = fetch(engine, sql, mc=MC, b=batch_id)
    return {str(r["raw"].get("id") or r["row_number"]): r["reason_code"] for r in rows}


def test_swedish_excel_csv_cp1252_decimal_comma_sweref(engine: Engine, tenant: str) -> None:
    report = run(engine, "police_extract_excel.csv", source="polis_excel")
    assert (report.rows_read, report.stored, report.quarantined) == (5, 5, 0)
    rows = events(engine, "polis_excel")
    assert [r["category"] for r in rows] == [
        "skadegorelse",
        "vald",
        "klotter",
        "stold",
        "narkotika",
    ]
    assert rows[0]["description"] == "Sönderslagen ruta vid torget"  # å/ö decoded from cp1252
    assert "[redacted]" in rows[1]["description"] and "811218" not in rows[1]["description"]
    assert "070-123" not in rows[2]["description"]
    assert all(r["geocode_method"] == "coordinates" for r in rows)
    # 2025-03-14 21:30 Stockholm (CET) is 20:30 UTC
    assert rows[0]["occurred_at"].isoformat() == "2025-03-14T20:30:00+00:00"
    assert all(r["h3_r9"] and r["h3_r8"] and r["h3_r10"] for r in rows)
    assert rows[1]["place_id"] is not None  # inside Stationsområdet


@pytest.mark.parametrize("chunk_rows", [1, 1000])
def test_windows_1252_rows_with_wrong_field_counts(
    engine: Engine, tenant: str, chunk_rows: int
) -> None:
    source = f"polis_1252_{chunk_rows}"
    report = run(engine, "excel_1252_wrong_fields.csv", source=source, chunk_rows=chunk_rows)
    assert (report.rows_read, report.stored) == (4, 2)
    assert report.quarantine_reasons == {"wrong_field_count": 2}
    rows = events(engine, source)
    assert [r["source_id"] for r in rows] == ["5000-K2001-25", "5000-K2004-25"]
    assert rows[0]["description"] == "Sönderslagen ruta, skada 500 €"  # 0x80 is the euro sign
    assert [r["category"] for r in rows] == ["skadegorelse", "stold"]
    with engine.connect() as conn:
        raw = " ".join(
            map(
                str,
                conn.execute(
                    text("SELECT raw FROM quarantine WHERE batch_id = :b"), {"b": report.batch_id}
                ).scalars(),
            )
        )
    assert "Klotter på bänken" in raw and "Tömd" in raw


def test_reimport_adds_nothing_and_a_changed_row_is_reported(
    engine: Engine, tenant: str, tmp_path: Path
) -> None:
    first = run(engine, "police_extract_excel.csv", source="polis_again")
    again = run(engine, "police_extract_excel.csv", source="polis_again")
    assert (first.stored, again.stored, again.updated, again.unchanged) == (5, 0, 0, 5)
    changed = tmp_path / "changed.csv"
    content = (
        (DATA / "police_extract_excel.csv")
        .read_bytes()
        .replace("Cykelstöld".encode("cp1252"), "Cykelstöld, två cyklar".encode("cp1252"))
    )
    changed.write_bytes(content)
    third = ingest_file(engine, changed, ImportOptions(MC, "polis_again", "incident"))
    assert (third.stored, third.updated, third.unchanged) == (0, 1, 4)


def test_utf8_bom_comma_csv_with_email_redacted(engine: Engine, tenant: str) -> None:
    report = run(engine, "rapportor_utf8_bom.csv", kind="observation", source="rapp_bom")
    assert report.stored == 3
    rows = events(engine, "rapp_bom")
    texts = " ".join(r["description"] for r in rows)
    assert "anna.svensson" not in texts and "[redacted]" in texts
    assert {r["category"] for r in rows} == {"klotter", "storande_samling", "belysning"}


def test_every_swedish_crs_and_swapped_axes_are_detected(engine: Engine, tenant: str) -> None:
    report = run(engine, "coordinates_many_crs.tsv", source="crs_mix")
    assert report.stored == 5
    rows = {r["source_id"]: r for r in events(engine, "crs_mix")}
    assert rows["tm_swapped"]["geocode_method"] == "coordinates_swapped"
    assert rows["wgs_swapped"]["geocode_method"] == "coordinates_swapped"
    assert rows["zon1330"]["source_crs"] == 3008
    assert rows["rt90"]["source_crs"] == 3021
    station = perstorp.PLACE_BY_NAME["Stationsområdet"].xy()
    assert abs(rows["zon1330"]["x"] - station[0]) < 1 and abs(rows["zon1330"]["y"] - station[1]) < 1
    parken = perstorp.PLACE_BY_NAME["Parken"].xy()
    assert abs(rows["rt90"]["x"] - parken[0]) < 5 and abs(rows["rt90"]["y"] - parken[1]) < 5
    assert abs(rows["tm"]["x"] - rows["tm_swapped"]["x"]) < 0.01


def test_sweref_values_declared_as_wgs84_are_read_as_sweref(engine: Engine, tenant: str) -> None:
    report = run(engine, "sweref_declared_wgs84.csv", crs=4326, source="declared")
    assert report.stored == 1
    assert any("EPSG:4326" in w and "EPSG:3006" in w for w in report.warnings)


def test_bad_coordinates_are_quarantined_with_reasons(engine: Engine, tenant: str) -> None:
    report = run(engine, "coordinates_bad.csv", source="badcoords")
    reasons = quarantine(engine, report.batch_id)
    assert reasons == {
        "t1": "invalid_coordinates",
        "t2": "invalid_coordinates",
        "t3": "zero_coordinates",
        "t5": "outside_area",
        "t6": "invalid_coordinates",
    }
    assert [r["geocode_method"] for r in events(engine, "badcoords")] == ["coordinates_swapped"]


def test_dates_in_many_formats_and_impossible_dates(engine: Engine, tenant: str) -> None:
    report = run(engine, "dates_many_formats.csv", source="dates")
    stored = {r["source_id"]: r["occurred_at"].isoformat() for r in events(engine, "dates")}
    assert stored["d1"] == stored["d3"] == stored["d4"] == "2025-03-14T20:30:00+00:00"
    assert stored["d2"] == stored["d5"] == "2025-03-13T23:00:00+00:00"
    assert "d6" in stored  # an Excel serial day number
    assert quarantine(engine, report.batch_id) == {
        "d7": "invalid_date",
        "d8": "date_in_future",
        "d9": "date_too_old",
        "d10": "invalid_date",
        "d11": "missing_date",
    }


def test_unknown_category_is_quarantined_with_a_hint(engine: Engine, tenant: str) -> None:
    report = run(engine, "unknown_category.csv", source="unknowncat")
    assert report.stored == 1 and report.quarantine_reasons == {"unknown_category": 1}
    with engine.connect() as conn:
        message = conn.execute(
            text("SELECT message FROM quarantine WHERE municipality_code = :mc AND batch_id = :b"),
            {"mc": MC, "b": report.batch_id},
        ).scalar_one()
    assert "Trafikolycka" in message and "mappningen" in message


def test_duplicates_inside_one_file(engine: Engine, tenant: str) -> None:
    with_id = run(engine, "duplicates.csv", source="dupes")
    assert (with_id.stored, with_id.quarantine_reasons) == (2, {"duplicate_in_file": 1})
    without = run(engine, "duplicates_without_id.csv", source="dupes_noid")
    assert (without.stored, without.quarantine_reasons) == (2, {"duplicate_in_file": 1})
    again = run(engine, "duplicates_without_id.csv", source="dupes_noid")
    assert (again.stored, again.unchanged) == (0, 2)


def test_injection_looking_text_is_stored_verbatim_as_data(engine: Engine, tenant: str) -> None:
    report = run(engine, "injection.csv", source="inject")
    assert report.stored == 3 and report.quarantine_reasons == {"unknown_category": 1}
    texts = {r["source_id"]: r["description"] for r in events(engine, "inject")}
    assert texts["i1"] == "'); DROP TABLE event; --"
    assert texts["i2"].startswith("=HYPERLINK(")
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM taxonomy WHERE municipality_code = :mc"), {"mc": MC}
            ).scalar()
            > 10
        )


def test_broken_quoting_loses_nothing(engine: Engine, tenant: str) -> None:
    report = run(engine, "broken_quoting.csv", source="quotes")
    assert report.rows_read == 3 and report.stored == 3
    assert any("citering" in w for w in report.warnings)
    texts = {r["source_id"]: r["description"] for r in events(engine, "quotes")}
    assert texts["q2"] == '"Citat som aldrig stängs' and texts["q3"] == "Också bra"


def test_rows_with_missing_or_extra_fields_go_to_quarantine(engine: Engine, tenant: str) -> None:
    report = run(engine, "extra_columns.csv", source="extra")
    assert (report.rows_read, report.stored) == (4, 2)
    assert report.quarantine_reasons == {"wrong_field_count": 2}
    assert any("intern_kommentar" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("empty.csv", "empty_file", "tom"),
        ("header_only.csv", "no_rows", "inga rader"),
        ("wrong_encoding.csv", "unreadable_encoding", "UTF-8"),
        ("missing_columns.csv", "missing_columns", "id, datum, beskrivning, lat, lon"),
    ],
)
def test_unusable_files_give_a_clear_error(
    engine: Engine, tenant: str, name: str, code: str, words: str
) -> None:
    with pytest.raises(GeoServiceError) as info:
        run(engine, name)
    assert info.value.code == code and words in info.value.message


def test_cli_exits_after_an_error_in_a_large_windows_1252_file(
    database_url: str, tenant: str, tmp_path: Path
) -> None:
    """The error comes before the rows are read; the command must still end (Arrow's own
    transcoding would leave a thread that hangs the interpreter at exit)."""
    path = tmp_path / "utan_plats.csv"
    row = "K{};2025-01-0{} 10:00;Skadegörelse;Sönderslagen ruta vid kiosken nr {}\n"
    with path.open("w", encoding="cp1252") as f:
        f.write("Ärendenummer;Datum;Brottstyp;Beskrivning\n")
        f.writelines(row.format(i, 1 + i % 9, i) for i in range(400_000))
    for _ in range(3):  # the hang was a race at shutdown, so try more than once
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "geo_service.cli",
                "ingest",
                str(path),
                "--municipality",
                MC,
                "--source",
                "utan_plats",
                "--kind",
                "incident",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "GEO_SERVICE_DATABASE_URL": database_url},
        )
        assert done.returncode == 2, done.stderr
        assert "missing_columns" in done.stdout + done.stderr


def test_xlsx_with_several_sheets_reads_the_data_sheet(engine: Engine, tenant: str) -> None:
    report = run(engine, "walk_findings.xlsx", kind="walk_finding", source="walk")
    assert report.stored == 3
    assert any("Instruktioner" in w for w in report.warnings)
    assert {r["geocode_method"] for r in events(engine, "walk")} == {"place"}


def test_geojson_points(engine: Engine, tenant: str) -> None:
    report = run(engine, "tips.geojson", kind="tip", source="tips_geojson")
    assert report.stored == 2
    assert {r["category"] for r in events(engine, "tips_geojson")} == {"narkotika", "nedskrapning"}


def test_geopackage_of_polygons_uses_a_point_on_the_surface(engine: Engine, tenant: str) -> None:
    report = run(engine, "walk_areas_polygons.gpkg", kind="walk_finding", source="walk_gpkg")
    assert report.stored == 2
    assert any("point on surface" in w for w in report.warnings)
    rows = events(engine, "walk_gpkg")
    assert all(r["attributes"]["geometry"] == "point_on_surface" for r in rows)
    parken = perstorp.PLACE_BY_NAME["Parken"].xy()
    assert any(abs(r["x"] - parken[0]) < 40 and abs(r["y"] - parken[1]) < 40 for r in rows)


def test_shapefile_in_a_local_zone(engine: Engine, tenant: str) -> None:
    report = run(engine, "fault_reports.shp", kind="fault_report", source="faults")
    assert report.stored == 2
    station = perstorp.PLACE_BY_NAME["Stationsområdet"].xy()
    rows = events(engine, "faults")
    assert any(abs(r["x"] - station[0]) < 1 and abs(r["y"] - station[1]) < 1 for r in rows)


def test_police_feed_uses_municipality_centroid(engine: Engine, tenant: str) -> None:
    report = run(engine, "police_feed.json", source="polisen_feed")
    assert report.stored == 2
    assert report.quarantine_reasons == {"outside_area": 1, "unknown_category": 1}
    rows = events(engine, "polisen_feed")
    assert {r["geocode_method"] for r in rows} == {"municipality_centroid"}
    assert all(r["geocode_score"] < 0.5 for r in rows)


def test_mapping_file_with_own_columns_and_category_codes(engine: Engine, tenant: str) -> None:
    mapping = load_mapping(DATA / "custom_columns_mapping.yaml")
    report = run(engine, "custom_columns.csv", source="custom", mapping=mapping)
    assert report.stored == 2
    assert [r["category"] for r in events(engine, "custom")] == ["skadegorelse", "klotter"]
    # the mapping is stored with the source; the next import needs no mapping file
    again = run(engine, "custom_columns.csv", source="custom")
    assert again.unchanged == 2


def test_addresses_exact_fuzzy_ambiguous_and_unknown(engine: Engine, tenant: str) -> None:
    with engine.begin() as conn:
        assert load_addresses(conn, MC, DATA / "addresses.csv") == 6
    report = run(engine, "address_events.csv", source="addr")
    rows = {r["source_id"]: r["geocode_method"] for r in events(engine, "addr")}
    assert rows == {
        "a1": "address_exact",
        "a2": "address_exact",
        "a3": "address_exact",
        "a4": "address_exact",
        "a5": "address_fuzzy",
    }
    assert quarantine(engine, report.batch_id) == {
        "a6": "ambiguous_address",
        "a7": "address_not_found",
    }
    sql = (
        "SELECT message FROM quarantine WHERE municipality_code = :mc AND batch_id = :b "
        "AND reason_code = 'ambiguous_address'"
    )
    message = fetch(engine, sql, mc=MC, b=report.batch_id)[0]["message"]
    assert "Perstorp" in message and "Oderljunga" in message


def test_place_names_and_aliases(engine: Engine, tenant: str) -> None:
    report = run(engine, "place_events.csv", source="places")
    rows = events(engine, "places")
    assert [r["geocode_method"] for r in rows] == ["place", "place"]
    assert quarantine(engine, report.batch_id) == {"p3": "place_not_found"}


def test_batch_row_records_the_report(engine: Engine, tenant: str) -> None:
    report = run(engine, "coordinates_bad.csv", source="batchrec")
    sql = (
        "SELECT rows_read, stored, quarantined, finished_at, report FROM ingest_batch "
        "WHERE municipality_code = :mc AND id = :id"
    )
    (row,) = fetch(engine, sql, mc=MC, id=report.batch_id)
    assert (row["rows_read"], row["stored"], row["quarantined"]) == (6, 1, 5)
    assert row["finished_at"] is not None
    assert row["report"]["quarantine_reasons"]["outside_area"] == 1


def test_a_50_mb_file_is_streamed_in_chunks(engine: Engine, tenant: str, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "2025-05-20 10:00;klotter;" + "Lång beskrivning " * 55 + ";56,1330;13,3830\n"
    n = 50 * 1024 * 1024 // len(line.encode()) + 1
    with path.open("w", encoding="utf-8") as f:
        f.write("id;datum;kategori;beskrivning;lat;lon\n")
        for i in range(n):
            f.write(f"b{i};{line}")
    assert path.stat().st_size > 50 * 1024 * 1024
    # ~1 KB rows and 10,000-row chunks: many chunks, memory bounded by the chunk size
    report = ingest_file(engine, path, ImportOptions(MC, "big", "incident", chunk_rows=10_000))
    assert report.rows_read == n and report.stored == n and report.adds_up


def test_survey_results_per_area_and_year(engine: Engine, tenant: str) -> None:
    from geo_service.ingest.survey import ingest_survey

    with engine.begin() as conn:
        for name, polygon in perstorp.areas().items():
            conn.execute(
                text(
                    "INSERT INTO area (municipality_code, name, geom) VALUES "
                    "(:mc, :name, ST_Multi(ST_GeomFromText(:g, 3006))) ON CONFLICT DO NOTHING"
                ),
                {"mc": MC, "name": name, "g": polygon.wkt},
            )
        report = ingest_survey(conn, MC, DATA / "survey_results.csv")
    assert report.adds_up and report.stored == 3
    assert report.quarantine_reasons == {"unknown_area": 1, "invalid_index": 1}
    with engine.connect() as conn:
        total = conn.execute(
            text(
                "SELECT s.index_value FROM survey_result s JOIN area a ON a.municipality_code = "
                "s.municipality_code AND a.id = s.area_id WHERE s.municipality_code = :mc "
                "AND a.name = 'Perstorp centrala' AND s.year = 2024 AND s.question = 'Totalt'"
            ),
            {"mc": MC},
        ).scalar()
    assert total == 2.4
    with engine.begin() as conn:
        again = ingest_survey(conn, MC, DATA / "survey_results.csv")
    assert (again.stored, again.unchanged) == (0, 3)


def test_retry_after_loading_the_missing_address(
    engine: Engine, tenant: str, tmp_path: Path
) -> None:
    from geo_service.ingest.retry import retry_quarantine

    events_file = tmp_path / "retry.csv"
    events_file.write_text("id;datum;kategori;adress\nr1;2025-05-20 10:00;klotter;Torggatan 7\n")
    first = ingest_file(engine, events_file, ImportOptions(MC, "retry_src", "incident"))
    assert first.quarantine_reasons == {"address_not_found": 1}
    register = tmp_path / "register.csv"
    register.write_text(
        (DATA / "addresses.csv").read_text() + "Torggatan;7;;28431;Perstorp;399500,0;6222050,0\n"
    )
    with engine.begin() as conn:
        load_addresses(conn, MC, register)
        reports = retry_quarantine(conn, MC, batch_id=first.batch_id)
    assert len(reports) == 1 and reports[0].stored == 1 and reports[0].adds_up
    assert events(engine, "retry_src")[0]["geocode_method"] == "address_exact"
    with engine.connect() as conn:
        open_rows = conn.execute(
            text(
                "SELECT count(*) FROM quarantine WHERE municipality_code = :mc AND batch_id = :b "
                "AND resolved_at IS NULL"
            ),
            {"mc": MC, "b": first.batch_id},
        ).scalar()
    assert open_rows == 0
