"""Bulk path: a municipality's first large import becomes its partition of `event` in one step.

Maintaining event's indexes row by row costs most of an import. Here the rows are copied
(binary COPY from Arrow, through ADBC) into a table of their own, `event_stage_<kommunkod>`:
committed but not part of `event`, so nobody reads it. A check holds the partition bound as
rows arrive; its indexes are built on two connections at once (one per core) and its foreign
keys validated there; the import's transaction then swaps it in for the municipality's empty
partition:
`ATTACH PARTITION` finds every index, key and check already in place and only records them.
Definitions are read from the partitioned parent in pg_catalog, so they stay exactly those
of the migrations.

The import's transaction holds the municipality's import lock throughout, so no other import
can write to the municipality meanwhile; after a failure the partition is as it was and
`drop_stage` removes the stage table. A stage left by an import that was killed, or that lost
its database, is dropped by the next import before its transaction starts (in the import's
own transaction the drop would not be seen by the stage's connection, which recreates it).
"""

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from queue import SimpleQueue

import adbc_driver_postgresql.dbapi as adbc
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, text

from geo_service.db.copy import adbc_uri, ewkb_points
from geo_service.errors import GeoServiceError

BULK_MIN_ROWS = 100_000
"""Imports smaller than this always take the row-by-row path."""

LANES = 2
"""Connections copying into the stage, and building its indexes, at once (one per core;
CREATE INDEX takes a lock that lets others build beside it)."""

CONSTANTS = ("kind", "source", "batch_id", "created_by")
"""Columns that are the same for every row of an import: the stage's column defaults."""
CELL_COLUMNS = ("h3_r8", "h3_r9", "h3_r10")

_UTC_MICROS = pa.timestamp("us", tz="UTC")
_JSONB_VERSION = pa.scalar(b"\x01")


def stage_rows(events: pd.DataFrame) -> pa.Table:
    """The pipeline's events as Arrow columns of exactly event's types (a binary COPY takes
    bytes as they are); the import's constants are the stage table's column defaults."""

    def text_(column: str) -> pa.Array | pa.ChunkedArray:
        return pa.array(events[column].array, pa.string(), from_pandas=True)

    def utc(column: str) -> pa.Array:
        values = events[column]
        if values.isna().all():  # also a file without the column: a column of None
            return pa.nulls(len(events), _UTC_MICROS)
        return pa.array(values.array, from_pandas=True).cast(_UTC_MICROS)

    def integers(column: str, kind: pa.DataType) -> pa.Array:
        values = events[column].astype("Int64")
        return pa.array(values.where(values != 0), kind, from_pandas=True)  # 0: none

    columns = {
        "category": text_("category"),
        "source_id": text_("source_id"),
        "content_hash": text_("content_hash"),
        "occurred_at": utc("occurred_at"),
        "reported_at": utc("reported_at"),
        "severity": integers("severity", pa.int16()),
        "geom": ewkb_points(events["x"].to_numpy(float), events["y"].to_numpy(float), 3006),
        **{c: pa.array(events[c].to_numpy(np.int64)) for c in CELL_COLUMNS},
        "geocode_method": text_("geocode_method"),
        "geocode_score": pa.array(events["geocode_score"].to_numpy(float)),
        "source_crs": pa.array(events["source_crs"].to_numpy(np.int16)),
        "place_id": integers("place_id", pa.int32()),
        "description": text_("description"),
    }
    notes = text_("attributes")
    if notes.null_count < len(notes):  # else left to the column's default, '{}'
        notes = pc.fill_null(notes, "{}").cast(pa.binary())
        columns["attributes"] = pc.binary_join_element_wise(_JSONB_VERSION, notes, b"")
    return pa.table(columns)


_INDEXES = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), k.conname, k.contype
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
WHERE i.indrelid = 'event'::regclass
ORDER BY c.relname
"""

_FOREIGN_KEYS = """
SELECT conname, pg_get_constraintdef(oid), confrelid::regclass::text
FROM pg_constraint WHERE conrelid = 'event'::regclass AND contype = 'f' ORDER BY conname
"""

_VALIDATED_AT_ATTACH = {"source", "ingest_batch"}
"""Referenced rows the import's own (uncommitted) transaction may have just created: their
keys are validated when the stage is attached, inside that transaction."""


def _build_cost(statement: str) -> int:
    """Rough order of build times, so the two lanes finish together: GiST (as long as the
    rest together), then whole-table btrees, then partial ones."""
    if "USING gist" in statement:
        return 2
    return 0 if " WHERE " in statement else 1


def import_lock(conn: Connection, municipality_code: str) -> None:
    """Serialise imports per municipality (held until the import's transaction ends)."""
    conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('geo_service.event'), hashtext(:mc))"),
        {"mc": municipality_code},
    )


