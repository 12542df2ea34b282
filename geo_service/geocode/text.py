"""Text helpers shared by geocoding and ingest: folding names, mapping distinct values once."""

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def fold(name: object) -> str:
    """Lower case, no diacritics, non-alphanumerics as single underscores: 'Öst ' → 'ost'."""
    text = unicodedata.normalize("NFKD", str(name).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def as_arrow(values: pd.Series) -> pa.Array:
    """A text column as one Arrow string array (null for missing)."""
    array = pa.array(values.astype(pd.StringDtype("pyarrow")).array)
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def distinct(values: pd.Series | pa.Array) -> tuple[np.ndarray, list[str]]:
    """The distinct texts of a text column ('' for missing) and each row's index into them."""
    if isinstance(values, pd.Series):
        values = as_arrow(values)
    encoded = pc.dictionary_encode(values.fill_null(""))
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def map_unique(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """func applied once per distinct value (categories, names: few values, many rows)."""
    if isinstance(values.dtype, pd.StringDtype) and len(values):
        codes, uniques = distinct(values)
        mapped = pd.Series(list(map(func, uniques)))  # the dtype Series.map(dict) would give
        return mapped.take(codes).set_axis(values.index)
    uniques = pd.unique(values.to_numpy(dtype=object, na_value=""))
    return values.fillna("").astype(object).map(dict(zip(uniques, map(func, uniques), strict=True)))
