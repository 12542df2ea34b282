"""CLI commands for imports, the address register and the quarantine (registered in cli.py)."""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo_service.ingest.report import ImportReport

addresses_app = typer.Typer(help="The address register used for geocoding.")
quarantine_app = typer.Typer(help="Rows that could not be stored, with their reasons.")
console = Console(stderr=True)


def print_report(report: ImportReport, as_json: bool) -> None:
    """The report as a table (stderr) or JSON (stdout)."""
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
        return
    table = Table("", "rader", title=f"Import {report.batch_id}: {report.filename}")
    for label, value in (
        ("lästa", report.rows_read),
        ("nya", report.stored),
        ("uppdaterade", report.updated),
        ("oförändrade", report.unchanged),
        ("i karantän", report.quarantined),
    ):
        table.add_row(label, str(value))
    for reason, n in sorted(report.quarantine_reasons.items()):
        table.add_row(f"  karantän: {reason}", str(n))
    for method, n in sorted(report.geocode_methods.items()):
        table.add_row(f"  geokodning: {method}", str(n))
    Console().print(table)
    for warning in report.warnings:
        console.print(f"[yellow]obs:[/yellow] {warning}")


def ingest_command(
    file: Path = typer.Argument(..., help="CSV, XLSX, GeoJSON, GeoPackage, Shapefile or JSON."),
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    source: str = typer.Option(..., help="Source code, e.g. polisen or bostadsbolaget."),
    kind: str = typer.Option(
        ..., help="incident, observation, tip, fault_report, walk_finding, or survey."
    ),
    mapping: Path = typer.Option(None, help="Column/category mapping (YAML or JSON)."),
    crs: int = typer.Option(None, help="EPSG code of the coordinates (else detected)."),
    sheet: str = typer.Option(None, help="XLSX sheet to read (else the data sheet)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import FILE: geocode, index to H3, redact and store; the rest goes to quarantine."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.mapping import load_mapping
    from geo_service.ingest.pipeline import ImportOptions, ingest_file

    options = ImportOptions(
        municipality_code=municipality,
        source=source,
        kind=kind,
        mapping=load_mapping(mapping) if mapping else None,
        crs=crs,
        sheet=sheet,
        created_by="cli",
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rader"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"importerar {file.name}", total=None)
        report = ingest_file(get_engine(), file, options, lambda n: progress.advance(task, n))
    print_report(report, as_json)


@addresses_app.command("load")
def addresses_load(
    file: Path = typer.Argument(..., help="Belägenhetsadress GeoPackage, or CSV with a point."),
    municipality: str = typer.Option(..., help="Kommunkod."),
    crs: int = typer.Option(None, help="EPSG of N/E columns in a CSV (else detected)."),
) -> None:
    """Replace the municipality's address register with FILE."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.addresses import load_addresses

    with console.status("läser adresser"), get_engine().begin() as conn:
        n = load_addresses(conn, municipality, file, crs)
    console.print(f"[green]{n} adresser inlästa för {municipality}[/green]")


@quarantine_app.command("list")
def quarantine_list(
    municipality: str = typer.Option(..., help="Kommunkod."),
    batch: int = typer.Option(None, help="Only this import batch."),
    reason: str = typer.Option(None, help="Only this reason code."),
    limit: int = typer.Option(50),
) -> None:
    """Show quarantined rows with reason and message."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.quarantine import list_quarantine

    with get_engine().connect() as conn:
        rows = list_quarantine(conn, municipality, batch, reason, limit=limit)
    table = Table("id", "import", "rad", "orsak", "meddelande")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["batch_id"]),
            str(r["row_number"] or ""),
            r["reason_code"],
            r["message"],
        )
    Console().print(table)


@quarantine_app.command("export")
def quarantine_export(
    municipality: str = typer.Option(..., help="Kommunkod."),
    output: Path = typer.Option(..., "--output", "-o", help="CSV file to write."),
    batch: int = typer.Option(None),
    reason: str = typer.Option(None),
) -> None:
    """Write quarantined rows to a semicolon CSV to fix in Excel and import again."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.quarantine import export_csv, list_quarantine

    with get_engine().connect() as conn:
        rows = list_quarantine(conn, municipality, batch, reason, limit=10**9)
    output.write_text(export_csv(rows), encoding="utf-8-sig")
    console.print(f"[green]{len(rows)} rader skrivna till {output}[/green]")


@quarantine_app.command("retry")
def quarantine_retry(
    municipality: str = typer.Option(..., help="Kommunkod."),
    batch: int = typer.Option(None),
    reason: str = typer.Option(None),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run quarantined rows through the pipeline again (after loading addresses, say)."""
    from geo_service.db.engine import get_engine
    from geo_service.ingest.retry import retry_quarantine

    with get_engine().begin() as conn:
        reports = retry_quarantine(conn, municipality, batch, reason, created_by="cli")
    if not reports:
        console.print("Inga rader att försöka igen.")
    for report in reports:
        print_report(report, as_json)
