"""The default EST categories every new municipality starts with."""

from dataclasses import dataclass

ALL_KINDS = ["incident", "observation", "tip", "fault_report", "walk_finding"]
REPORTED = ["observation", "tip", "fault_report", "walk_finding"]


@dataclass(frozen=True)
class Category:
    code: str
    label_sv: str
    label_en: str
    harm_weight: float
    kinds: list[str]
    aliases: list[str]


DEFAULT_CATEGORIES: list[Category] = [
    Category(
        "skadegorelse",
        "Skadegörelse",
        "Vandalism",
        2.0,
        ALL_KINDS,
        ["skadegörelse", "skadegorelse", "vandalism", "damage"],
    ),
    Category(
        "klotter",
        "Klotter",
        "Graffiti",
        1.0,
        ALL_KINDS,
        ["klotter", "graffiti", "tags", "taggning"],
    ),
    Category(
        "nedskrapning",
        "Nedskräpning",
        "Littering",
        0.5,
        REPORTED + ["incident"],
        ["nedskräpning", "nedskrapning", "skräp", "littering", "litter"],
    ),
    Category(
        "brand",
        "Brand, anlagd brand",
        "Fire, arson",
        3.0,
        ALL_KINDS,
        ["brand", "anlagd brand", "mordbrand", "fire", "arson"],
    ),
    Category(
        "narkotika",
        "Narkotika",
        "Drugs",
        3.0,
        ALL_KINDS,
        ["narkotika", "narkotikabrott", "droger", "drugs", "drug dealing"],
    ),
    Category(
        "stold",
        "Stöld",
        "Theft",
        2.0,
        ALL_KINDS,
        ["stöld", "stold", "snatteri", "cykelstöld", "theft", "shoplifting"],
    ),
    Category(
        "inbrott",
        "Inbrott",
        "Burglary",
        3.0,
        ALL_KINDS,
        ["inbrott", "stöld/inbrott", "burglary", "break-in"],
    ),
    Category(
        "vald",
        "Våld",
        "Violence",
        5.0,
        ALL_KINDS,
        ["våld", "vald", "misshandel", "rån", "grov misshandel", "assault", "robbery", "violence"],
    ),
    Category(
        "hot_mot_personal",
        "Hot mot personal",
        "Threats against staff",
        4.0,
        ALL_KINDS,
        ["hot mot personal", "hot", "olaga hot", "threat", "threats against staff"],
    ),
    Category(
        "storande_samling",
        "Störande samling",
        "Disruptive gathering",
        1.5,
        ALL_KINDS,
        [
            "störande samling",
            "ungdomsgäng",
            "samling",
            "ordningsstörning",
            "disruptive gathering",
            "gathering",
        ],
    ),
    Category(
        "fordon",
        "Fordon",
        "Vehicles",
        1.0,
        ALL_KINDS,
        ["fordon", "moped", "a-traktor", "epa", "trafikbrott", "vehicles", "vehicle"],
    ),
    Category(
        "otrygg_plats",
        "Otrygg plats",
        "Unsafe place",
        1.0,
        REPORTED,
        ["otrygg plats", "otrygghet", "unsafe place", "unsafe"],
    ),
    Category(
        "belysning",
        "Belysning",
        "Lighting",
        0.5,
        REPORTED,
        ["belysning", "trasig belysning", "gatubelysning", "lighting", "broken light"],
    ),
    Category(
        "vegetation",
        "Vegetation",
        "Vegetation",
        0.5,
        REPORTED,
        ["vegetation", "buskar", "sly", "overgrown"],
    ),
    Category(
        "rykten",
        "Rykten på sociala medier",
        "Rumours on social media",
        0.5,
        REPORTED,
        ["rykten", "sociala medier", "rumours", "rumors"],
    ),
    Category(
        "arrangemang", "Arrangemang", "Event", 0.5, REPORTED, ["arrangemang", "evenemang", "event"]
    ),
    Category("ovrigt", "Övrigt", "Other", 1.0, ALL_KINDS, ["övrigt", "ovrigt", "other", "annat"]),
]


CATEGORY_ICONS = {
    "skadegorelse": "🔨",
    "klotter": "🎨",
    "nedskrapning": "🗑️",
    "brand": "🔥",
    "narkotika": "💊",
    "stold": "👜",
    "inbrott": "🚪",
    "vald": "⚠️",
    "hot_mot_personal": "🛑",
    "storande_samling": "👥",
    "fordon": "🚗",
    "otrygg_plats": "🌑",
    "belysning": "💡",
    "vegetation": "🌳",
    "rykten": "💬",
    "arrangemang": "🎪",
}
"""An icon per default category for the field app (other categories get DEFAULT_ICON)."""
DEFAULT_ICON = "📍"
