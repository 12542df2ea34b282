"""Bulk path for large imports: load `event` without its secondary indexes and foreign keys.

Maintaining eight indexes and five foreign-key triggers row by row costs most of an upsert;
building the indexes once afterwards (sorted bulk builds) and validating each foreign key with
one join is several times cheaper. Definitions are read from pg_catalog and replayed verbatim,
so names and definitions stay exactly those of the migrations. Everything happens inside the
import's transaction: a failure rolls the table back with its indexes, and the ACCESS EXCLUSIVE
lock taken by DROP INDEX keeps other sessions out of `event` until the import commits.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

BULK_MIN_ROWS = 100_000
"""Imports smaller than this always take the row-by-row path."""

_INDEXES = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = 'event'::regclass AND NOT i.indisprimary AND NOT i.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY c.relname
"""

_FOREIGN_KEYS = """
SELECT quote_ident(conname), pg_get_constraintdef(oid)
FROM pg_constraint
WHERE conrelid = 'event'::regclass AND contype = 'f'
ORDER BY conname
"""


@dataclass(frozen=True)
class Deferred:
    """What was dropped from `event` and must be put back before the import commits."""

    indexes: list[tuple[str, str]]
    foreign_keys: list[tuple[str, str]]


def should_bulk_load(conn: Connection, expected_rows: int) -> bool:
    """True when the import is large and at least as large as what `event` already holds."""
    if expected_rows < BULK_MIN_ROWS:
        return False
    existing = conn.execute(
        text("SELECT count(*) FROM (SELECT 1 FROM event LIMIT :n) e"), {"n": expected_rows + 1}
    ).scalar_one()
    return existing <= expected_rows


def drop_secondary(conn: Connection) -> Deferred:
    """Drop event's secondary indexes and foreign keys (PK and identity stay for ON CONFLICT)."""
    conn.execute(text("LOCK TABLE event IN ACCESS EXCLUSIVE MODE"))
    deferred = Deferred(
        indexes=[tuple(r) for r in conn.execute(text(_INDEXES)).all()],
        foreign_keys=[tuple(r) for r in conn.execute(text(_FOREIGN_KEYS)).all()],
    )
    for name, _ in deferred.foreign_keys:
        conn.execute(text(f"ALTER TABLE event DROP CONSTRAINT {name}"))
    for name, _ in deferred.indexes:
        conn.execute(text(f"DROP INDEX {name}"))
    return deferred


def restore_secondary(conn: Connection, deferred: Deferred) -> None:
    """Rebuild the dropped indexes and re-add (and so validate) the foreign keys."""
    conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    for _, definition in deferred.indexes:
        conn.exec_driver_sql(definition)
    for name, definition in deferred.foreign_keys:
        conn.exec_driver_sql(f"ALTER TABLE event ADD CONSTRAINT {name} {definition}")
