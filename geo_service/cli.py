"""The geo-service command line: thin wrappers around the packages."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func

from geo_service.config import STOCKHOLM, get_settings

app = typer.Typer(
    help="geo_service: hotspot analysis for EST and the municipal lägesbild.",
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.")
demo_app = typer.Typer(help="The Perstorp demo data.")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
token_app = typer.Typer(help="API tokens.")
app.add_typer(token_app, name="token")
from geo_service.ingest import commands as ingest_commands  # noqa: E402

app.command("ingest")(ingest_commands.ingest_command)
app.add_typer(ingest_commands.addresses_app, name="addresses")
app.add_typer(ingest_commands.quarantine_app, name="quarantine")

from geo_service.evidence.cli import backtest_command, near_repeats_command  # noqa: E402
from geo_service.palette.cli import qgis_app, store_project  # noqa: E402
from geo_service.priorities.cli import areas_app, municipality_app, places_app  # noqa: E402
from geo_service.reports.cli import report  # noqa: E402
from geo_service.runs.cli import worker_command  # noqa: E402

app.add_typer(places_app, name="places")
app.add_typer(areas_app, name="areas")
app.add_typer(municipality_app, name="municipality")
app.add_typer(qgis_app, name="qgis")
app.command("report")(report)
app.command("near-repeats")(near_repeats_command)
app.command("backtest")(backtest_command)
app.command("worker")(worker_command)
console = Console(stderr=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Create the database if needed and migrate it to REVISION (default head)."""
    from geo_service.db import migrate

    migrate.upgrade(revision=revision)
    console.print(f"[green]database at revision {migrate.current_revision()}[/green]")
    if revision == "head":
        store_project()


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument("-1")) -> None:
    """Migrate down to REVISION (default one step; 'base' removes the schema)."""
    from geo_service.db import migrate

    migrate.downgrade(revision=revision)
    console.print(f"database at revision {migrate.current_revision()}")


@db_app.command("status")
def db_status() -> None:
    """Show the database's revision and the latest one."""
    from geo_service.db import migrate

    current, head = migrate.current_revision(), migrate.head_revision()
    table = Table("database", "revision", "head", "up to date")
    table.add_row(
        get_settings().database_url.split("@")[-1],
        str(current),
        str(head),
        "yes" if current == head else "no",
    )
    Console().print(table)
    if current != head:
        raise typer.Exit(1)


@demo_app.command("load")
def demo_load(seed: int = 1275) -> None:
    """Load the Perstorp demo (kommun 1275); loading it again adds nothing."""
    from geo_service.db.engine import session_scope
    from geo_service.demo.load import load_demo

    with console.status("loading the Perstorp demo"), session_scope() as session:
        counts = load_demo(session, seed)
    console.print(
        f"[green]Perstorp demo: {counts.stored} new, {counts.updated} updated, "
        f"{counts.unchanged} unchanged events[/green]"
    )
    store_project()  # again, now that the project can open on the demo's boundary


@demo_app.command("analyze")
def demo_analyze() -> None:
    """The demo's meetings: a snapshot of each of the last six, every second week until its last
    meeting (2026-11-17), each from its own run. Again, it keeps them and makes no run."""
    from geo_service.db.engine import session_scope
    from geo_service.demo.history import make_history

    with console.status("analysing the demo's meetings"), session_scope() as session:
        entries = make_history(session)
    for e in entries:
        state = "made" if e.created else "kept"
        typer.echo(f"meeting {e.meeting_date}: snapshot {e.snapshot_id} ({state}), run {e.run_id}")


DEMO_TOKEN_FILE = Path(".geo-service/demo-token")


@demo_app.command("token")
def demo_token(
    role: str = typer.Option(
        "coordinator", help="coordinator (dashboard) or reporter (field app)."
    ),
    qr: bool = typer.Option(False, "--qr", help="Also print the field app's link as a QR code."),
    file: Path = typer.Option(None, help="Where the token is kept (default .geo-service/...)."),
) -> None:
    """Print a demo token of ROLE: the one kept in FILE while it is valid, else a new one (kept
    there for the next `make demo`)."""
    from geo_service.api.auth import create_token, principal_from_header
    from geo_service.db.engine import session_scope
    from geo_service.demo import perstorp
    from geo_service.errors import GeoServiceError

    file = file or (DEMO_TOKEN_FILE if role == "coordinator" else Path(f"{DEMO_TOKEN_FILE}-{role}"))
    kept = file.read_text().strip() if file.exists() else ""
    with session_scope() as session:
        try:
            found = principal_from_header(session, f"Bearer {kept}") if kept else None
            valid = found is not None and (found.municipality_code, found.role) == (
                perstorp.CODE,
                role,
            )
        except GeoServiceError:
            valid = False
        if not valid:
            name = "make-demo" if role == "coordinator" else f"make-demo-{role}"
            kept = create_token(
                session, perstorp.CODE, role, "demo", name, get_settings().token_days
            )
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(kept + "\n")
            file.chmod(0o600)
    typer.echo(kept)
    if qr:
        settings = get_settings()
        _print_app_qr(kept, f"http://{settings.host}:{settings.port}", True, None)


