"""HTML → PDF with WeasyPrint (needs Debian's Pango; no network: every image is a data URI)."""

from typing import Any

from geo_service.errors import Unavailable


def _data_only_fetcher() -> Any:
    """A fetcher that serves data: URIs and refuses everything else (self-contained reports)."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint ≥ 68
    except ImportError:
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> dict:
            if not url.startswith("data:"):
                raise ValueError(f"external resource refused: {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=["data"])


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of a self-contained HTML page."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing
        raise Unavailable(
            "pdf_unavailable",
            f"PDF rendering needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}",
        ) from None
    return HTML(string=html, url_fetcher=_data_only_fetcher()).write_pdf()
