"""The evidence's sentences and method names in Swedish and English."""

METHOD_LABELS = {
    "sv": {
        "counts_last": "antalet förra perioden",
        "counts_longrun": "alla tidigare händelser",
        "gi_star": "Gi* (senaste perioden)",
        "ehsa": "hotspotkategorierna",
        "kde": "kärntäthet (KDE)",
        "prospective": "prospektiv hotspotkartläggning",
        "scan": "skanningens kluster",
    },
    "en": {
        "counts_last": "last period's counts",
        "counts_longrun": "all earlier events",
        "gi_star": "Gi* (last period)",
        "ehsa": "the hot spot categories",
        "kde": "kernel density (KDE)",
        "prospective": "prospective hot-spotting",
        "scan": "the scan's clusters",
    },
}

TEXTS = {
    "sv": {
        "nr_raised": "{after} är risken förhöjd inom {distance} m i {days} dagar, {ratio} gånger "
        "det väntade.",
        "nr_none": "{after} är risken inte mätbart förhöjd i något band av avstånd och tid.",
        "nr_too_few": "{label}: för få händelser (färre än {minimum}) för att pröva nära "
        "upprepningar.",
        "winner": "På era egna data de senaste {origins} perioderna fångade {method} flest "
        "händelser: PAI {pai} ({low}–{high}) när {coverage} % av ytan pekas ut{runner_up}.",
        "runner_up": ", mot PAI {pai} för {method}",
    },
    "en": {
        "nr_raised": "{after} the risk is raised within {distance} m for {days} days, {ratio} "
        "times the expected.",
        "nr_none": "{after} the risk is not measurably raised in any band of distance and time.",
        "nr_too_few": "{label}: too few events (fewer than {minimum}) to test for near repeats.",
        "winner": "On your own data over the last {origins} periods, {method} caught the most "
        "events: PAI {pai} ({low}–{high}) with {coverage}% of the area flagged{runner_up}.",
        "runner_up": ", against PAI {pai} for {method}",
    },
}


def number(value: float, lang: str, decimals: int = 1) -> str:
    """A number for a sentence: a decimal comma in Swedish; '–' when not a number."""
    if value != value:  # NaN
        return "–"
    out = f"{value:.{decimals}f}"
    return out.replace(".", ",") if lang == "sv" else out


def capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def day_band(time_from: float, time_to: float) -> str:
    """A time band in whole days as people count them: 0–7, then 8–14 (a band is (from, to])."""
    if time_from > 0 and float(time_from).is_integer():
        return f"{time_from + 1:g}–{time_to:g}"
    return f"{time_from:g}–{time_to:g}"
