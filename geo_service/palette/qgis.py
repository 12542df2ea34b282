"""QGIS default styles for the published views, generated from the palette.

Stored in `public.layer_styles` (QGIS's own table) by the migrations, so a GIS user who adds a
view to a map gets the same colours and words as the dashboard and the lägesbild.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from sqlalchemy import TextClause, text

from geo_service.analysis.calibration import UNCERTAIN
from geo_service.analysis.categories import CATEGORIES
from geo_service.palette import (
    CATEGORY_COLOURS,
    CERTAIN_OPACITY,
    CLUSTER_COLOURS,
    UNCERTAIN_OPACITY,
    category_label,
    rgba,
)

QGIS_VERSION = "3.28.0"


def _fill(
    colour: str,
    style: str = "solid",
    outline: str = "80,80,80,255",
    dash: bool = False,
    width: float = 0.2,
) -> str:
    """One SimpleFill symbol layer."""
    return (
        '<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">'
        f'<Option name="color" type="QString" value="{colour}"/>'
        f'<Option name="style" type="QString" value="{style}"/>'
        f'<Option name="outline_color" type="QString" value="{outline}"/>'
        f'<Option name="outline_style" type="QString" value="{"dash" if dash else "solid"}"/>'
        f'<Option name="outline_width" type="QString" value="{width}"/>'
        '<Option name="outline_width_unit" type="QString" value="MM"/>'
        "</Option></layer>"
    )


def _symbol(index: int, layers: str) -> str:
    return (
        f'<symbol type="fill" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f"{layers}</symbol>"
    )


def _categorised(attribute: str, classes: list[tuple[str, str, str]]) -> str:
    """A categorised renderer over `attribute`: (value, label, symbol layers) per class."""
    categories = "".join(
        f'<category value={quoteattr(value)} symbol="{i}" label={quoteattr(label)} '
        'render="true" type="string"/>'
        for i, (value, label, _) in enumerate(classes)
    )
    symbols = "".join(_symbol(i, layers) for i, (_, _, layers) in enumerate(classes))
    return (
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology">'
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" '
        'enableorderby="0" forceraster="0" referencescale="-1">'
        f"<categories>{categories}</categories><symbols>{symbols}</symbols>"
        "</renderer-v2><layerGeometryType>2</layerGeometryType></qgis>"
    )


def hotspot_cells_qml(lang: str = "sv") -> str:
    """v_hotspot_cells by `legend_key`: each category, and hatched uncertain variants."""
    classes = []
    for name in CATEGORIES:
        if name == "no_pattern":
            continue
        colour = CATEGORY_COLOURS[name]
        classes.append((name, category_label(name, lang), _fill(rgba(colour, CERTAIN_OPACITY))))
        if name in UNCERTAIN:
            hatched = _fill(rgba(colour, UNCERTAIN_OPACITY), dash=True) + _fill(
                rgba(colour, 1.0), style="b_diagonal", outline="0,0,0,0"
            )
            classes.append(
                (f"{name}_uncertain", category_label(name, lang, uncertain=True), hatched)
            )
    return _categorised("legend_key", classes)


def clusters_qml(lang: str = "sv") -> str:
    """v_clusters by `legend_key`: scan clusters with an alarm, other scan clusters, points."""
    words = {
        "sv": ("Ovanlig ansamling (larm)", "Ansamling utan larm", "Punktkluster"),
        "en": ("Unusual cluster (alarm)", "Cluster without alarm", "Point cluster"),
    }[lang]
    classes = []
    for key, label in zip(("scan_alarm", "scan", "points"), words, strict=True):
        colour = CLUSTER_COLOURS[key]
        outline = _fill(rgba(colour, 0.15), outline=rgba(colour, 1.0), width=0.8)
        classes.append((key, label, outline))
    return _categorised("legend_key", classes)


def default_style_statements(view: str, qml: str) -> list[TextClause]:
    """SQL that makes `qml` the default style of `view` in QGIS's own `layer_styles` table."""
    params = {"view": view, "qml": qml}
    return [
        text(
            "DELETE FROM public.layer_styles WHERE f_table_schema = 'public' "
            "AND f_table_name = :view AND stylename = 'geo_service'"
        ).bindparams(view=view),
        text(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, stylename, styleqml, useasdefault, description, type) VALUES "
            "(current_database(), 'public', :view, 'geom', 'geo_service', "
            "XMLPARSE(DOCUMENT CAST(:qml AS text)), true, 'geo_service default style', 'Polygon')"
        ).bindparams(**params),
    ]
