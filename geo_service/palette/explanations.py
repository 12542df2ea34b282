"""One plain sentence per category, in Swedish and English, for legends and popups; and the
colours and labels of a single period's Gi* bins (the dashboard's period slider)."""

from __future__ import annotations

CATEGORY_EXPLANATIONS: dict[str, dict[str, str]] = {
    "new_hot": {
        "sv": "Fler händelser än runt omkring bara i den senaste perioden, aldrig tidigare.",
        "en": "More events than the surroundings in the latest period only, never before.",
    },
    "consecutive_hot": {
        "sv": "Fler händelser än runt omkring i de senaste perioderna i följd, men inte förut.",
        "en": "More events than the surroundings in the last few periods in a row, not before.",
    },
    "intensifying_hot": {
        "sv": "Nästan alltid fler händelser än runt omkring, och det ökar.",
        "en": "Almost always more events than the surroundings, and growing.",
    },
    "persistent_hot": {
        "sv": "Nästan alltid fler händelser än runt omkring, utan tydlig ökning eller minskning.",
        "en": "Almost always more events than the surroundings, neither growing nor shrinking.",
    },
    "diminishing_hot": {
        "sv": "Nästan alltid fler händelser än runt omkring, men det minskar.",
        "en": "Almost always more events than the surroundings, but shrinking.",
    },
    "oscillating_hot": {
        "sv": "Nu fler händelser än runt omkring, men har tidigare haft färre.",
        "en": "More events than the surroundings now, but fewer at times before.",
    },
    "sporadic_hot": {
        "sv": "Fler händelser än runt omkring då och då, nu också.",
        "en": "More events than the surroundings now and then, including now.",
    },
    "historical_hot": {
        "sv": "Hade ofta fler händelser än runt omkring förut, men inte den senaste perioden.",
        "en": "Often had more events than the surroundings before, but not in the latest period.",
    },
    "new_cold": {
        "sv": "Färre händelser än runt omkring bara i den senaste perioden, aldrig tidigare.",
        "en": "Fewer events than the surroundings in the latest period only, never before.",
    },
    "consecutive_cold": {
        "sv": "Färre händelser än runt omkring i de senaste perioderna i följd, men inte förut.",
        "en": "Fewer events than the surroundings in the last few periods in a row, not before.",
    },
    "intensifying_cold": {
        "sv": "Nästan alltid färre händelser än runt omkring, och skillnaden växer.",
        "en": "Almost always fewer events than the surroundings, and the gap is growing.",
    },
    "persistent_cold": {
        "sv": "Nästan alltid färre händelser än runt omkring, utan tydlig förändring.",
        "en": "Almost always fewer events than the surroundings, without a clear change.",
    },
    "diminishing_cold": {
        "sv": "Nästan alltid färre händelser än runt omkring, men skillnaden krymper.",
        "en": "Almost always fewer events than the surroundings, but the gap is shrinking.",
    },
    "oscillating_cold": {
        "sv": "Nu färre händelser än runt omkring, men har tidigare haft fler.",
        "en": "Fewer events than the surroundings now, but more at times before.",
    },
    "sporadic_cold": {
        "sv": "Färre händelser än runt omkring då och då, nu också.",
        "en": "Fewer events than the surroundings now and then, including now.",
    },
    "historical_cold": {
        "sv": "Hade ofta färre händelser än runt omkring förut, men inte den senaste perioden.",
        "en": "Often had fewer events than the surroundings before, but not in the latest period.",
    },
    "no_pattern": {
        "sv": "Inget som skiljer ut rutan från omgivningen.",
        "en": "Nothing sets the cell apart from its surroundings.",
    },
}

GI_BINS: tuple[int, ...] = (3, 2, 1, -1, -2, -3)
"""A period's Gi* bin: +3/+2/+1 a hot spot at 99/95/90 % confidence, negative a cold spot."""

GI_BIN_COLOURS: dict[int, str] = {
    3: "#b2182b",
    2: "#ef8a62",
    1: "#fddbc7",
    -1: "#d1e5f0",
    -2: "#67a9cf",
    -3: "#2166ac",
}
GI_BIN_LABELS: dict[int, dict[str, str]] = {
    3: {"sv": "Hotspot, 99 % säkerhet", "en": "Hot spot, 99 % confidence"},
    2: {"sv": "Hotspot, 95 % säkerhet", "en": "Hot spot, 95 % confidence"},
    1: {"sv": "Hotspot, 90 % säkerhet", "en": "Hot spot, 90 % confidence"},
    -1: {"sv": "Coldspot, 90 % säkerhet", "en": "Cold spot, 90 % confidence"},
    -2: {"sv": "Coldspot, 95 % säkerhet", "en": "Cold spot, 95 % confidence"},
    -3: {"sv": "Coldspot, 99 % säkerhet", "en": "Cold spot, 99 % confidence"},
}


def gi_bins_json() -> list[dict[str, object]]:
    """The period bins with colour and labels, strongest hot first."""
    return [{"bin": b, "colour": GI_BIN_COLOURS[b], "label": GI_BIN_LABELS[b]} for b in GI_BINS]
