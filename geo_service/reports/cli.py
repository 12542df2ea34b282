"""`geo-service report`: the meeting lägesbild (HTML or PDF) or the yearly lägesbild."""

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from geo_service.errors import GeoServiceError

console = Console(stderr=True)


def report(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    meeting: str = typer.Option(None, help="Meeting date YYYY-MM-DD (the meeting lägesbild)."),
    year: int = typer.Option(None, help="Year YYYY (the yearly lägesbild)."),
    format: str = typer.Option("html", "--format", help="html or pdf."),
    out: Path = typer.Option(None, help="Output file (default: lagesbild-CODE-DATE.FORMAT)."),
    lang: str = typer.Option("sv", help="sv (default) or en."),
) -> None:
    """Write the lägesbild for a meeting (--meeting) or a year (--year) as HTML or PDF."""
    from geo_service.db.engine import session_scope
    from geo_service.reports.meeting import meeting_report_html
    from geo_service.reports.pdf import html_to_pdf
    from geo_service.reports.yearly import yearly_report_html

    if (meeting is None) == (year is None):
        raise GeoServiceError("invalid_report", "Give either --meeting YYYY-MM-DD or --year YYYY.")
    if format not in ("html", "pdf"):
        raise GeoServiceError("invalid_format", "--format must be html or pdf.")
    try:
        day = date.fromisoformat(meeting) if meeting else None
    except ValueError:
        raise GeoServiceError(
            "invalid_date", f"--meeting must be YYYY-MM-DD, got {meeting!r}."
        ) from None
    with console.status("rendering the lägesbild"), session_scope() as session:
        if day is not None:
            html = meeting_report_html(session, municipality, day, lang)
        else:
            html = yearly_report_html(session, municipality, year, lang)
    out = out or Path(f"lagesbild-{municipality}-{meeting or year}.{format}")
    if format == "pdf":
        out.write_bytes(html_to_pdf(html))
    else:
        out.write_text(html, encoding="utf-8")
    console.print(f"[green]wrote {out}[/green]")
