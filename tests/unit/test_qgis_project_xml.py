"""The QGIS project and styles as XML, built without QGIS or a database."""

import io
import xml.etree.ElementTree as ET
import zipfile

from geo_service.palette import CATEGORY_COLOURS, LEVEL_COLOURS, rgba
from geo_service.palette.qgis import PUBLISHED_LAYERS
from geo_service.palette.qgis_project import Connection, ProjectSpec, project_xml, qgz

SPEC = ProjectSpec(
    name="geo_service_1275",
    title="geo_service – Perstorp (1275)",
    crs_wkt='PROJCS["SWEREF99 TM"]',
    crs_proj4="+proj=utm +zone=33 +ellps=GRS80 +units=m +no_defs",
    extent=(390000.0, 6217000.0, 407000.0, 6231000.0),
    municipality="1275",
)


def _project() -> ET.Element:
    xml = project_xml(SPEC, Connection(dbname="geo_service", host="gis.example.se", port=5432))
    return ET.fromstring(xml.split("\n", 1)[1])


def _view(layer: ET.Element) -> str:
    """The view a layer reads, from its datasource."""
    return (layer.findtext("datasource") or "").split('"public"."')[1].split('"')[0]


def test_every_published_view_is_a_layer_with_an_integer_key_and_no_credentials() -> None:
    layers = _project().findall("projectlayers/maplayer")
    sources = [layer.findtext("datasource") or "" for layer in layers]
    assert [layer.view for layer in PUBLISHED_LAYERS] == [_view(layer) for layer in layers]
    for source in sources:
        assert "key='fid'" in source and "srid=3006" in source
        assert "host=gis.example.se port=5432" in source
        assert "user=" not in source and "password=" not in source
        assert "sql=\"municipality_code\" = '1275'" in source


def test_the_styles_use_the_palettes_colours_and_label_every_layer() -> None:
    layers = {_view(layer): layer for layer in _project().findall("projectlayers/maplayer")}
    for layer in layers.values():
        assert layer.find("renderer-v2").get("type") == "categorizedSymbol"  # type: ignore[union-attr]
        assert layer.find("labeling/settings/text-style") is not None
    places = layers["v_places"].find("renderer-v2")
    labels = {c.get("value"): c.get("label") for c in places.iter("category")}  # type: ignore[union-attr]
    assert labels["red"] == "röd" and labels["unranked"] == "ingen rangordning än"
    cells = ET.tostring(layers["v_hotspot_cells"]).decode()
    assert rgba(CATEGORY_COLOURS["new_hot"], 0.75) in cells
    assert all(rgba(c, 1.0) in ET.tostring(places).decode() for c in LEVEL_COLOURS.values())  # type: ignore[arg-type]


def test_the_qgz_holds_one_qgs_named_after_the_project() -> None:
    archive = zipfile.ZipFile(io.BytesIO(qgz("geo_service_1275", "<qgis/>")))
    assert archive.namelist() == ["geo_service_1275.qgs"]
