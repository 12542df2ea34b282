"""Folding names and mapping each distinct text once."""

import pandas as pd

from geo_service.geocode.text import distinct, fold, map_unique


def test_distinct_texts_and_codes() -> None:
    codes, uniques = distinct(pd.Series(["b", None, "b", "a"], dtype="string"))
    assert uniques == ["b", "", "a"]
    assert codes.tolist() == [0, 1, 0, 2]


def test_map_unique_calls_once_per_value_and_keeps_the_index() -> None:
    calls: list[str] = []

    def lookup(value: str) -> str | None:
        calls.append(value)
        return {"klotter": "K01"}.get(fold(value))

    values = pd.Series(["Klotter", "klotter ", None, "Klotter"], index=[5, 6, 7, 8], dtype="string")
    out = map_unique(values, lookup)
    assert out.tolist() == ["K01", "K01", None, "K01"]
    assert out.index.tolist() == [5, 6, 7, 8]
    assert sorted(calls) == ["", "Klotter", "klotter "]


def test_map_unique_of_object_values() -> None:
    out = map_unique(pd.Series(["a", None, 3], dtype=object), lambda v: f"<{v}>")
    assert out.tolist() == ["<a>", "<>", "<3>"]
