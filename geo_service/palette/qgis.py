"""QGIS default styles for the published views, generated from the palette.

Stored in `public.layer_styles` (QGIS's own table) by the migrations and by `geo-service qgis
install`, and written into the QGIS project kept in the database, so a GIS user who adds a view
to a map, or opens the project, gets the same colours and words as the dashboard and the
lägesbild. Each style is a categorised renderer over the view's `legend_key` and a label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from sqlalchemy import TextClause, text

from geo_service.analysis.calibration import UNCERTAIN
from geo_service.analysis.categories import CATEGORIES
from geo_service.palette import (
    CATEGORY_COLOURS,
    CERTAIN_OPACITY,
    CLUSTER_COLOURS,
    CLUSTER_LABELS,
    LEVEL_COLOURS,
    LEVEL_LABELS,
    UNCERTAIN_OPACITY,
    category_label,
    rgba,
)

QGIS_VERSION = "3.22.0"
UNRANKED_COLOUR = "#9e9e9e"
BOUNDARY_COLOUR = "#444444"


@dataclass(frozen=True)
class StyleClass:
    """One category of a categorised renderer: the key's value, its label and its fill."""

    value: str
    label: str
    layers: str


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


def categorised_renderer(attribute: str, classes: list[StyleClass]) -> str:
    """A categorised renderer (`renderer-v2`) over `attribute`, one symbol per class."""
    categories = "".join(
        f'<category value={quoteattr(c.value)} symbol="{i}" label={quoteattr(c.label)} '
        'render="true" type="string"/>'
        for i, c in enumerate(classes)
    )
    symbols = "".join(_symbol(i, c.layers) for i, c in enumerate(classes))
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(attribute)} symbollevels="0" '
        'enableorderby="0" forceraster="0" referencescale="-1">'
        f"<categories>{categories}</categories><symbols>{symbols}</symbols></renderer-v2>"
    )


@dataclass(frozen=True)
class Label:
    """A layer's labels: a QGIS expression, its size, and how it competes for room."""

    expression: str
    size: float = 8.0
    bold: bool = False
    priority: int = 5
    always: bool = False  # drawn even where it overlaps other labels


def simple_labeling(label: Label) -> str:
    """Labels from a QGIS expression, dark text with a white halo, over the polygon's centre."""
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(label.expression)} isExpression="1" '
        f'fontFamily="DejaVu Sans" fontSize="{label.size}" fontSizeUnit="Point" '
        f'fontWeight="{75 if label.bold else 50}" fontItalic="0" textColor="20,20,20,255" '
        'textOpacity="1" multilineAlign="1" allowHtml="0">'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="0.9" bufferJoinStyle="128" '
        'bufferNoFill="1"/></text-style>'
        '<text-format wrapChar="" multilineAlign="1" autoWrapLength="0"/>'
        '<placement placement="1" offsetType="0" quadOffset="4" dist="0" '
        f'priority="{label.priority}" centroidWhole="1" centroidInside="1" '
        'fitInPolygonOnly="0"/>'
        f'<rendering obstacle="0" displayAll="{int(label.always)}" labelPerPart="0" '
        'mergeLines="0" '
        'scaleVisibility="0" limitNumLabels="0" upsidedownLabels="0" drawLabels="1"/>'
        "</settings></labeling>"
    )


def _qml(renderer: str, labeling: str) -> str:
    """A QGIS style document with symbology and labels."""
    return (
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Labeling" '
        f'labelsEnabled="1">{renderer}{labeling}<layerGeometryType>2</layerGeometryType></qgis>'
    )


def hotspot_cells_renderer(lang: str = "sv") -> str:
    """v_hotspot_cells by `legend_key`: each category, and hatched uncertain variants."""
    classes = []
    for name in CATEGORIES:
        if name == "no_pattern":
            continue
        colour = CATEGORY_COLOURS[name]
        classes.append(
            StyleClass(name, category_label(name, lang), _fill(rgba(colour, CERTAIN_OPACITY)))
        )
        if name in UNCERTAIN:
            hatched = _fill(rgba(colour, UNCERTAIN_OPACITY), dash=True) + _fill(
                rgba(colour, 1.0), style="b_diagonal", outline="0,0,0,0"
            )
            label = category_label(name, lang, uncertain=True)
            classes.append(StyleClass(f"{name}_uncertain", label, hatched))
    return categorised_renderer("legend_key", classes)


