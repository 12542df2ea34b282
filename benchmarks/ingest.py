"""Ingest throughput: a Swedish-style CSV end to end into PostGIS, against two baselines.

Generates N rows (default 1,000,000) the way Swedish Excel writes them — semicolons, decimal
commas, SWEREF 99 TM, short free text — and times, on the same rows:
  1. geo_service end to end: parsing, CRS detection, geocoding, H3 at every resolution,
     redaction, content hash, place join, upsert into the indexed `event` table;
  2. the database's share of 1 alone: the same events, already prepared in memory, loaded
     through the bulk path again (binary COPY, index builds, key checks, attach) — the floor
     for the end-to-end figure on this server;
  3. a plain COPY of the file into an unindexed table of text columns (the ceiling);
  4. GDAL's ogr2ogr loading a dot-decimal copy into PostGIS with a point geometry.

The database server comes from GEO_SERVICE_DATABASE_URL; a fresh database geo_service_bench
is created and migrated on it. ogr2ogr comes from the Debian package gdal-bin.
Every method runs --repeat times (default 3), each round on a fresh database; the medians
are printed, with the range.
Run: .venv/bin/python benchmarks/ingest.py [--rows N] [--repeat N] [--row-path]
(--row-path forces the row-by-row path instead of the bulk path large imports take.)
"""

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import adbc_driver_postgresql.dbapi as adbc
import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo_service.db import migrate
from geo_service.db.copy import adbc_uri
from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp
from geo_service.demo.load import load_places
from geo_service.ingest.bulk import StagedPartition, import_lock
from geo_service.ingest.pipeline import ImportOptions, ingest_file

MC = "1275"
CATEGORIES = [
    "Skadegörelse",
    "Klotter",
    "Stöld",
    "Misshandel",
    "Narkotika",
    "Inbrott",
    "Nedskräpning",
    "Brand",
    "Störande samling",
    "Fordon",
]
TEXTS = [
    "Sönderslagen ruta",
    "Klotter på elskåp",
    "Cykel stulen vid stationen",
    "Bråk utanför kiosken",
    "Misstänkt langning",
    "Inbrott i förråd",
    "Skräp i parken",
    "Brand i papperskorg",
    "Ungdomar samlas sent",
    "Moped på gångbanan",
    "Ring 070-123 45 67 för mer info",
    "Vittne 811218-9876 hördes",
]


def generate(n: int, folder: Path, seed: int = 1275) -> tuple[Path, Path]:
    """The Swedish CSV (cp1252, ';', decimal comma) and a dot-decimal UTF-8 copy for ogr2ogr."""
    rng = np.random.default_rng(seed)
    centre = np.array(perstorp.PLACE_BY_NAME["Centrum"].xy())
    xy = centre + rng.normal(0, 1500, size=(n, 2))
    start = np.datetime64("2024-01-01T00:00")
    minutes = rng.integers(0, 2 * 365 * 24 * 60, n).astype("timedelta64[m]")
    frame = pd.DataFrame(
        {
            "Ärendenummer": np.char.add("5000-K", np.arange(n).astype(str)),
            "Datum": np.datetime_as_string(start + minutes, unit="m"),
            "Brottstyp": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)],
            "Beskrivning": np.array(TEXTS)[rng.integers(0, len(TEXTS), n)],
            "N": np.round(xy[:, 1], 2),
            "E": np.round(xy[:, 0], 2),
        }
    )
    frame["Datum"] = frame["Datum"].str.replace("T", " ")
    swedish, dotted = folder / "brott.csv", folder / "brott_dot.csv"
    frame.to_csv(swedish, sep=";", decimal=",", index=False, encoding="cp1252")
    frame.to_csv(dotted, sep=";", index=False, encoding="utf-8")
    return swedish, dotted


def fresh_database(server_url: str, name: str = "geo_service_bench") -> str:
    """Drop and create `name` on the server, migrated, with the Perstorp tenant and places."""
    admin = create_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        session = Session(bind=conn)
        ensure_municipality(session, MC, perstorp.NAME, perstorp.boundary().wkt)
        session.flush()
        load_places(session, MC)
        session.flush()
    engine.dispose()
    return url


def time_pipeline(url: str, path: Path, bulk: bool | None = None) -> tuple[float, int]:
    engine = create_engine(url)
    t0 = time.perf_counter()
    options = ImportOptions(MC, "polisen_bench", "incident", bulk=bulk)
    report = ingest_file(engine, path, options)
    elapsed = time.perf_counter() - t0
    assert report.adds_up, report
    engine.dispose()
    print(f"report: {report.stored:,} stored, quarantined {report.quarantine_reasons}")
    return elapsed, report.stored