@app.command("analyze")
def analyze(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    from_: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD) of the study period."),
    to: str = typer.Option(None, help="Periods ending on or before this day (default today)."),
    resolution: int = typer.Option(None, help="H3 resolution (default: the municipality's)."),
    kind: list[str] = typer.Option(None, help="Event kinds to include (repeatable)."),
    category: list[str] = typer.Option(None, help="Categories to include (repeatable)."),
    source: list[str] = typer.Option(None, help="Sources to include (repeatable)."),
    value: str = typer.Option(None, help="count or harm (harm-weighted sum)."),
    study_area: str = typer.Option(None, help="boundary (default) or active."),
) -> None:
    """Aggregate the cube, run the emerging hotspot analysis and store the run."""
    from datetime import date

    overrides = {
        "from_date": date.fromisoformat(from_) if from_ else None,
        "to_date": date.fromisoformat(to) if to else None,
        "resolution": resolution,
        "kinds": kind or None,
        "categories": category or None,
        "sources": source or None,
        "value": value,
        "study_area": study_area,
    }
    _analyze(municipality, overrides)


def _analyze(municipality: str, overrides: dict[str, object]) -> None:
    from sqlalchemy import select

    from geo_service.db.engine import session_scope
    from geo_service.db.models import AnalysisCell, AnalysisRun
    from geo_service.runs import run_analysis

    with console.status(f"analysing {municipality}"), session_scope() as session:
        run_id = run_analysis(
            session, municipality, keep_runs=get_settings().runs_kept, **overrides
        )
        run = session.get(AnalysisRun, (municipality, run_id))
        categories = session.execute(
            select(AnalysisCell.category, func.count())
            .where(AnalysisCell.municipality_code == municipality, AnalysisCell.run_id == run_id)
            .group_by(AnalysisCell.category)
            .order_by(func.count().desc())
        ).all()
    local = STOCKHOLM
    first, end = run.period_start.astimezone(local), run.period_end.astimezone(local)
    table = Table(
        "category",
        "cells",
        title=f"run {run_id}: {run.n_periods} periods, "
        f"{first:%Y-%m-%d} – {end - timedelta(days=1):%Y-%m-%d}",
    )
    for name, n in categories:
        table.add_row(name, str(n))
    Console().print(table)
    for warning in run.warnings:
        console.print(f"[yellow]{warning.get('message_en', warning)}[/yellow]")


@token_app.command("create")
def token_create(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    role: str = typer.Option(..., help="admin, analyst, coordinator, reporter or viewer."),
    org: str = typer.Option(..., help="The organisation the token is for."),
    name: str = typer.Option(None, help="A label, e.g. the person or app."),
    days: int = typer.Option(None, help="Days until it expires (default GEO_SERVICE_TOKEN_DAYS)."),
    qr: bool = typer.Option(
        False, "--qr", help="Also print the field app's link with the token as a QR code."
    ),
    qr_png: Path = typer.Option(None, "--qr-png", help="Save the QR code as a PNG file."),
    url: str = typer.Option(
        None, help="The service's address as phones reach it (default http://HOST:PORT)."
    ),
) -> None:
    """Create a token and print it once; only its hash is stored. It expires after --days.
    With --qr (or --qr-png) a rapportör signs in to /rapportera/ by scanning the code."""
    from geo_service.api.auth import create_token
    from geo_service.db.engine import session_scope
    from geo_service.db.tenants import require_municipality

    settings = get_settings()
    with session_scope() as session:
        require_municipality(session, municipality)
        token = create_token(session, municipality, role, org, name, days or settings.token_days)
    typer.echo(token)
    if qr or qr_png:
        _print_app_qr(token, url or f"http://{settings.host}:{settings.port}", qr, qr_png)


def _print_app_qr(token: str, url: str, terminal: bool, png: Path | None) -> None:
    """The field app's sign-in link with the token, as text and as a QR code."""
    import segno

    from geo_service.api.routers.field import app_link

    link = app_link(url, token)
    code = segno.make(link, error="m")
    typer.echo(link)
    if terminal:
        code.terminal(out=sys.stdout, compact=True)
    if png:
        code.save(str(png), scale=8, border=4)
        console.print(f"QR code saved to {png}")