def has_events(conn: Connection, municipality_code: str) -> bool:
    return conn.execute(
        text("SELECT EXISTS (SELECT 1 FROM event WHERE municipality_code = :mc)"),
        {"mc": municipality_code},
    ).scalar_one()


def should_bulk_load(
    conn: Connection, municipality_code: str, expected_rows: int, requested: bool | None = None
) -> bool:
    """True for a large import into a municipality that has no events yet; `requested`
    (ImportOptions.bulk) decides instead of the size when given."""
    large = expected_rows >= BULK_MIN_ROWS if requested is None else requested
    return large and not has_events(conn, municipality_code)


def _quote(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


class StagedPartition:
    """The stage table of one import, on its own autocommit connection."""

    def __init__(
        self, conn: Connection, municipality_code: str, constants: dict[str, object]
    ) -> None:
        """Create the stage; `conn` is the import's connection, holding the import lock."""
        self.engine = conn.engine
        self.mc = municipality_code
        self.name = stage_name(municipality_code)
        self.partition = f"event_{municipality_code}"
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # binary COPY from Arrow on LANES connections, so the server parses on every core
        self.streams = [adbc.connect(adbc_uri(conn), autocommit=True) for _ in range(LANES)]
        self._copier = ThreadPoolExecutor(max_workers=LANES)
        self._copying: deque[Future[None]] = deque()
        self._chunks = 0
        self.cells: list[np.ndarray] = []
        """The distinct H3 cells of the rows copied so far."""
        defaults = ", ".join(
            f"ALTER {column} SET DEFAULT {_quote(value)}"
            for column, value in {"municipality_code": municipality_code, **constants}.items()
        )
        sequence = conn.execute(text("SELECT pg_get_serial_sequence('event', 'id')")).scalar()
        self._run(
            # autovacuum would take the new rows for a vacuum and hold up the index builds
            f"CREATE TABLE {self.name} (LIKE event INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "WITH (autovacuum_enabled = false)",
            f"ALTER TABLE {self.name} ALTER id SET DEFAULT nextval({_quote(sequence)}), {defaults}",
            # the partition bound, checked row by row as rows arrive (cheaper than a scan)
            f"ALTER TABLE {self.name} ADD CONSTRAINT {self.name}_bound "
            f"CHECK (municipality_code = {_quote(municipality_code)})",
        )

    def _run(self, *statements: str, conn: Connection | None = None) -> None:
        for statement in statements:
            (conn or self.conn).exec_driver_sql(statement)

    def copy(self, events: pd.DataFrame) -> None:
        """Start the binary COPY of one chunk of the pipeline's events (x, y in EPSG:3006);
        at most one chunk per stream is in flight."""
        if not events.empty:
            self.copy_rows(stage_rows(events))
            self.cells += [np.unique(events[c].to_numpy(np.int64)) for c in CELL_COLUMNS]

    def copy_rows(self, rows: pa.Table) -> None:
        """Start the binary COPY of rows already in the stage's layout (see `stage_rows`)."""
        if len(self._copying) == LANES:
            self._copying.popleft().result()
        stream = self.streams[self._chunks % LANES]
        self._chunks += 1
        self._copying.append(self._copier.submit(self._ingest, stream, rows))

    def _ingest(self, stream: adbc.Connection, rows: pa.Table) -> None:
        with stream.cursor() as cursor:
            cursor.adbc_ingest(self.name, rows, mode="append")

    def build_indexes(self) -> None:
        """The parent's indexes, built on two connections at once (after the last copy)."""
        while self._copying:
            self._copying.popleft().result()
        indexes = self.conn.execute(text(_INDEXES)).all()
        queue: SimpleQueue[str] = SimpleQueue()
        for statement in sorted(
            (self._index_sql(relname, definition) for relname, definition, _, _ in indexes),
            key=_build_cost,
            reverse=True,
        ):
            queue.put(statement)
        with ThreadPoolExecutor(max_workers=LANES) as pool:
            for future in [pool.submit(self._build_lane, queue) for _ in range(LANES)]:
                future.result()
        for relname, _, conname, contype in indexes:
            if conname:
                kind = "PRIMARY KEY" if contype == "p" else "UNIQUE"
                self._run(
                    f"ALTER TABLE {self.name} ADD CONSTRAINT {self.name}_{conname} "
                    f"{kind} USING INDEX {self.name}_{relname}"
                )

    def add_keys(self) -> None:
        """Quick statistics, then the foreign keys that can be validated outside the import's
        transaction (one at a time: each check locks the table against the others).

        The statistics come from a small sample (3,000 rows; a full one costs an import a
        third of a second) and let the key checks plan well (the place key reads only the
        rows with a place, through the partial index). Naming the columns keeps the table's
        count of new rows, so autovacuum, enabled again at attach, analyses the partition in
        full within a minute.
        """
        columns = self.conn.execute(
            text(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
            ),
            {"t": self.name},
        ).scalar_one()
        defaults = ", ".join(
            f"ALTER {c} DROP DEFAULT" for c in ("id", "municipality_code", *CONSTANTS)
        )
        self._run(
            f"ALTER TABLE {self.name} {defaults}",
            "SET default_statistics_target = 10",
            f"ANALYZE {self.name} ({columns})",
            "RESET default_statistics_target",
        )
        for conname, definition, referenced in self.conn.execute(text(_FOREIGN_KEYS)).all():
            if referenced not in _VALIDATED_AT_ATTACH:
                self._run(
                    f"ALTER TABLE {self.name} ADD CONSTRAINT {self.name}_{conname} {definition}"
                )

    def _index_sql(self, relname: str, definition: str) -> str:
        """The parent's index definition, for the stage (a partitioned index is 'ON ONLY')."""
        head, _, columns = definition.partition(" USING ")
        unique = "UNIQUE " if head.startswith("CREATE UNIQUE") else ""
        return f"CREATE {unique}INDEX {self.name}_{relname} ON {self.name} USING {columns}"

    def _build_lane(self, queue: SimpleQueue[str]) -> None:
        """Build indexes from the queue until it is empty (the lanes balance themselves)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            self._run(
                "SET maintenance_work_mem = '512MB'",
                "SET max_parallel_maintenance_workers = 0",  # the lanes use the cores
                conn=conn,
            )
            while not queue.empty():
                self._run(queue.get(), conn=conn)

    def attach(self, conn: Connection) -> None:
        """Swap the stage in for the municipality's (empty) partition, in the import's
        transaction; the source and batch keys are validated here."""
        self._run(f"LOCK TABLE {self.partition} IN ACCESS EXCLUSIVE MODE", conn=conn)
        if has_events(conn, self.mc):  # written around the import lock
            raise GeoServiceError(
                "import_conflict",
                f"Kommunen {self.mc} fick händelser under importen; importera filen igen.",
            )
        self._run(
            f"ALTER TABLE event DETACH PARTITION {self.partition}",
            f"DROP TABLE {self.partition}",
            f"ALTER TABLE {self.name} RENAME TO {self.partition}",
            f"ALTER TABLE event ATTACH PARTITION {self.partition} "
            f"FOR VALUES IN ({_quote(self.mc)})",
            f"ALTER TABLE {self.partition} DROP CONSTRAINT {self.name}_bound, "
            "RESET (autovacuum_enabled)",
            conn=conn,
        )
        renames = conn.execute(
            text(
                "SELECT 'INDEX', relname FROM pg_class "
                "WHERE starts_with(relname, :p) AND relkind = 'i' "
                "UNION ALL SELECT 'CONSTRAINT', conname FROM pg_constraint "  # index-backed
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' "  # ones go with it
                "AND starts_with(conname, :p)"
            ),
            {"p": f"{self.name}_", "t": self.partition},
        ).all()
        for what, old in renames:
            new = self.partition + old.removeprefix(self.name)
            if what == "INDEX":
                self._run(f"ALTER INDEX {old} RENAME TO {new}", conn=conn)
            else:
                self._run(
                    f"ALTER TABLE {self.partition} RENAME CONSTRAINT {old} TO {new}", conn=conn
                )

    def close(self) -> None:
        """Release the stage's connection. A stage that was not attached stays until
        `drop_stage` (its foreign keys cannot be dropped while the import's transaction
        still holds the tables they reference)."""
        self._copier.shutdown(wait=True)
        for stream in self.streams:
            stream.close()
        self.conn.close()


def stage_name(municipality_code: str) -> str:
    """One stage per municipality: the import lock allows one bulk import at a time."""
    return f"event_stage_{municipality_code}"


def drop_stage(conn: Connection, municipality_code: str) -> None:
    """Drop the municipality's stage table, if any, under its import lock."""
    import_lock(conn, municipality_code)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {stage_name(municipality_code)}")
