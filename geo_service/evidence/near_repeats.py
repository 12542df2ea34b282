"""Near repeats per category group: the Knox band table on a municipality's events, in words.

The window is a year by default: the 365 days up to and including the tenant's latest event.
The table comes from `geo_service.analysis.knox.near_repeat_table` with 999 seeded
permutations, so a single band can pass the Benjamini–Hochberg correction over the 16 bands
(with 199 the smallest p is 0.005, and 16 × 0.005 > 0.05). Results are cached per database,
tenant, data version (event count, last import batch, last change), group, window and
permutations.

The sentence names the raised risk as one rectangle from the event outwards: D and T are the
largest distance and time edges of the bands that are significant (BH-adjusted p < α), have
more pairs than expected and at least `min_pairs` pairs; the ratio is the Knox ratio for pairs
within D metres and T days, which is Σ observed / Σ expected over the bands inside it, because
E = N_S · N_T / P adds up over bands.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from geo_service.analysis.knox import DISTANCE_BANDS_M, TIME_BANDS_DAYS, near_repeat_table
from geo_service.db.tenants import require_municipality
from geo_service.errors import GeoServiceError
from geo_service.evidence.cache import cached, database_key
from geo_service.evidence.groups import Group
from geo_service.evidence.queries import group_events, last_event_day, watermark
from geo_service.evidence.texts import TEXTS, capitalised, number

WINDOW_DAYS = 365
PERMUTATIONS = 999
SEED = 0
ALPHA = 0.05
MIN_EVENTS = 10
MIN_PAIRS = 3  # the default k: a sentence never names a band with fewer pairs
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class NearRepeats:
    """A group's band table over [start, stop) (Stockholm dates); `table` None below MIN_EVENTS.

    `table` has the columns of `near_repeat_table` plus `significant` (BH-adjusted p < α and
    more pairs than expected).
    """

    group: Group
    start: date
    stop: date
    events: int
    table: pd.DataFrame | None
    permutations: int
    seed: int


def default_window(session: Session, mc: str) -> tuple[date, date]:
    """The 365 days up to and including the tenant's latest event (today without events)."""
    last = last_event_day(session, mc) or date.today()
    stop = last + timedelta(days=1)
    return stop - timedelta(days=WINDOW_DAYS), stop


def window(
    session: Session, mc: str, first: date | None = None, last: date | None = None
) -> tuple[date, date]:
    """[start, stop) from a first and last day (inclusive), each optional (see `default_window`):
    only the last day given, the year up to it; only the first, up to the latest event."""
    for day in (first, last):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise GeoServiceError(
                "invalid_window", f"Days must lie between {EARLIEST} and {LATEST}, got {day}."
            )
    if last is not None:
        stop = last + timedelta(days=1)
        start = first or stop - timedelta(days=WINDOW_DAYS)
    else:
        default_start, stop = default_window(session, mc)
        start = first or default_start
    if start >= stop:
        raise GeoServiceError(
            "invalid_window",
            f"The window must start before it ends, got {start} – {stop - timedelta(days=1)}.",
        )
    return start, stop


def near_repeats(
    session: Session,
    mc: str,
    group: Group,
    start: date | None = None,
    stop: date | None = None,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> NearRepeats:
    """The group's near-repeat table for [start, stop) (default: `default_window`), cached."""
    require_municipality(session, mc)
    start, stop = window(session, mc, start, stop - timedelta(days=1) if stop else None)
    version = watermark(session, mc)
    key = (
        "near_repeats",
        database_key(session),
        mc,
        version,
        group.code,
        start,
        stop,
        permutations,
        seed,
    )

    def compute() -> NearRepeats:
        events = group_events(session, mc, list(group.categories), start, stop)
        table = None
        if len(events) >= MIN_EVENTS:
            table = near_repeat_table(
                events,
                distance_bands_m=DISTANCE_BANDS_M,
                time_bands_days=TIME_BANDS_DAYS,
                permutations=permutations,
                seed=seed,
            )
            table["significant"] = (table["p_adj"] < ALPHA) & (table["ratio"] > 1)
        return NearRepeats(group, start, stop, len(events), table, permutations, seed)

    return cached(key, compute)


def raised_extent(table: pd.DataFrame, min_pairs: int) -> tuple[float, float, float] | None:
    """(D metres, T days, Knox ratio within both) of the significant raised bands, or None."""
    named = table[table["significant"] & (table["observed"] >= min_pairs)]
    if named.empty:
        return None
    d, t = float(named["distance_to"].max()), float(named["time_to"].max())
    inside = table[(table["distance_to"] <= d) & (table["time_to"] <= t)]
    return d, t, float(inside["observed"].sum() / inside["expected"].sum())


def near_repeat_sentence(result: NearRepeats, lang: str, min_pairs: int) -> str:
    """One sentence in Swedish or English: how far and how long the risk is raised, or not."""
    t = TEXTS[lang]
    group = result.group
    if result.table is None:
        return t["nr_too_few"].format(label=group.label(lang), minimum=MIN_EVENTS)
    extent = raised_extent(result.table, min_pairs)
    after = group.after(lang)
    if extent is None:
        return capitalised(t["nr_none"].format(after=after))
    d, days, ratio = extent
    return capitalised(
        t["nr_raised"].format(
            after=after, distance=f"{d:.0f}", days=f"{days:.0f}", ratio=number(ratio, lang)
        )
    )
