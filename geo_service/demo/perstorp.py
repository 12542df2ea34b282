"""A seeded generator of Perstorp demo data (kommun 1275).

All geometry here is APPROXIMATE — invented from a few public reference points for a demo, not
for real geocoding. Planted patterns, on 14-day periods anchored 2024-01-01:
- Centrum: a persistent hotspot (steady rate all two years);
- Stationsområdet: vandalism and graffiti, present all along and rising over the last nine months;
- Oderljunga: new in the last two periods (a weak start, then a burst in the last period);
- Parken: a hotspot that fades after a lighting measure (recorded as a measure).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from geo_service.config import STOCKHOLM

CODE = "1275"
NAME = "Perstorp"
PERIOD_ANCHOR = date(2024, 1, 1)
PERIOD_DAYS = 14
N_PERIODS = 52
LAST_PERIOD_END = date(2026, 11, 16)
FIRST_PERIOD_START = LAST_PERIOD_END - timedelta(days=PERIOD_DAYS * N_PERIODS)
MEETING_DATE = LAST_PERIOD_END + timedelta(days=1)
MEASURE_PERIOD = 36
NOTE = "Approximate geometry for the geo_service demo; not an official boundary or address."

TO_3006 = Transformer.from_crs(4326, 3006, always_xy=True)
TO_4326 = Transformer.from_crs(3006, 4326, always_xy=True)


@dataclass(frozen=True)
class DemoPlace:
    name: str
    kind: str
    lat: float
    lon: float
    radius_m: float
    aliases: tuple[str, ...] = ()

    def xy(self) -> tuple[float, float]:
        return TO_3006.transform(self.lon, self.lat)

    def polygon(self) -> Polygon:
        return Point(*self.xy()).buffer(self.radius_m, quad_segs=8)


PLACES = [
    DemoPlace(
        "Centrum", "centrum", 56.1330, 13.3830, 230, ("centrum", "torget", "Perstorps centrum")
    ),
    DemoPlace(
        "Stationsområdet", "station", 56.1372, 13.3945, 200, ("stationen", "station", "resecentrum")
    ),
    DemoPlace("Parken", "park", 56.1296, 13.3905, 150, ("Centrumparken", "parken")),
    DemoPlace("Skolområdet", "school", 56.1285, 13.3745, 220, ("skolan", "skolgården")),
    DemoPlace("Industriområdet", "industrial", 56.1425, 13.3680, 380, ("industrin",)),
    DemoPlace("Oderljunga", "village", 56.1900, 13.3300, 260, ("Oderljunga by",)),
    DemoPlace("Norra bostadsområdet", "residential", 56.1405, 13.3840, 250, ("norr",)),
]
PLACE_BY_NAME = {p.name: p for p in PLACES}

SOURCES = [
    ("polisen", "Polisen, lokalpolisområde Klippan", "police"),
    ("kommun_gatapark", "Perstorps kommun, gata och park (rapportör)", "rapportor"),
    ("bostadsbolaget", "Kommunala bostadsbolaget (rapportör)", "rapportor"),
    ("fritid", "Fritidsgården, fältgruppen (rapportör)", "rapportor"),
    ("bevakning", "Bevakningsföretaget (rapportör)", "rapportor"),
    ("allmanheten", "Tips från allmänheten", "public"),
    ("felanmalan", "Felanmälan (e-tjänst)", "municipality"),
    ("trivselvandring", "Trivselvandring", "municipality"),
]
RAPPORTORS = ["kommun_gatapark", "bostadsbolaget", "fritid", "bevakning"]
POLICE_CATEGORIES = {"vald", "stold", "inbrott", "narkotika", "skadegorelse", "brand", "fordon"}
TEXTS = {
    "skadegorelse": "Sönderslagen ruta och skadad bänk",
    "klotter": "Nytt klotter på vägg och elskåp",
    "nedskrapning": "Mycket skräp och glas på marken",
    "brand": "Brand i papperskorg",
    "narkotika": "Misstänkt narkotikaförsäljning",
    "stold": "Cykelstöld",
    "inbrott": "Inbrott i förråd",
    "vald": "Misshandel utomhus",
    "hot_mot_personal": "Personal hotad vid entrén",
    "storande_samling": "Grupp ungdomar, störande beteende sent på kvällen",
    "fordon": "Mopeder kör på gång- och cykelväg",
    "otrygg_plats": "Platsen upplevs otrygg när det är mörkt",
    "belysning": "Trasig belysning längs gångvägen",
    "vegetation": "Buskage skymmer sikten",
}


@dataclass(frozen=True)
class Pattern:
    """Events around a place: a rate per period (array) and a category mix."""

    place: str | None
    rate: np.ndarray
    categories: dict[str, float]
    spread_m: float = 100.0
    extra: dict[str, str] = field(default_factory=dict)


def _patterns() -> list[Pattern]:
    t = np.arange(N_PERIODS)
    ramp = np.where(t < 33, 2.5, 2.5 + (t - 32) * (7.5 / 19))
    oder = np.zeros(N_PERIODS)
    oder[-2], oder[-1] = 2, 9
    park = np.where(t < MEASURE_PERIOD, 5.0, 0.6)
    school = np.array([0.5 if _school_break(_period_start(i)) else 2.0 for i in t])
    return [
        Pattern(
            "Centrum",
            np.full(N_PERIODS, 6.0),
            {
                "skadegorelse": 0.2,
                "nedskrapning": 0.2,
                "stold": 0.2,
                "storande_samling": 0.15,
                "vald": 0.1,
                "narkotika": 0.1,
                "hot_mot_personal": 0.05,
            },
            110,
        ),
        Pattern("Stationsområdet", ramp, {"skadegorelse": 0.5, "klotter": 0.5}, 90),
        Pattern(
            "Oderljunga", oder, {"storande_samling": 0.4, "skadegorelse": 0.3, "fordon": 0.3}, 90
        ),
        Pattern(
            "Parken",
            park,
            {"otrygg_plats": 0.25, "belysning": 0.25, "narkotika": 0.25, "skadegorelse": 0.25},
            70,
        ),
        Pattern("Skolområdet", school, {"skadegorelse": 0.4, "klotter": 0.3, "brand": 0.3}, 120),
        Pattern(
            "Industriområdet",
            np.full(N_PERIODS, 1.5),
            {"inbrott": 0.5, "stold": 0.3, "brand": 0.2},
            220,
        ),
        Pattern(
            None,
            np.full(N_PERIODS, 5.0),
            {
                "nedskrapning": 0.25,
                "skadegorelse": 0.2,
                "fordon": 0.2,
                "stold": 0.15,
                "klotter": 0.1,
                "vegetation": 0.1,
            },
            1300,
        ),
    ]


def _period_start(i: int) -> date:
    return FIRST_PERIOD_START + timedelta(days=PERIOD_DAYS * int(i))


def _school_break(day: date) -> bool:
    return (6, 15) <= (day.month, day.day) <= (8, 15) or (day.month, day.day) >= (12, 20)


def _kind_and_source(rng: np.random.Generator, category: str) -> tuple[str, str]:
    u = rng.random()
    if u < 0.05:
        return "tip", "allmanheten"
    if category == "belysning" or (category == "nedskrapning" and u < 0.3):
        return "fault_report", "felanmalan"
    if category in POLICE_CATEGORIES and u < 0.6:
        return "incident", "polisen"
    return "observation", RAPPORTORS[int(rng.integers(len(RAPPORTORS)))]


def _times(rng: np.random.Generator, period: int, n: int) -> list[datetime]:
    """Local times within a period, weighted towards evenings."""
    start = datetime.combine(_period_start(period), datetime.min.time(), STOCKHOLM)
    days = rng.integers(0, PERIOD_DAYS, n)
    hours = rng.choice(24, n, p=_HOUR_WEIGHTS)
    minutes = rng.integers(0, 60, n)
    return [
        (start + timedelta(days=int(d), hours=int(h), minutes=int(m))).astimezone(STOCKHOLM)
        for d, h, m in zip(days, hours, minutes, strict=True)
    ]


_HOUR_WEIGHTS = np.array([3, 2, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 4, 5, 6, 7, 8, 9, 9, 8, 6, 4.0])
_HOUR_WEIGHTS = _HOUR_WEIGHTS / _HOUR_WEIGHTS.sum()


def boundary() -> Polygon:
    """An approximate Perstorp boundary (about 163 km²) in EPSG:3006."""
    cx, cy = TO_3006.transform(13.37, 56.157)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    wobble = 1 + 0.06 * np.sin(3 * angles) + 0.04 * np.cos(5 * angles)
    xs = cx + 7900 * wobble * np.cos(angles)
    ys = cy + 6600 * wobble * np.sin(angles)
    return Polygon(zip(xs, ys, strict=True))


def areas() -> dict[str, Polygon]:
    """Survey sub-areas (trygghetsmätning) covering the municipality without overlap."""
    centre = Point(*PLACE_BY_NAME["Centrum"].xy())
    central = centre.buffer(700)
    town = centre.buffer(2200).difference(central)
    oder = Point(*PLACE_BY_NAME["Oderljunga"].xy()).buffer(1200)
    rural = boundary().difference(central).difference(town).difference(oder)
    return {
        "Perstorp centrala": central,
        "Perstorp tätort övrigt": town,
        "Oderljunga": oder,
        "Landsbygd": rural,
    }


SURVEY_QUESTIONS = {
    "Nedskräpning": (2.9, 2.8),
    "Narkotikaförsäljning": (2.4, 2.6),
    "Stökiga ungdomsgäng": (2.6, 2.9),
    "Otrygg ute ensam sent": (2.7, 2.8),
    "Totalindex": (2.5, 2.6),
}


def survey() -> pd.DataFrame:
    """Trygghetsmätning index 0–6 per area, year and question (invented, plausible values)."""
    shift = {
        "Perstorp centrala": 0.5,
        "Perstorp tätort övrigt": 0.0,
        "Oderljunga": -0.6,
        "Landsbygd": -1.0,
    }
    rows = [
        {
            "area": area,
            "year": year,
            "question": q,
            "index_value": round(v[i] + s, 2),
            "respondents": 300 if area.startswith("Perstorp") else 150,
        }
        for area, s in shift.items()
        for q, v in SURVEY_QUESTIONS.items()
        for i, year in enumerate((2024, 2025))
    ]
    return pd.DataFrame(rows)


def measures() -> list[dict[str, object]]:
    start = _period_start(MEASURE_PERIOD)
    return [
        {
            "place": "Parken",
            "kind": "lighting",
            "title": "Ny belysning i Parken",
            "description": "LED-belysning längs gångvägarna och vid lekplatsen.",
            "start_date": start - timedelta(days=10),
            "end_date": start,
            "status": "done",
            "responsible_org": "Gatu- och parkenheten",
        },
        {
            "place": "Stationsområdet",
            "kind": "graffiti_removal",
            "title": "Klottersanering vid stationen",
            "description": "Snabb sanering inom 24 timmar.",
            "start_date": _period_start(N_PERIODS - 2),
            "end_date": None,
            "status": "ongoing",
            "responsible_org": "Gatu- och parkenheten",
        },
    ]


def walk_findings(rng: np.random.Generator) -> list[dict[str, object]]:
    """Findings from the yearly trivselvandring (Oderljunga Feb 2025, Centrum Oct 2025)."""
    walks = [
        (
            "Oderljunga",
            datetime(2025, 2, 12, 18, 30, tzinfo=STOCKHOLM),
            ["belysning", "vegetation", "belysning"],
        ),
        (
            "Centrum",
            datetime(2025, 10, 8, 18, 0, tzinfo=STOCKHOLM),
            ["belysning", "otrygg_plats", "vegetation", "klotter"],
        ),
    ]
    out = []
    for place, when, cats in walks:
        x0, y0 = PLACE_BY_NAME[place].xy()
        for cat in cats:
            out.append(
                {
                    "place": place,
                    "category": cat,
                    "occurred_at": when,
                    "x": x0 + rng.normal(0, 80),
                    "y": y0 + rng.normal(0, 80),
                    "kind": "walk_finding",
                    "source": "trivselvandring",
                }
            )
    return out


def generate_events(seed: int = 1275) -> pd.DataFrame:
    """About two years of events: occurred_at (UTC), lat, lon, x, y (3006), kind, category, ..."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for pattern in _patterns():
        x0, y0 = (
            PLACE_BY_NAME[pattern.place].xy() if pattern.place else PLACE_BY_NAME["Centrum"].xy()
        )
        cats = list(pattern.categories)
        probs = np.array(list(pattern.categories.values()))
        for period, rate in enumerate(pattern.rate):
            n = int(rng.poisson(rate))
            for when in _times(rng, period, n):
                category = cats[int(rng.choice(len(cats), p=probs / probs.sum()))]
                kind, source = _kind_and_source(rng, category)
                rows.append(
                    {
                        "place": pattern.place,
                        "category": category,
                        "occurred_at": when,
                        "x": x0 + rng.normal(0, pattern.spread_m),
                        "y": y0 + rng.normal(0, pattern.spread_m),
                        "kind": kind,
                        "source": source,
                    }
                )
    rows.extend(walk_findings(rng))
    frame = pd.DataFrame(rows)
    inside = shapely.contains_xy(boundary(), frame["x"], frame["y"])
    frame = frame[inside].sort_values("occurred_at", kind="stable").reset_index(drop=True)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    frame["lon"], frame["lat"] = TO_4326.transform(frame["x"].to_numpy(), frame["y"].to_numpy())
    frame["severity"] = np.where(frame["kind"] == "incident", 3, rng.integers(1, 4, len(frame)))
    frame["description"] = frame["category"].map(TEXTS).fillna("")
    frame["source_id"] = [f"demo-{seed}-{i:05d}" for i in range(len(frame))]
    return frame
