"""`geo-service worker`: make runs when they are due, and apply retention once a day."""

import logging
from datetime import timedelta

import typer
from rich.console import Console

from geo_service.config import get_settings

console = Console(stderr=True)


def worker_command(
    once: bool = typer.Option(False, "--once", help="One pass, then exit (for cron and tests)."),
    interval: int = typer.Option(60, help="Seconds between passes.", min=1),
) -> None:
    """Make a new run for each municipality after an import that added or changed events and
    at each period boundary (one worker per municipality, by a database lock); mark runs left
    'running' by a stopped worker as failed; apply retention once a day."""
    from geo_service.db.engine import get_engine
    from geo_service.runs.worker import Worker, poll_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    worker = Worker(get_engine(), settings.runs_kept, settings.retention_days)
    interrupted = worker.start()
    if interrupted:
        console.print(f"[yellow]{interrupted} interrupted run(s) marked failed[/yellow]")
    if not once:
        console.print(f"worker: a pass every {interval} s (Ctrl-C stops it)")
        poll_forever(worker, timedelta(seconds=interval))
        return
    result = worker.run_pass()
    for mc, run_id, reason in result.made:
        typer.echo(f"{mc}: run {run_id} made ({reason.replace('_', ' ')})")
    for mc, message in result.failed:
        typer.echo(f"{mc}: run failed: {message}")
    for mc in result.locked:
        typer.echo(f"{mc}: another worker holds its lock")
    if not (result.made or result.failed or result.locked):
        typer.echo("every municipality's latest run is current")
