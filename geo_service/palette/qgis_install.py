"""Writing the QGIS styles and project into the database, and the GIS role of a municipality."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo_service.db.tenants import require_municipality
from geo_service.errors import Invalid
from geo_service.palette.qgis import all_default_style_statements
from geo_service.palette.qgis_project import SRID, Connection, ProjectSpec, project_xml, qgz

GIS_READ = "geo_service_gis_read"
ROLE_PREFIX = "geo_service_gis_"
PROJECT_PREFIX = "geo_service"
SWEDEN = (266000.0, 6130000.0, 921000.0, 7680000.0)

CRS_SQL = text("SELECT srtext, proj4text FROM spatial_ref_sys WHERE srid = :srid")
# The boundaries' extent (one municipality's, or all), else the places', else Sweden's
EXTENT_SQL = text(
    "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT coalesce("
    "(SELECT ST_Extent(boundary) FROM municipality WHERE boundary IS NOT NULL "
    "AND (CAST(:mc AS text) IS NULL OR municipality_code = :mc)), "
    "(SELECT ST_Extent(coalesce(geom, point)) FROM place "
    "WHERE CAST(:mc AS text) IS NULL OR municipality_code = :mc))::geometry AS e) x"
)
UPSERT_PROJECT = text(
    "INSERT INTO public.qgis_projects (name, metadata, content) "
    "VALUES (:name, CAST(:metadata AS jsonb), :content) "
    "ON CONFLICT (name) DO UPDATE SET metadata = EXCLUDED.metadata, content = EXCLUDED.content"
)
MUNICIPALITY_NAME = text("SELECT name FROM municipality WHERE municipality_code = :mc")


def project_name(municipality: str | None) -> str:
    """'geo_service' for every municipality, 'geo_service_1275' for one."""
    return f"{PROJECT_PREFIX}_{municipality}" if municipality else PROJECT_PREFIX


def project_spec(session: Session, municipality: str | None, lang: str = "sv") -> ProjectSpec:
    """The project's name, title, CRS and extent, read from the database."""
    wkt, proj4 = session.execute(CRS_SQL, {"srid": SRID}).one()
    extent = session.execute(EXTENT_SQL, {"mc": municipality}).one()
    title = "geo_service"
    if municipality:
        require_municipality(session, municipality)
        name = session.execute(MUNICIPALITY_NAME, {"mc": municipality}).scalar_one()
        title = f"geo_service – {name} ({municipality})"
    return ProjectSpec(
        name=project_name(municipality),
        title=title,
        crs_wkt=wkt,
        crs_proj4=proj4,
        extent=SWEDEN if extent[0] is None else tuple(float(v) for v in extent),
        municipality=municipality,
        lang=lang,
    )


def install_styles(session: Session, lang: str = "sv") -> None:
    """Make the palette's styles the default of every published view in `layer_styles`."""
    for statement in all_default_style_statements(lang):
        session.execute(statement)


def install_project(
    session: Session, connection: Connection, municipality: str | None = None, lang: str = "sv"
) -> str:
    """Write the styles and the project into the database; returns the project's name."""
    install_styles(session, lang)
    spec = project_spec(session, municipality, lang)
    metadata = {
        "last_modified_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "last_modified_user": "geo_service",
    }
    content = qgz(spec.name, project_xml(spec, connection))
    session.execute(
        UPSERT_PROJECT,
        {"name": spec.name, "metadata": json.dumps(metadata), "content": content},
    )
    return spec.name


def gis_role_name(municipality: str) -> str:
    if not re.fullmatch(r"\d{4}", municipality):
        raise Invalid("invalid_municipality", f"{municipality!r} is not a four-digit kommunkod.")
    return f"{ROLE_PREFIX}{municipality}"


def create_gis_role(session: Session, municipality: str) -> str:
    """Create (once) the NOLOGIN role that reads the published views for one municipality only.

    A user granted this role sees that municipality's rows and no other's in every view.
    """
    role = gis_role_name(municipality)
    require_municipality(session, municipality)
    exists = session.execute(text("SELECT FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        session.execute(text(f"CREATE ROLE {role} NOLOGIN"))
    session.execute(text(f"GRANT {GIS_READ} TO {role}"))
    return role
