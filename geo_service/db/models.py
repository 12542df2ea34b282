"""Schema v1: every tenant-owned table starts its primary key with municipality_code.

Geometries are typmod (SWEREF 99 TM, EPSG:3006; 4326 only where the web needs it).
Foreign keys stay inside one tenant, so the schema can be distributed by municipality_code.
"""

from datetime import date, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from geo_service.db.constants import (
    EVENT_KINDS,
    GEOCODE_METHODS,
    MEASURE_STATUSES,
    PLACE_KINDS,
    ROLES,
    RUN_STATUSES,
    SOURCE_KINDS,
    sql_in,
)

TZ = TIMESTAMP(timezone=True)
MC = String(4)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONB, datetime: TZ}


def _mc() -> Mapped[str]:
    return mapped_column(MC, primary_key=True)


def _created() -> Mapped[datetime]:
    return mapped_column(TZ, server_default=func.now())


def _tenant_fk(columns: list[str], table: str, ref: list[str], **kw: Any) -> ForeignKeyConstraint:
    """A foreign key inside one tenant: (municipality_code, ...) → table(municipality_code, ...)."""
    return ForeignKeyConstraint(
        ["municipality_code", *columns],
        [f"{table}.municipality_code", *(f"{table}.{c}" for c in ref)],
        **kw,
    )


class Municipality(Base):
    """A tenant: one kommun with its boundary and analysis settings."""

    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("municipality_code ~ '^[0-9]{4}$'", name="code_format"),
        CheckConstraint("analysis_resolution BETWEEN 0 AND 15", name="analysis_resolution"),
        CheckConstraint("period_length_days BETWEEN 1 AND 366", name="period_length"),
    )
    municipality_code: Mapped[str] = _mc()
    name: Mapped[str] = mapped_column(Text)
    boundary = mapped_column(Geometry("MULTIPOLYGON", srid=3006, spatial_index=True), nullable=True)
    boundary_note: Mapped[str | None] = mapped_column(Text)
    h3_resolutions: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), server_default=text("'{8,9,10}'")
    )
    # H3 resolution of runs; NULL = auto (the finest that self-calibration finds reliable)
    analysis_resolution: Mapped[int | None] = mapped_column(SmallInteger)
    period_anchor: Mapped[date] = mapped_column(Date, server_default=text("'2024-01-01'"))
    period_length_days: Mapped[int] = mapped_column(SmallInteger, server_default=text("14"))
    settings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = _created()


class Taxonomy(Base):
    """A tenant's event categories, with Swedish and English labels and a harm weight."""

    __tablename__ = "taxonomy"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        CheckConstraint("harm_weight >= 0", name="harm_weight"),
    )
    municipality_code: Mapped[str] = _mc()
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_sv: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)
    harm_weight: Mapped[float] = mapped_column(Float, server_default=text("1"))
    kinds: Mapped[list[str]] = mapped_column(ARRAY(Text))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))


class Source(Base):
    """Who delivers data (the police, a rapportör organisation, the public...) and its mapping."""

    __tablename__ = "source"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        CheckConstraint(sql_in("kind", SOURCE_KINDS), name="kind"),
    )
    municipality_code: Mapped[str] = _mc()
    code: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = _created()


class Area(Base):
    """A named part of the municipality (kommundel, survey sub-area)."""

    __tablename__ = "area"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        UniqueConstraint("municipality_code", "name"),
        Index("ix_area_geom", "geom", postgresql_using="gist"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30), server_default=text("'district'"))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=3006, spatial_index=False))
    note: Mapped[str | None] = mapped_column(Text)


class Place(Base):
    """A place the EST group talks about: a named polygon with aliases and a kind."""

    __tablename__ = "place"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        _tenant_fk(["area_id"], "area", ["id"]),
        UniqueConstraint("municipality_code", "name"),
        CheckConstraint(sql_in("kind", PLACE_KINDS), name="kind"),
        Index("ix_place_geom", "geom", postgresql_using="gist"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), server_default=text("'other'"))
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    area_id: Mapped[int | None] = mapped_column(Integer)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=3006, spatial_index=False))
    point = mapped_column(Geometry("POINT", srid=3006, spatial_index=False))
    note: Mapped[str | None] = mapped_column(Text)


