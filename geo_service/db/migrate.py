"""Schema migrations (Alembic) driven from code, and the revision a database is at."""

import re
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo_service.config import get_settings
from geo_service.privacy import WRITE_K

# Tables that PostGIS, its extensions and QGIS own; autogenerate must leave them alone.
FOREIGN_TABLES = {
    "spatial_ref_sys",
    "layer_styles",
    "qgis_projects",
    "topology",
    "layer",
    "geocode_settings",
    "pagc_gaz",
    "pagc_lex",
    "pagc_rules",
}


EVENT_PARTITION = re.compile(r"event_\d{4}")
"""Partitions of `event`, one per municipality, made by a trigger rather than the models."""


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Autogenerate filter: GeoAlchemy2's, minus the tables PostGIS and QGIS own and the
    partitions of event."""
    if type_ == "table" and (name in FOREIGN_TABLES or EVENT_PARTITION.fullmatch(name or "")):
        return False
    if type_ == "table" and reflected and compare_to is None and obj.schema not in (None, "public"):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url or get_settings().database_url
    return config


def create_database_if_missing(url: str) -> bool:
    """Create the database named in `url` on its server; True when it was created."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        admin.dispose()


def upgrade(url: str | None = None, revision: str = "head", k: int | None = None) -> None:
    """Migrate to `revision`, then store the configured k (`GEO_SERVICE_K_SUPPRESSION`, or `k`)
    where the SQL function geo_service_k() reads it."""
    url = url or get_settings().database_url
    create_database_if_missing(url)
    command.upgrade(alembic_config(url), revision)
    write_k(url, get_settings().k_suppression if k is None else k)


def write_k(url: str, k: int) -> None:
    """Store k in `privacy_k` (no-op on a database migrated to before the table)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.execute(text("SELECT to_regclass('privacy_k')")).scalar() is not None:
                conn.execute(WRITE_K, {"k": k})
    finally:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


@lru_cache
def head_revision() -> str | None:
    """The newest migration shipped with the code (read once: parsing the scripts takes tens
    of milliseconds, and health asks on every call)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    engine = create_engine(url or get_settings().database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
