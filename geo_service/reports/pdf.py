"""HTML → PDF with WeasyPrint (needs Debian's Pango; no network: every image is a data URI)."""

from geo_service.errors import GeoServiceError


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict:
    """Refuse every external resource: a report must be self-contained."""
    if url.startswith("data:"):
        from weasyprint import default_url_fetcher

        return default_url_fetcher(url)
    raise ValueError(f"external resource refused: {url}")


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes of a self-contained HTML page."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # Pango missing
        raise GeoServiceError(
            "pdf_unavailable",
            f"PDF rendering needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {exc}",
            status=503,
        ) from None
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