@token_app.command("list")
def token_list(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
) -> None:
    """The municipality's tokens: id, role, organisation, name, created, revoked, expires; never
    hashes."""
    from geo_service.api.auth import list_tokens
    from geo_service.db.engine import session_scope
    from geo_service.db.tenants import require_municipality

    with session_scope() as session:
        require_municipality(session, municipality)
        tokens = list_tokens(session, municipality)
    local = STOCKHOLM
    table = Table(
        "id",
        "role",
        "organisation",
        "name",
        "created",
        "revoked",
        "expires",
        title=f"tokens of {municipality}",
    )
    for t in tokens:
        revoked = f"{t.revoked_at.astimezone(local):%Y-%m-%d %H:%M}" if t.revoked_at else ""
        table.add_row(
            str(t.id),
            t.role,
            t.organisation,
            t.name or "",
            f"{t.created_at.astimezone(local):%Y-%m-%d %H:%M}",
            revoked,
            f"{t.expires_at.astimezone(local):%Y-%m-%d}",
        )
    Console(width=200).print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: int = typer.Argument(..., help="The token's id (see `token list`)."),
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
) -> None:
    """Revoke a token of the municipality; it gets 401 within the server's auth cache time
    (GEO_SERVICE_AUTH_CACHE_SECONDS, 10 s)."""
    from geo_service.api.auth import revoke_token
    from geo_service.db.engine import session_scope

    with session_scope() as session:
        revoked = revoke_token(session, municipality, token_id)
    if not revoked:
        console.print(
            f"[red]error (token_not_found):[/red] no live token {token_id} "
            f"in municipality {municipality}."
        )
        raise typer.Exit(2)
    console.print(f"[green]token {token_id} of {municipality} revoked[/green]")


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface (default from settings: 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    workers: int = typer.Option(None, help="Worker processes."),
) -> None:
    """Serve the API and dashboard."""
    import uvicorn

    s = get_settings()
    host, port, workers = host or s.host, port or s.port, workers or s.workers
    # the app (in each worker) reads its settings anew: tell it where it is served, so that
    # TileJSON's default base URL names this host and port
    os.environ["GEO_SERVICE_HOST"], os.environ["GEO_SERVICE_PORT"] = host, str(port)
    get_settings.cache_clear()
    console.print(f"Dashboard: http://{host}:{port}/")
    console.print(f"API:       http://{host}:{port}/api/v1/health")
    console.print(f"OpenAPI:   http://{host}:{port}/docs")
    from geo_service.api.server import HTTP_PROTOCOL

    uvicorn.run(
        "geo_service.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        http=HTTP_PROTOCOL,
    )


retention_app = typer.Typer(help="Retention of old records (GEO_SERVICE_RETENTION_DAYS).")
app.add_typer(retention_app, name="retention")


@retention_app.command("apply")
def retention_apply(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would change; change nothing."
    ),
    municipality: str = typer.Option(None, help="One municipality (default: all)."),
) -> None:
    """Remove free text and coarsen exact points of events older than the retention limit, and
    delete quarantined rows older than it; each municipality's pass goes into the audit log."""
    from geo_service.db.engine import get_engine
    from geo_service.db.retention import apply_retention

    days = get_settings().retention_days
    with get_engine().begin() as conn:
        results = apply_retention(conn, days, dry_run, municipality)
    verb = "would change" if dry_run else "changed"
    for r in results:
        typer.echo(
            f"{r.municipality_code}: before {r.cutoff:%Y-%m-%d}, {verb} "
            f"{r.events_coarsened} events (text removed, points to res-{r.resolution} cell "
            f"centroids) and {r.quarantine_deleted} quarantined rows"
        )


def main() -> None:
    """Entry point: domain errors and an unreachable database become one clear line and exit
    code 2, not a traceback."""
    from sqlalchemy.exc import OperationalError

    from geo_service.errors import GeoServiceError

    try:
        app(standalone_mode=True)
    except GeoServiceError as exc:
        console.print(f"[red]error ({exc.code}):[/red] {exc.message}")
        raise SystemExit(2) from None
    except OperationalError:
        where = get_settings().database_url.split("@")[-1]
        console.print(
            f"[red]error (database_unavailable):[/red] cannot reach the database at {where}. "
            "Start it with `make demo` (which writes its address to .env), or set "
            "GEO_SERVICE_DATABASE_URL."
        )
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
