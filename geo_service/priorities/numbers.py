"""Numbers as people read them: Swedish decimal comma or English point, p-values with a floor."""

import math


def fmt_number(value: float, lang: str = "sv", decimals: int = 1) -> str:
    """1 decimal by default; Swedish uses a decimal comma."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "sv" else text


def fmt_p(p: float, lang: str = "sv") -> str:
    """'p = 0,004', or 'p < 0,001' for very small values."""
    if not math.isfinite(p):
        return "p = –"
    if p < 0.001:
        return "p < " + fmt_number(0.001, lang, 3)
    return "p = " + fmt_number(p, lang, 3)


def finite_or_none(value: float) -> float | None:
    """JSON cannot hold NaN or infinity: those become null."""
    return float(value) if math.isfinite(value) else None
