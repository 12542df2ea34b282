"""`geo-service near-repeats` and `geo-service backtest`: the evidence as tables in the terminal."""

from datetime import date, timedelta

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from geo_service.config import get_settings
from geo_service.errors import GeoServiceError
from geo_service.evidence.texts import day_band, number

console = Console(stderr=True)


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        message = f"{option} must be YYYY-MM-DD, got {value!r}."
        raise GeoServiceError("invalid_date", message) from None


def heat_table(table: pd.DataFrame, title: str) -> Table:
    """Ratio per distance band (rows) × time band (columns); * marks a significant band."""
    out = Table(title=title)
    out.add_column("m \\ days")
    times = table.drop_duplicates("time_to")[["time_from", "time_to"]]
    for time_from, time_to in times.itertuples(index=False):
        out.add_column(day_band(time_from, time_to), justify="right")
    for (d_from, d_to), rows in table.groupby(["distance_from", "distance_to"], sort=True):
        cells = [
            f"{number(r.ratio, 'en', 2)}{' *' if r.significant else ''} ({r.observed})"
            for r in rows.itertuples()
        ]
        out.add_row(f"{d_from:g}–{d_to:g}", *cells)
    return out


def near_repeats_command(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    group: str = typer.Option(None, help="burglary, vehicles, vandalism, fires or theft."),
    from_: str = typer.Option(None, "--from", help="First day YYYY-MM-DD (default a year back)."),
    to: str = typer.Option(None, help="Last day YYYY-MM-DD (default the latest event's day)."),
    lang: str = typer.Option("sv", help="sv (default) or en."),
) -> None:
    """Near repeats per category group: ratio observed/expected per distance × time band."""
    from geo_service.db.engine import session_scope
    from geo_service.evidence.groups import GROUPS, get_group
    from geo_service.evidence.near_repeats import near_repeat_sentence, near_repeats, window

    if lang not in ("sv", "en"):
        raise GeoServiceError("invalid_language", "Language must be 'sv' or 'en'.")
    groups = [get_group(group)] if group else list(GROUPS)
    k = get_settings().k_suppression  # the sentence names no band below k
    with console.status("counting near-repeat pairs"), session_scope() as session:
        start, stop = window(session, municipality, _day(from_, "--from"), _day(to, "--to"))
        results = [near_repeats(session, municipality, g, start, stop) for g in groups]
    out = Console()
    for result in results:
        title = (
            f"{result.group.label(lang)}: {result.events} events, {result.start} – "
            f"{result.stop - timedelta(days=1)}"
        )
        if result.table is not None:
            out.print(heat_table(result.table, title))
        else:
            out.print(title)
        out.print(near_repeat_sentence(result, lang, k))
        out.print()


def backtest_command(
    municipality: str = typer.Option(..., help="Kommunkod, e.g. 1275."),
    run: int = typer.Option(None, help="Analysis run id (default the latest completed)."),
    lang: str = typer.Option("sv", help="sv (default) or en."),
) -> None:
    """Backtest the hot spot methods on the municipality's own data: PAI and PEI* per method."""
    from geo_service.db.engine import session_scope
    from geo_service.evidence.evaluation import evaluate_run, winner_sentence
    from geo_service.evidence.texts import METHOD_LABELS

    if lang not in ("sv", "en"):
        raise GeoServiceError("invalid_language", "Language must be 'sv' or 'en'.")
    with console.status("backtesting the hot spot methods"), session_scope() as session:
        evaluation = evaluate_run(session, municipality, run)
    table = Table(
        "method",
        "coverage",
        "PAI",
        "PAI 95 %",
        "PEI*",
        "hit rate",
        "origins",
        title=f"run {evaluation.run_id}: {evaluation.params['origins']} periods predicted, "
        f"{evaluation.first_day} – {evaluation.last_day}, {evaluation.events} events, "
        f"{evaluation.params['n_cells']} cells",
    )
    summary = evaluation.summary.sort_values(["coverage", "pai"], ascending=[True, False])
    for row in summary.itertuples():
        table.add_row(
            METHOD_LABELS[lang].get(row.method, row.method),
            f"{row.coverage:.0%}",
            f"{row.pai:.1f}",
            f"{row.pai_low:.1f}–{row.pai_high:.1f}",
            f"{row.pei_star:.2f}",
            f"{row.hit_rate:.0%}",
            str(row.origins),
        )
    out = Console()
    out.print(table)
    out.print(winner_sentence(evaluation, lang))