class IngestBatch(Base):
    """One import of one file or API request, with its report."""

    __tablename__ = "ingest_batch"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        _tenant_fk(["source"], "source", ["code"]),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str | None] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(Text)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = _created()
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    rows_read: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    stored: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    updated: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    unchanged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    quarantined: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    report: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    created_by: Mapped[str | None] = mapped_column(Text)


class Quarantine(Base):
    """An input row that could not be stored, kept whole with the reason."""

    __tablename__ = "quarantine"
    __table_args__ = (
        _tenant_fk(["batch_id"], "ingest_batch", ["id"], ondelete="CASCADE"),
        Index("ix_quarantine_batch", "municipality_code", "batch_id"),
        Index("ix_quarantine_reason", "municipality_code", "reason_code"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    batch_id: Mapped[int] = mapped_column(BigInteger)
    row_number: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[dict[str, Any]]
    reason_code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    resolved_at: Mapped[datetime | None] = mapped_column(TZ)


class Event(Base):
    """One record: an incident, observation, tip, fault report or safety-walk finding.

    Partitioned by municipality: `event_<kommunkod>` is created with the municipality.
    """

    __tablename__ = "event"
    __table_args__ = (
        # deleting a source (and so a municipality) deletes its events
        _tenant_fk(["source"], "source", ["code"], ondelete="CASCADE"),
        _tenant_fk(["category"], "taxonomy", ["code"]),
        _tenant_fk(["place_id"], "place", ["id"], ondelete="SET NULL"),
        _tenant_fk(["batch_id"], "ingest_batch", ["id"], ondelete="SET NULL"),
        # id first: it decides every comparison (migration 0004)
        PrimaryKeyConstraint("id", "municipality_code", name="event_pkey"),
        # source_id first: the selective column, and the index builds twice as fast
        UniqueConstraint("source_id", "source", "municipality_code", name="uq_event_identity"),
        CheckConstraint(sql_in("kind", EVENT_KINDS), name="kind"),
        CheckConstraint(sql_in("geocode_method", GEOCODE_METHODS), name="geocode_method"),
        CheckConstraint("severity BETWEEN 1 AND 3", name="severity"),
        CheckConstraint("geocode_score BETWEEN 0 AND 1", name="geocode_score"),
        Index("ix_event_geom", "geom", postgresql_using="gist"),
        # one partition per municipality (migration 0003), so indexes need no tenant column
        Index("ix_event_time", "occurred_at"),
        Index("ix_event_place", "place_id", postgresql_where=text("place_id IS NOT NULL")),
        # event counts per cell for the events_agg tiles, read from the index alone (migration
        # serve); the tenant column is included so that no heap page is visited
        *(
            Index(
                f"ix_event_h3_r{r}",
                f"h3_r{r}",
                postgresql_include=["municipality_code"],
                postgresql_where=text("geocode_method <> 'municipality_centroid'"),
            )
            for r in (8, 9, 10)
        ),
        {"postgresql_partition_by": "LIST (municipality_code)"},
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(80))
    source_id: Mapped[str] = mapped_column(Text(collation="C"))  # an identifier, no language
    content_hash: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(TZ)
    reported_at: Mapped[datetime | None] = mapped_column(TZ)
    severity: Mapped[int | None] = mapped_column(SmallInteger)
    geom = mapped_column(Geometry("POINT", srid=3006, spatial_index=False), nullable=True)
    h3_r8: Mapped[int | None] = mapped_column(BigInteger)
    h3_r9: Mapped[int | None] = mapped_column(BigInteger)
    h3_r10: Mapped[int | None] = mapped_column(BigInteger)
    geocode_method: Mapped[str] = mapped_column(String(30))
    geocode_score: Mapped[float] = mapped_column(Float, server_default=text("1"))
    source_crs: Mapped[int | None] = mapped_column(SmallInteger)
    """EPSG code of the coordinates as read (3006 for addresses and places)."""
    place_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _created()


class Address(Base):
    """An address point from Lantmäteriet's Belägenhetsadress register (or any address list)."""

    __tablename__ = "address"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        Index("ix_address_geom", "geom", postgresql_using="gist"),
        Index("ix_address_norm", "municipality_code", "street_norm", "number", "letter"),
        Index(
            "ix_address_street_trgm",
            "street_norm",
            postgresql_using="gin",
            postgresql_ops={"street_norm": "gin_trgm_ops"},
        ),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    street: Mapped[str] = mapped_column(Text)
    street_norm: Mapped[str] = mapped_column(Text)
    number: Mapped[int | None] = mapped_column(Integer)
    letter: Mapped[str | None] = mapped_column(String(4))
    postcode: Mapped[str | None] = mapped_column(String(6))
    town: Mapped[str | None] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(Text)
    popular_name: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=3006, spatial_index=False))