def time_database_alone(url: str) -> float:
    """The bulk path's database work on its own: the events just loaded, already prepared in
    memory, copied into a stage table again, indexed, validated and attached."""
    engine = create_engine(url)
    columns = (
        "category, source_id, content_hash, occurred_at, reported_at, severity, geom, "
        "h3_r8, h3_r9, h3_r10, geocode_method, geocode_score, source_crs, place_id, "
        "description"
    )
    # `attributes` is '{}' throughout, which the pipeline leaves to the column's default
    with engine.connect() as conn, adbc.connect(adbc_uri(conn)) as raw, raw.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM event_{MC}")
        rows = cursor.fetch_arrow_table()
        batch_id, source = conn.execute(text("SELECT max(batch_id), max(source) FROM event")).one()
    rows = rows.set_column(
        rows.column_names.index("geom"), "geom", rows["geom"].combine_chunks().storage
    )
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE event_{MC}"))
    t0 = time.perf_counter()
    with engine.begin() as conn:
        import_lock(conn, MC)
        constants = {"kind": "incident", "source": source, "batch_id": batch_id, "created_by": None}
        stage = StagedPartition(conn, MC, constants)
        for chunk in rows.to_batches(max_chunksize=100_000):  # as the pipeline sends them
            stage.copy_rows(pa.Table.from_batches([chunk]))
        stage.build_indexes()
        stage.add_keys()
        stage.attach(conn)
        stage.close()
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def time_copy(url: str, path: Path) -> float:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE copy_baseline (arende text, datum text, brottstyp text, "
                "beskrivning text, n text, e text)"
            )
        )
    t0 = time.perf_counter()
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        with (
            raw.cursor().copy(
                "COPY copy_baseline FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, "
                "ENCODING 'WIN1252')"
            ) as copy,
            path.open("rb") as f,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def time_ogr2ogr(url: str, path: Path) -> float | None:
    if shutil.which("ogr2ogr") is None:
        print("ogr2ogr not found (apt-get install gdal-bin); baseline skipped")
        return None
    u = make_url(url)
    pg = f"PG:dbname={u.database} host={u.host} port={u.port} user={u.username}"
    if u.password:
        pg += f" password={u.password}"
    t0 = time.perf_counter()
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(path),
            "-nln",
            "ogr_baseline",
            "-oo",
            "X_POSSIBLE_NAMES=E",
            "-oo",
            "Y_POSSIBLE_NAMES=N",
            "-oo",
            "KEEP_GEOM_COLUMNS=NO",
            "-a_srs",
            "EPSG:3006",
            "-lco",
            "GEOMETRY_NAME=geom",
            "-gt",
            "65536",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
        check=True,
        env={**os.environ, "PGCLIENTENCODING": "UTF8"},
    )
    elapsed = time.perf_counter() - t0
    engine = create_engine(url)
    with engine.connect() as conn:
        n, srid = conn.execute(
            text("SELECT count(geom), max(ST_SRID(geom)) FROM ogr_baseline")
        ).one()
    engine.dispose()
    print(f"ogr2ogr loaded {n:,} points (SRID {srid})")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="rounds of every method, each on a fresh database (median shown)",
    )
    parser.add_argument(
        "--database", default="geo_service_bench", help="database to (re)create on the server"
    )
    parser.add_argument(
        "--row-path", action="store_true", help="force the row-by-row path (no bulk index rebuild)"
    )
    args = parser.parse_args()
    server = os.environ.get("GEO_SERVICE_DATABASE_URL")
    if not server:
        raise SystemExit("Set GEO_SERVICE_DATABASE_URL to a PostGIS server (any database).")
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        swedish, dotted = generate(args.rows, Path(folder))
        print(
            f"generated {args.rows:,} rows in {time.perf_counter() - t0:.1f} s "
            f"({swedish.stat().st_size / 1e6:.0f} MB)"
        )
        for _ in range(args.repeat):  # methods interleaved, so a slow spell hits them all
            url = fresh_database(server, args.database)
            pipeline, stored = time_pipeline(url, swedish, False if args.row_path else None)
            timed = {"pipeline": pipeline, "copy": time_copy(url, swedish)}
            if not args.row_path:
                timed["alone"] = time_database_alone(url)
            if (ogr := time_ogr2ogr(url, dotted)) is not None:
                timed["ogr"] = ogr
            for method, seconds in timed.items():
                runs.setdefault(method, []).append(seconds)
    n = args.rows
    median = {method: statistics.median(seconds) for method, seconds in runs.items()}
    labels = {
        "pipeline": f"geo_service end to end ({stored:,} stored)",
        "alone": "its database work alone (rows prepared)",
        "copy": "plain COPY, unindexed table (ceiling)",
        "ogr": "ogr2ogr into PostGIS with point geometry",
    }
    print(f"\nmedian of {args.repeat} rounds")
    print(f"{'method':<44}{'seconds':>9}{'rows/s':>12}   range (s)")
    for method, label in labels.items():
        if method in runs:
            low, high = min(runs[method]), max(runs[method])
            print(
                f"{label:<44}{median[method]:>9.1f}{n / median[method]:>12,.0f}"
                f"   {low:.1f}–{high:.1f}"
            )
    print(
        f"\nend to end reaches {median['copy'] / median['pipeline']:.0%} of the COPY ceiling"
        + (
            f"; {median['ogr'] / median['pipeline']:.2f}× the speed of ogr2ogr"
            if "ogr" in median
            else ""
        )
    )
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
