"""The OpenAPI page at /docs, served from the service itself (Swagger UI from a Python package,
no CDN), and a description for each tag."""

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"
TAGS = [
    {"name": name, "description": description}
    for name, description in json.loads(
        (Path(__file__).with_name("tags.json")).read_text(encoding="utf-8")
    ).items()
]
"""One line per tag of the OpenAPI document (tags.json)."""


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI's files and the /docs page that uses them."""
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
