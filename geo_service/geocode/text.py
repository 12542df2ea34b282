"""Text helpers shared by geocoding and ingest: folding names, mapping distinct values once."""

import re
import unicodedata
from collections.abc import Callable

import pandas as pd


def fold(name: object) -> str:
    """Lower case, no diacritics, non-alphanumerics as single underscores: 'Öst ' → 'ost'."""
    text = unicodedata.normalize("NFKD", str(name).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def map_unique(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """func applied once per distinct value (categories, names: few values, many rows)."""
    uniques = pd.unique(values.to_numpy(dtype=object, na_value=""))
    return values.fillna("").astype(object).map(dict(zip(uniques, map(func, uniques), strict=True)))
