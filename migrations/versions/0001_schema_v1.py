"""schema v1

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:06:46.535896
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


H3_PARENT = """
CREATE OR REPLACE FUNCTION h3_parent(cell bigint, res integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  -- H3 index bits: resolution in bits 52-55, then 15 three-bit digits; unused digits are 7.
  SELECT ((cell & ~(15::bigint << 52)) | (res::bigint << 52)) | ((1::bigint << ((15 - res) * 3)) - 1)
$$;
COMMENT ON FUNCTION h3_parent(bigint, integer) IS 'Parent H3 cell at a coarser resolution.';
"""

SNAPSHOT_IMMUTABLE = """
CREATE OR REPLACE FUNCTION meeting_snapshot_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'meeting snapshots are immutable' USING ERRCODE = 'check_violation';
END $$;
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(H3_PARENT)
    op.create_geospatial_table(
        "h3_cell",
        sa.Column("cell", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("resolution", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "geom_4326",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint("resolution BETWEEN 0 AND 15", name="resolution"),
        sa.PrimaryKeyConstraint("cell"),
    )
    op.create_geospatial_index(
        "ix_h3_cell_geom",
        "h3_cell",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "ix_h3_cell_geom_4326",
        "h3_cell",
        ["geom_4326"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "municipality",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "boundary",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("boundary_note", sa.Text(), nullable=True),
        sa.Column(
            "h3_resolutions",
            postgresql.ARRAY(sa.SmallInteger()),
            server_default=sa.text("'{8,9,10}'"),
            nullable=False,
        ),
        sa.Column(
            "analysis_resolution", sa.SmallInteger(), server_default=sa.text("9"), nullable=False
        ),
        sa.Column(
            "period_anchor", sa.Date(), server_default=sa.text("'2024-01-01'"), nullable=False
        ),
        sa.Column(
            "period_length_days", sa.SmallInteger(), server_default=sa.text("14"), nullable=False
        ),
        sa.Column(
            "settings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("municipality_code ~ '^[0-9]{4}$'", name="code_format"),
        sa.CheckConstraint("analysis_resolution BETWEEN 0 AND 15", name="analysis_resolution"),
        sa.CheckConstraint("period_length_days BETWEEN 1 AND 366", name="period_length"),
        sa.PrimaryKeyConstraint("municipality_code"),
    )
    op.create_geospatial_index(
        "idx_municipality_boundary",
        "municipality",
        ["boundary"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "address",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("street_norm", sa.Text(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("letter", sa.String(length=4), nullable=True),
        sa.Column("postcode", sa.String(length=6), nullable=True),
        sa.Column("town", sa.Text(), nullable=True),
        sa.Column("district", sa.Text(), nullable=True),
        sa.Column("popular_name", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_geospatial_index(
        "ix_address_geom",
        "address",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_address_norm",
        "address",
        ["municipality_code", "street_norm", "number", "letter"],
        unique=False,
    )
    op.create_index(
        "ix_address_street_trgm",
        "address",
        ["street_norm"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"street_norm": "gin_trgm_ops"},
    )
    op.create_table(
        "analysis_run",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'running'"), nullable=False
        ),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("resolution", sa.SmallInteger(), nullable=False),
        sa.Column("period_start", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("period_end", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("n_periods", sa.Integer(), nullable=False),
        sa.Column(
            "watermark",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "sparsity",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "warnings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "timings",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "started_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
        sa.CheckConstraint("period_end > period_start", name="period_order"),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_index(
        "ix_analysis_run_latest",
        "analysis_run",
        ["municipality_code", "status", "finished_at"],
        unique=False,
    )
    op.create_table(
        "api_token",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'analyst', 'coordinator', 'reporter', 'viewer')", name="role"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "token_hash"),
    )
    op.create_geospatial_table(
        "area",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column(
            "kind", sa.String(length=30), server_default=sa.text("'district'"), nullable=False
        ),
        sa.Column(
            "aliases", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "name"),
    )
    op.create_geospatial_index(
        "ix_area_geom", "area", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_table(
        "audit_log",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=12), nullable=True),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column(
            "detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["municipality_code", "at"], unique=False)
    op.create_table(
        "source",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column(
            "mapping",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('police', 'rapportor', 'public', 'field_app', 'municipality', 'other')",
            name="kind",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "code"),
    )
    op.create_table(
        "taxonomy",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_sv", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("harm_weight", sa.Float(), server_default=sa.text("1"), nullable=False),
        sa.Column("kinds", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "aliases", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.CheckConstraint("harm_weight >= 0", name="harm_weight"),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "code"),
    )
    op.create_table(
        "analysis_bin",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("period_start", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("z", sa.Float(), nullable=False),
        sa.Column("p", sa.Float(), nullable=False),
        sa.Column("hot", sa.Boolean(), nullable=False),
        sa.Column("cold", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code", "run_id"],
            ["analysis_run.municipality_code", "analysis_run.id"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_code", "run_id", "cell", "period_start"),
    )
    op.create_table(
        "analysis_cell",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("cell", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("hot_share", sa.Float(), nullable=False),
        sa.Column("cold_share", sa.Float(), nullable=False),
        sa.Column("final_z", sa.Float(), nullable=False),
        sa.Column("final_p", sa.Float(), nullable=False),
        sa.Column("trend_tau", sa.Float(), nullable=False),
        sa.Column("trend_p", sa.Float(), nullable=False),
        sa.Column("count_trend_tau", sa.Float(), nullable=False),
        sa.Column("count_trend_p", sa.Float(), nullable=False),
        sa.Column("run_length", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code", "run_id"],
            ["analysis_run.municipality_code", "analysis_run.id"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_code", "run_id", "cell"),
    )
    op.create_index(
        "ix_analysis_cell_category",
        "analysis_cell",
        ["municipality_code", "run_id", "category"],
        unique=False,
    )
    op.create_geospatial_table(
        "analysis_cluster",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("first_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("last_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column(
            "stats",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POLYGON",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code", "run_id"],
            ["analysis_run.municipality_code", "analysis_run.id"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_code", "run_id", "id"),
    )
    op.create_geospatial_index(
        "ix_analysis_cluster_geom",
        "analysis_cluster",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "ingest_batch",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "started_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("rows_read", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("stored", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("quarantined", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "report",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code", "source"],
            ["source.municipality_code", "source.code"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_table(
        "meeting_snapshot",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("priorities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code", "run_id"],
            ["analysis_run.municipality_code", "analysis_run.id"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "meeting_date"),
    )
    op.create_geospatial_table(
        "place",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default=sa.text("'other'"), nullable=False),
        sa.Column(
            "aliases", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "point",
            Geometry(
                geometry_type="POINT",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('centrum', 'station', 'park', 'school', 'residential', 'industrial', 'square', 'sports', 'village', 'other')",
            name="kind",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code", "area_id"],
            ["area.municipality_code", "area.id"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "name"),
    )
    op.create_geospatial_index(
        "ix_place_geom", "place", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_table(
        "survey_result",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("index_value", sa.Float(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.CheckConstraint("index_value BETWEEN 0 AND 6", name="index_range"),
        sa.CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
        sa.ForeignKeyConstraint(
            ["municipality_code", "area_id"],
            ["area.municipality_code", "area.id"],
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "area_id", "year", "question"),
    )
    op.create_geospatial_table(
        "event",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", postgresql.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("reported_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("severity", sa.SmallInteger(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=3006,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("h3_r8", sa.BigInteger(), nullable=True),
        sa.Column("h3_r9", sa.BigInteger(), nullable=True),
        sa.Column("h3_r10", sa.BigInteger(), nullable=True),
        sa.Column("geocode_method", sa.String(length=30), nullable=False),
        sa.Column("geocode_score", sa.Float(), server_default=sa.text("1"), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("batch_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "geocode_method IN ('coordinates', 'coordinates_swapped', 'address_exact', 'address_fuzzy', 'place', 'place_polygon', 'municipality_centroid')",
            name="geocode_method",
        ),
        sa.CheckConstraint(
            "kind IN ('incident', 'observation', 'tip', 'fault_report', 'walk_finding')",
            name="kind",
        ),
        sa.CheckConstraint("geocode_score BETWEEN 0 AND 1", name="geocode_score"),
        sa.CheckConstraint("severity BETWEEN 1 AND 3", name="severity"),
        sa.ForeignKeyConstraint(
            ["municipality_code", "batch_id"],
            ["ingest_batch.municipality_code", "ingest_batch.id"],
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code", "category"],
            ["taxonomy.municipality_code", "taxonomy.code"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code", "place_id"],
            ["place.municipality_code", "place.id"],
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code", "source"],
            ["source.municipality_code", "source.code"],
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
        sa.UniqueConstraint("municipality_code", "source", "source_id", name="uq_event_identity"),
    )
    op.create_geospatial_index(
        "ix_event_geom", "event", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )
    op.create_index("ix_event_place", "event", ["municipality_code", "place_id"], unique=False)
    op.create_index("ix_event_r10", "event", ["municipality_code", "h3_r10"], unique=False)
    op.create_index("ix_event_r8", "event", ["municipality_code", "h3_r8"], unique=False)
    op.create_index("ix_event_r9", "event", ["municipality_code", "h3_r9"], unique=False)
    op.create_index("ix_event_time", "event", ["municipality_code", "occurred_at"], unique=False)
    op.create_table(
        "measure",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'planned'"), nullable=False
        ),
        sa.Column("responsible_org", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('planned', 'ongoing', 'done', 'cancelled')", name="status"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_order"),
        sa.ForeignKeyConstraint(
            ["municipality_code", "place_id"],
            ["place.municipality_code", "place.id"],
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.municipality_code"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_index("ix_measure_place", "measure", ["municipality_code", "place_id"], unique=False)
    op.create_table(
        "quarantine",
        sa.Column("municipality_code", sa.String(length=4), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=True),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            postgresql.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolved_at", postgresql.TIMESTAMP(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_code", "batch_id"],
            ["ingest_batch.municipality_code", "ingest_batch.id"],
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_code", "id"),
    )
    op.create_index(
        "ix_quarantine_batch", "quarantine", ["municipality_code", "batch_id"], unique=False
    )
    op.create_index(
        "ix_quarantine_reason", "quarantine", ["municipality_code", "reason_code"], unique=False
    )
    op.execute(SNAPSHOT_IMMUTABLE)
    op.execute(
        "CREATE TRIGGER meeting_snapshot_immutable BEFORE UPDATE ON meeting_snapshot "
        "FOR EACH ROW EXECUTE FUNCTION meeting_snapshot_immutable()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS meeting_snapshot_immutable ON meeting_snapshot")
    op.execute("DROP FUNCTION IF EXISTS meeting_snapshot_immutable()")
    op.drop_index("ix_quarantine_reason", table_name="quarantine")
    op.drop_index("ix_quarantine_batch", table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_index("ix_measure_place", table_name="measure")
    op.drop_table("measure")
    op.drop_index("ix_event_time", table_name="event")
    op.drop_index("ix_event_r9", table_name="event")
    op.drop_index("ix_event_r8", table_name="event")
    op.drop_index("ix_event_r10", table_name="event")
    op.drop_index("ix_event_place", table_name="event")
    op.drop_geospatial_index(
        "ix_event_geom", table_name="event", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("event")
    op.drop_table("survey_result")
    op.drop_geospatial_index(
        "ix_place_geom", table_name="place", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("place")
    op.drop_table("meeting_snapshot")
    op.drop_table("ingest_batch")
    op.drop_geospatial_index(
        "ix_analysis_cluster_geom",
        table_name="analysis_cluster",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("analysis_cluster")
    op.drop_index("ix_analysis_cell_category", table_name="analysis_cell")
    op.drop_table("analysis_cell")
    op.drop_table("analysis_bin")
    op.drop_table("taxonomy")
    op.drop_table("source")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_geospatial_index(
        "ix_area_geom", table_name="area", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("area")
    op.drop_table("api_token")
    op.drop_index("ix_analysis_run_latest", table_name="analysis_run")
    op.drop_table("analysis_run")
    op.drop_index(
        "ix_address_street_trgm",
        table_name="address",
        postgresql_using="gin",
        postgresql_ops={"street_norm": "gin_trgm_ops"},
    )
    op.drop_index("ix_address_norm", table_name="address")
    op.drop_geospatial_index(
        "ix_address_geom", table_name="address", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("address")
    op.drop_geospatial_index(
        "idx_municipality_boundary",
        table_name="municipality",
        postgresql_using="gist",
        column_name="boundary",
    )
    op.drop_geospatial_table("municipality")
    op.drop_geospatial_index(
        "ix_h3_cell_geom_4326",
        table_name="h3_cell",
        postgresql_using="gist",
        column_name="geom_4326",
    )
    op.drop_geospatial_index(
        "ix_h3_cell_geom", table_name="h3_cell", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("h3_cell")
    op.execute("DROP FUNCTION IF EXISTS h3_parent(bigint, integer)")
