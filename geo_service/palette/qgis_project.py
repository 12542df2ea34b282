"""The QGIS project (.qgs XML, zipped as .qgz) with every published view styled and labelled.

Built in Python from the palette's styles; no QGIS is needed to make it. The layers connect with
the host, port and database given (or a pg_service name) and no user name or password, so that
each GIS user logs in as themselves and sees what their role allows.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from geo_service.palette.qgis import PUBLISHED_LAYERS, QGIS_VERSION, PublishedLayer

SRID = 3006
# QGIS's own id of EPSG:3006 in its CRS database; with it QGIS builds the CRS from the authid
QGIS_SRSID = 971


@dataclass(frozen=True)
class Connection:
    """Where QGIS finds the database: a pg_service name, or host, port and database name."""

    dbname: str
    host: str | None = None
    port: int | None = None
    service: str | None = None
    sslmode: str = "prefer"

    def conninfo(self) -> str:
        if self.service:
            return f"service='{self.service}' sslmode={self.sslmode}"
        parts = [f"dbname='{self.dbname}'"]
        if self.host:
            parts.append(f"host={self.host}")
        if self.port:
            parts.append(f"port={self.port}")
        return " ".join([*parts, f"sslmode={self.sslmode}"])


@dataclass(frozen=True)
class ProjectSpec:
    """What the project shows: its title, the CRS text and the initial extent (EPSG:3006)."""

    name: str
    title: str
    crs_wkt: str
    crs_proj4: str
    extent: tuple[float, float, float, float]
    municipality: str | None = None
    lang: str = "sv"


def _crs(spec: ProjectSpec) -> str:
    return (
        f"<spatialrefsys><wkt>{escape(spec.crs_wkt)}</wkt>"
        f"<proj4>{escape(spec.crs_proj4)}</proj4><srsid>{QGIS_SRSID}</srsid><srid>{SRID}</srid>"
        f"<authid>EPSG:{SRID}</authid><description>SWEREF99 TM</description>"
        "<projectionacronym>utm</projectionacronym><ellipsoidacronym>EPSG:7019</ellipsoidacronym>"
        "<geographicflag>false</geographicflag></spatialrefsys>"
    )


def _extent(spec: ProjectSpec) -> str:
    xmin, ymin, xmax, ymax = spec.extent
    return (
        f"<extent><xmin>{xmin}</xmin><ymin>{ymin}</ymin>"
        f"<xmax>{xmax}</xmax><ymax>{ymax}</ymax></extent>"
    )


def _view_settings(spec: ProjectSpec) -> str:
    """The extent the project opens on (QGIS 3.18 and later read it from here)."""
    xmin, ymin, xmax, ymax = spec.extent
    return (
        '<ProjectViewSettings UseProjectScales="0"><Scales/>'
        f'<DefaultViewExtent xmin="{xmin}" ymin="{ymin}" xmax="{xmax}" ymax="{ymax}">'
        f"{_crs(spec)}</DefaultViewExtent></ProjectViewSettings>"
    )


def layer_id(layer: PublishedLayer) -> str:
    return f"{layer.view}_geo_service"


def datasource(layer: PublishedLayer, connection: Connection, municipality: str | None) -> str:
    """The postgres provider's URI: integer key `fid`, typmod geometry, optional filter."""
    uri = (
        f"{connection.conninfo()} key='fid' srid={SRID} type={layer.geometry} "
        f'checkPrimaryKeyUnicity=\'0\' table="public"."{layer.view}" (geom)'
    )
    if municipality:
        uri += f" sql=\"municipality_code\" = '{municipality}'"
    return uri


def _maplayer(layer: PublishedLayer, spec: ProjectSpec, connection: Connection) -> str:
    source = datasource(layer, connection, spec.municipality)
    return (
        f'<maplayer type="vector" geometry="Polygon" wkbType="{layer.geometry}" '
        'labelsEnabled="1" readOnly="1" autoRefreshEnabled="0" hasScaleBasedVisibilityFlag="0" '
        'simplifyDrawingHints="0" refreshOnNotifyEnabled="0" styleCategories="AllStyleCategories">'
        f"<id>{layer_id(layer)}</id><datasource>{escape(source)}</datasource>"
        f"<layername>{escape(layer.title[spec.lang])}</layername>"
        f"<srs>{_crs(spec)}</srs>"
        '<provider encoding="UTF-8">postgres</provider>'
        f"{layer.renderer(spec.lang)}{layer.labeling()}"
        "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        "<layerOpacity>1</layerOpacity></maplayer>"
    )


def _tree_layer(layer: PublishedLayer, spec: ProjectSpec, connection: Connection) -> str:
    return (
        f"<layer-tree-layer id={quoteattr(layer_id(layer))} "
        f'name={quoteattr(layer.title[spec.lang])} providerKey="postgres" '
        f"source={quoteattr(datasource(layer, connection, spec.municipality))} "
        'checked="Qt::Checked" expanded="1"><customproperties/></layer-tree-layer>'
    )


def project_xml(spec: ProjectSpec, connection: Connection) -> str:
    """The .qgs document: the published layers, top layer first in the legend."""
    top_first = tuple(reversed(PUBLISHED_LAYERS))
    tree = "".join(_tree_layer(layer, spec, connection) for layer in top_first)
    layers = "".join(_maplayer(layer, spec, connection) for layer in PUBLISHED_LAYERS)
    order = "".join(f'<layer id="{layer_id(layer)}"/>' for layer in top_first)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis projectname={quoteattr(spec.title)} version="{QGIS_VERSION}">'
        f'<homePath path=""/><title>{escape(spec.title)}</title>'
        f"<projectCrs>{_crs(spec)}</projectCrs>"
        f'<layer-tree-group><customproperties/>{tree}<custom-order enabled="0"/>'
        "</layer-tree-group>"
        '<mapcanvas name="theMapCanvas" annotationsVisible="1"><units>meters</units>'
        f"{_extent(spec)}<rotation>0</rotation>"
        f"<destinationsrs>{_crs(spec)}</destinationsrs><rendermaptile>0</rendermaptile>"
        "</mapcanvas>"
        f"{_view_settings(spec)}"
        f"<projectlayers>{layers}</projectlayers><layerorder>{order}</layerorder>"
        "<properties><SpatialRefSys>"
        '<ProjectionsEnabled type="int">1</ProjectionsEnabled></SpatialRefSys>'
        '<Measurement><DistanceUnits type="QString">meters</DistanceUnits>'
        '<AreaUnits type="QString">m2</AreaUnits></Measurement></properties>'
        "</qgis>\n"
    )


def qgz(name: str, xml: str) -> bytes:
    """The project zipped as QGIS stores it (.qgz with one .qgs inside)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.qgs", xml.encode("utf-8"))
    return buffer.getvalue()
