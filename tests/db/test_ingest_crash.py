"""A bulk first import that dies mid-way (kill -9 of the importing process, or its database
connections cut as by a PostgreSQL restart) leaves a stage table behind; the very next import of
the same file succeeds with exact counts and leaves nothing behind.

The import runs in a process of its own; it stops after its first chunk is in the stage table
(a hook wrapped around the stage's copy waits for a word from the test) so that the crash lands
mid-way every time.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, text

from geo_service.ingest.pipeline import ImportOptions, ingest_file
from tests.conftest import fetch
from tests.db.test_ingest_bulk import stage_tables
from tests.db.test_ingest_files import make_tenant

ROWS = 20_000
CHILD = """
import sys
from pathlib import Path
from geo_service.db.engine import get_engine
from geo_service.ingest import bulk
from geo_service.ingest.pipeline import ImportOptions, ingest_file

copy = bulk.StagedPartition.copy

def copy_then_wait(self, events):
    copy(self, events)
    while self._copying:
        self._copying.popleft().result()  # the chunk is in the stage table
    print("staged", flush=True)
    sys.stdin.readline()  # until told to go on

bulk.StagedPartition.copy = copy_then_wait
url, mc, path = sys.argv[1:]
options = ImportOptions(mc, "polisen", "incident", bulk=True, chunk_rows=2000)
ingest_file(get_engine(url), Path(path), options)
"""


def _events_file(path: Path) -> Path:
    """ROWS distinct burglaries inside Perstorp, as a Swedish police extract."""
    rng = np.random.default_rng(12)
    lat = 56.133 + rng.uniform(-0.004, 0.004, ROWS)
    lon = 13.383 + rng.uniform(-0.006, 0.006, ROWS)
    days = rng.integers(0, 700, ROWS)
    lines = ["Diarienummer;Datum;Brottstyp;Lat;Lon"]
    lines += [
        f"K{i};{np.datetime64('2024-01-01') + int(d)} 12:00;Inbrott;{a:.6f};{o:.6f}"
        for i, (d, a, o) in enumerate(zip(days, lat, lon, strict=True))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _start_import(database_url: str, mc: str, path: Path) -> subprocess.Popen[str]:
    """The import in a process of its own, once its first chunk is in the stage table."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, mc, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "staged"
    return child


def _kill(child: subprocess.Popen[str], engine: Engine, since: object) -> None:
    child.send_signal(signal.SIGKILL)
    child.wait(30)


def _cut_connections(child: subprocess.Popen[str], engine: Engine, since: object) -> None:
    """Terminate the import's backends, as a database restart would; the import then fails."""
    with engine.connect() as conn:
        cut = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_start >= :since"
            ),
            {"since": since},
        ).scalar()
    assert cut >= 2  # the import's own connection and the stage's
    assert child.stdin is not None
    child.stdin.write("go on\n")
    child.stdin.close()
    assert child.wait(60) != 0  # the import failed


@pytest.mark.parametrize(
    ("mc", "crash", "left"), [("9872", _kill, True), ("9873", _cut_connections, False)]
)
def test_the_next_import_after_a_crash_succeeds_with_exact_counts(
    engine: Engine, database_url: str, tmp_path: Path, mc: str, crash: object, left: bool
) -> None:
    """`left`: whether the stage table stays (a killed import cannot clean up; one whose
    connections were cut drops it on a new connection as it fails)."""
    make_tenant(engine, mc)
    path = _events_file(tmp_path / "polisen.csv")
    since = fetch(engine, "SELECT clock_timestamp() AS t")[0]["t"]
    child = _start_import(database_url, mc, path)
    crash(child, engine, since)  # type: ignore[operator]
    assert (f"event_stage_{mc}" in stage_tables(engine)) == left

    options = ImportOptions(mc, "polisen", "incident", bulk=True, chunk_rows=2000)
    report = ingest_file(engine, path, options)

    assert (report.rows_read, report.stored, report.quarantined) == (ROWS, ROWS, 0)
    counts = fetch(
        engine,
        "SELECT count(*) AS events, count(DISTINCT source_id) AS ids FROM event "
        "WHERE municipality_code = :mc",
        mc=mc,
    )[0]
    assert (counts["events"], counts["ids"]) == (ROWS, ROWS)
    batches = fetch(
        engine, "SELECT count(*) AS n FROM ingest_batch WHERE municipality_code = :mc", mc=mc
    )
    assert batches[0]["n"] == 1  # the crashed import left no batch of its own
    assert stage_tables(engine) == []