def clusters_renderer(lang: str = "sv") -> str:
    """v_clusters by `legend_key`: scan clusters with an alarm, other scan clusters, points."""
    classes = []
    for key in ("scan_alarm", "scan", "points"):
        colour, label = CLUSTER_COLOURS[key], CLUSTER_LABELS[key][lang]
        outline = _fill(rgba(colour, 0.15), outline=rgba(colour, 1.0), width=0.8)
        classes.append(StyleClass(key, label[:1].upper() + label[1:], outline))
    return categorised_renderer("legend_key", classes)


LEVEL_ORDER = {"red": 0, "yellow": 1, "green": 2}
UNRANKED_WORD = {"sv": "ingen rangordning än", "en": "not ranked yet"}


def places_renderer(lang: str = "sv") -> str:
    """v_places by `legend_key` (the meeting's level): red, yellow, green, and not ranked."""
    classes = [
        StyleClass(
            level,
            LEVEL_LABELS[level][lang],
            _fill(rgba(colour, 0.55), outline=rgba(colour, 1.0), width=0.6),
        )
        for level, colour in sorted(LEVEL_COLOURS.items(), key=lambda kv: LEVEL_ORDER[kv[0]])
    ]
    unranked = _fill(rgba(UNRANKED_COLOUR, 0.3), outline=rgba(UNRANKED_COLOUR, 1.0), width=0.4)
    classes.append(StyleClass("unranked", UNRANKED_WORD[lang], unranked))
    return categorised_renderer("legend_key", classes)


BOUNDARY_WORD = {"sv": "Kommungräns", "en": "Municipal boundary"}


def boundary_renderer(lang: str = "sv") -> str:
    """v_boundary: the municipality's outline, unfilled."""
    outline = _fill("0,0,0,0", style="no", outline=rgba(BOUNDARY_COLOUR, 1.0), width=0.7)
    return categorised_renderer(
        "legend_key", [StyleClass("boundary", BOUNDARY_WORD[lang], outline)]
    )


@dataclass(frozen=True)
class PublishedLayer:
    """A view published to QGIS: its geometry type, title, style and label."""

    view: str
    geometry: str
    title: dict[str, str]
    renderer: Callable[[str], str]
    label: Label

    def labeling(self) -> str:
        return simple_labeling(self.label)

    def qml(self, lang: str = "sv") -> str:
        return _qml(self.renderer(lang), self.labeling())


HOT_TOTAL = """CASE WHEN "category" LIKE '%hot' AND "total" > 0 THEN "total" END"""
# Bottom to top, as they are drawn.
PUBLISHED_LAYERS: tuple[PublishedLayer, ...] = (
    PublishedLayer(
        "v_boundary", "MultiPolygon", {"sv": "Kommungräns", "en": "Municipal boundary"},
        boundary_renderer, Label('"name"', 10.0, bold=True, priority=2),
    ),
    PublishedLayer(
        "v_hotspot_cells", "Polygon", {"sv": "Hotspots (H3-celler)", "en": "Hot spots (H3 cells)"},
        hotspot_cells_renderer,
        Label(HOT_TOTAL, 6.5, priority=1),
    ),
    PublishedLayer(
        "v_clusters", "MultiPolygon", {"sv": "Ansamlingar", "en": "Clusters"},
        clusters_renderer,
        Label("""CASE WHEN "legend_key" = 'scan_alarm' THEN "size" END""", 7.0, priority=3),
    ),
    PublishedLayer(
        "v_places", "MultiPolygon", {"sv": "Platser", "en": "Places"},
        places_renderer,
        Label(
            """CASE WHEN "rank" IS NULL THEN "name" ELSE "rank" || '. ' || "name" END""",
            9.0, bold=True, priority=10, always=True,
        ),
    ),
)  # fmt: skip
LAYERS_BY_VIEW = {layer.view: layer for layer in PUBLISHED_LAYERS}


def hotspot_cells_qml(lang: str = "sv") -> str:
    return LAYERS_BY_VIEW["v_hotspot_cells"].qml(lang)


def clusters_qml(lang: str = "sv") -> str:
    return LAYERS_BY_VIEW["v_clusters"].qml(lang)


def default_style_statements(view: str, qml: str) -> list[TextClause]:
    """SQL that makes `qml` the default style of `view` in QGIS's own `layer_styles` table."""
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
        ).bindparams(view=view, qml=qml),
    ]


def all_default_style_statements(lang: str = "sv") -> list[TextClause]:
    """The default styles of every published view."""
    return [
        statement
        for layer in PUBLISHED_LAYERS
        for statement in default_style_statements(layer.view, layer.qml(lang))
    ]
