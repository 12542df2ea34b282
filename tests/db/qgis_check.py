"""Open a project stored in PostgreSQL with QGIS, render it, and print what QGIS made of it.

Run with the system Python that has QGIS's bindings (not the project's venv), with
QT_QPA_PLATFORM=offscreen:  python3 qgis_check.py PROJECT_URI OUT.png [XMIN,YMIN,XMAX,YMAX]
Prints one JSON object: whether the project read, and per layer its validity, key, renderer,
categories and labels, and the colours of the rendered image with their pixel counts.
"""

import json
import sys
from collections import Counter

from qgis.core import (  # type: ignore[import-not-found]
    QgsApplication,
    QgsMapRendererCustomPainterJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize, QVariant  # type: ignore[import-not-found]
from qgis.PyQt.QtGui import QColor, QImage, QPainter  # type: ignore[import-not-found]

SIZE = 900


def describe(layer) -> dict:  # noqa: ANN001
    provider = layer.dataProvider()
    fields = layer.fields()
    keys = [fields.at(i) for i in provider.pkAttributeIndexes()] if provider else []
    integer = bool(keys) and all(f.type() in (QVariant.Int, QVariant.LongLong) for f in keys)
    renderer = layer.renderer()
    categories = []
    if renderer is not None and renderer.type() == "categorizedSymbol":
        categories = [
            {"value": c.value(), "label": c.label(), "colour": c.symbol().color().name()}
            for c in renderer.categories()
        ]
    return {
        "name": layer.name(),
        "table": provider.uri().table() if provider else None,
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "key": [f.name() for f in keys],
        "key_integer": integer,
        "renderer": renderer.type() if renderer is not None else None,
        "attribute": renderer.classAttribute() if categories else None,
        "categories": categories,
        "labels": layer.labelsEnabled(),
        "default_style": default_style(layer),
    }


def default_style(layer) -> dict:  # noqa: ANN001
    """The same view added to a map by hand: the style QGIS takes from `layer_styles`."""
    fresh = QgsVectorLayer(layer.source(), layer.name(), "postgres")
    renderer = fresh.renderer()
    kind = renderer.type() if renderer is not None else None
    values = [c.value() for c in renderer.categories()] if kind == "categorizedSymbol" else []
    return {"renderer": kind, "values": values, "labels": fresh.labelsEnabled()}


def render(project, out: str, bbox: str | None = None) -> dict:  # noqa: ANN001
    settings = QgsMapSettings()
    layers = [n.layer() for n in project.layerTreeRoot().findLayers() if n.layer()]
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setOutputSize(QSize(SIZE, SIZE))
    settings.setBackgroundColor(QColor(255, 255, 255))
    extent = project.viewSettings().defaultViewExtent()
    if bbox:
        extent = QgsRectangle(*(float(v) for v in bbox.split(",")))
    elif extent.isEmpty():
        extent = layers[0].extent()
    settings.setExtent(extent)
    image = QImage(QSize(SIZE, SIZE), QImage.Format_ARGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.start()
    job.waitForFinished()
    painter.end()
    image.save(out)
    colours = Counter(
        QColor(image.pixel(x, y)).name() for x in range(0, SIZE, 2) for y in range(0, SIZE, 2)
    )
    return {"colours": dict(colours.most_common(400)), "sampled": (SIZE // 2) ** 2}


def main() -> None:
    uri, out, bbox = sys.argv[1], sys.argv[2], (sys.argv[3:] or [None])[0]
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    read = project.read(uri)
    result = {"read": read, "crs": project.crs().authid(), "layers": []}
    if read:
        result["layers"] = [describe(layer) for layer in project.mapLayers().values()]
        result["render"] = render(project, out, bbox)
    print(json.dumps(result))
    app.exitQgis()


if __name__ == "__main__":
    main()