class H3Cell(Base):
    """Polygons of the H3 cells in use, for maps and QGIS (global reference data)."""

    __tablename__ = "h3_cell"
    __table_args__ = (
        CheckConstraint("resolution BETWEEN 0 AND 15", name="resolution"),
        Index("ix_h3_cell_geom", "geom", postgresql_using="gist"),
        Index("ix_h3_cell_geom_4326", "geom_4326", postgresql_using="gist"),
    )
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    resolution: Mapped[int] = mapped_column(SmallInteger)
    geom = mapped_column(Geometry("POLYGON", srid=3006, spatial_index=False))
    geom_4326 = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=False))


class _RunPart:
    """A row of one run of one municipality, deleted with the run."""

    municipality_code: Mapped[str] = mapped_column(MC, primary_key=True, sort_order=-2)
    run_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, sort_order=-1)


def _run_fk() -> ForeignKeyConstraint:
    """The run a row belongs to; the row goes when the run does."""
    return _tenant_fk(["run_id"], "analysis_run", ["id"], ondelete="CASCADE")


class AnalysisRun(Base):
    """One execution of the hotspot engine, with everything needed to reproduce it."""

    __tablename__ = "analysis_run"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        CheckConstraint(sql_in("status", RUN_STATUSES), name="status"),
        CheckConstraint("period_end > period_start", name="period_order"),
        Index("ix_analysis_run_latest", "municipality_code", "status", "finished_at"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), server_default=text("'running'"))
    params: Mapped[dict[str, Any]]
    resolution: Mapped[int] = mapped_column(SmallInteger)
    period_start: Mapped[datetime] = mapped_column(TZ)
    period_end: Mapped[datetime] = mapped_column(TZ)
    n_periods: Mapped[int] = mapped_column(Integer)
    watermark: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    sparsity: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    warnings: Mapped[list[Any]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    timings: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    calibration: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = _created()
    finished_at: Mapped[datetime | None] = mapped_column(TZ)


class AnalysisBin(_RunPart, Base):
    """Gi* result per cell and period of a run."""

    __tablename__ = "analysis_bin"
    __table_args__ = (_run_fk(),)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    period_start: Mapped[datetime] = mapped_column(TZ, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    z: Mapped[float] = mapped_column(Float)
    p: Mapped[float] = mapped_column(Float)
    hot: Mapped[bool] = mapped_column(Boolean)
    cold: Mapped[bool] = mapped_column(Boolean)


class AnalysisCell(_RunPart, Base):
    """Emerging hot spot category and its explanation per cell of a run."""

    __tablename__ = "analysis_cell"
    __table_args__ = (
        _run_fk(),
        Index("ix_analysis_cell_category", "municipality_code", "run_id", "category"),
    )
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    category: Mapped[str] = mapped_column(String(24))
    confirmed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    uncertain: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    hot_share: Mapped[float] = mapped_column(Float)
    cold_share: Mapped[float] = mapped_column(Float)
    final_z: Mapped[float] = mapped_column(Float)
    final_p: Mapped[float] = mapped_column(Float)
    trend_tau: Mapped[float | None] = mapped_column(Float)
    trend_p: Mapped[float | None] = mapped_column(Float)
    trend_p_adj: Mapped[float | None] = mapped_column(Float)
    z_trend_tau: Mapped[float | None] = mapped_column(Float)
    z_trend_p: Mapped[float | None] = mapped_column(Float)
    count_trend_tau: Mapped[float] = mapped_column(Float)
    count_trend_p: Mapped[float] = mapped_column(Float)
    run_length: Mapped[int] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    last_value: Mapped[float] = mapped_column(Float)


class AnalysisCluster(_RunPart, Base):
    """A point cluster or scan cluster found by a run."""

    __tablename__ = "analysis_cluster"
    __table_args__ = (
        _run_fk(),
        Index("ix_analysis_cluster_geom", "geom", postgresql_using="gist"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    method: Mapped[str] = mapped_column(String(20))
    alarm: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    size: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime | None] = mapped_column(TZ)
    last_at: Mapped[datetime | None] = mapped_column(TZ)
    stats: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=3006, spatial_index=False))


class MeetingSnapshot(Base):
    """The priorities frozen for one EST meeting; immutable once written."""

    __tablename__ = "meeting_snapshot"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        _tenant_fk(["run_id"], "analysis_run", ["id"]),
        UniqueConstraint("municipality_code", "meeting_date"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    meeting_date: Mapped[date] = mapped_column(Date)
    run_id: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict[str, Any]]
    priorities: Mapped[list[Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _created()
    created_by: Mapped[str | None] = mapped_column(Text)


class Measure(Base):
    """An åtgärd: what was done where, by whom, from when to when."""

    __tablename__ = "measure"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        _tenant_fk(["place_id"], "place", ["id"], ondelete="CASCADE"),
        CheckConstraint(sql_in("status", MEASURE_STATUSES), name="status"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_order"),
        Index("ix_measure_place", "municipality_code", "place_id"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    place_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), server_default=text("'planned'"))
    responsible_org: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class SurveyResult(Base):
    """Trygghetsmätning: problem index 0–6 per area, year and question."""

    __tablename__ = "survey_result"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        _tenant_fk(["area_id"], "area", ["id"], ondelete="CASCADE"),
        UniqueConstraint("municipality_code", "area_id", "year", "question"),
        CheckConstraint("index_value BETWEEN 0 AND 6", name="index_range"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(SmallInteger)
    question: Mapped[str] = mapped_column(Text)
    index_value: Mapped[float] = mapped_column(Float)
    respondents: Mapped[int | None] = mapped_column(Integer)


class ApiToken(Base):
    """A bearer token, stored as a SHA-256 hash, scoped to one tenant and one role."""

    __tablename__ = "api_token"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        UniqueConstraint("municipality_code", "token_hash"),
        CheckConstraint(sql_in("role", ROLES), name="role"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(12))
    organisation: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    revoked_at: Mapped[datetime | None] = mapped_column(TZ)
    expires_at: Mapped[datetime] = mapped_column(
        TZ, server_default=text("now() + interval '365 days'")
    )


class Walk(Base):
    """A safety walk (trivselvandring): name, date, organisations and an optional route.

    Its findings are events of kind `walk_finding` with `attributes->>'walk_id'` = its id.
    """

    __tablename__ = "walk"
    __table_args__ = (_tenant_fk([], "municipality", [], ondelete="CASCADE"),)
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    walk_date: Mapped[date] = mapped_column(Date)
    organisations: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    route = mapped_column(Geometry("LINESTRING", srid=3006, spatial_index=False), nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class AuditLog(Base):
    """Who read raw events (or changed data), when and what."""

    __tablename__ = "audit_log"
    __table_args__ = (
        _tenant_fk([], "municipality", [], ondelete="CASCADE"),
        Index("ix_audit_log_at", "municipality_code", "at"),
    )
    municipality_code: Mapped[str] = _mc()
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = _created()
    token_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(12))
    organisation: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(server_default=text("'{}'::jsonb"))


class PrivacyK(Base):
    """The configured k of small-count suppression, one row written by `geo-service db upgrade`;
    the SQL function geo_service_k() reads it (geo_service.privacy)."""

    __tablename__ = "privacy_k"
    __table_args__ = (CheckConstraint("id = 1"), CheckConstraint("k >= 1"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    k: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = _created()
