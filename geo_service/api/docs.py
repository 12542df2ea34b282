"""The OpenAPI page at /docs, served from the service itself (Swagger UI from a Python package,
no CDN), and a description for each tag."""

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs-assets"
TAGS = [
    {"name": "health", "description": "Is the service up, and which schema does it run."},
    {"name": "hotspots", "description": "Emerging hot spot cells of an analysis run: category, "
     "whether a new hot spot is confirmed or uncertain, Gi* z, trend and counts."},
    {"name": "clusters", "description": "Unusual recent clusters from the space-time scan (with "
     "how often chance would produce them) and point clusters of the last weeks."},
    {"name": "runs", "description": "Analysis runs: their parameters, data watermark, "
     "self-measured false-alarm rate and cells per category; start one."},
    {"name": "events", "description": "Raw events with exact points and free text, for staff "
     "only; every read is audited. Event counts per cell for everyone."},
    {"name": "places", "description": "The places the EST group talks about: load, list, edit."},
    {"name": "priorities", "description": "Places ranked for an EST meeting, with every score "
     "component and a one-line reason in Swedish and English."},
    {"name": "meetings", "description": "Meeting snapshots (frozen priorities), changes since "
     "the previous meeting, and the lägesbild as HTML and PDF."},
    {"name": "measures", "description": "Measures (åtgärder) at places and their follow-up."},
    {"name": "imports", "description": "Upload files of events, with a report of what was "
     "stored and what was quarantined, and why."},
    {"name": "observations", "description": "Reports from rapportörer, one at a time; a "
     "client id makes resending safe."},
    {"name": "quarantine", "description": "Rows that could not be stored, with the reason: "
     "list, export, fix and retry."},
    {"name": "palette", "description": "Category colours and labels that every output uses."},
    {"name": "dashboard", "description": "What the dashboard page reads: the boundary."},
    {"name": "tiles", "description": "Vector tiles (MVT) and TileJSON of hotspots, clusters, "
     "places and event counts."},
]  # fmt: skip


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
