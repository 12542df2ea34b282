"""Address normalisation: case, spaces, g./gatan, v./vägen, 12B = 12 b, town optional."""

import pandas as pd

from geo_service.geocode.address import split_address


def test_spellings_of_one_address_normalise_alike() -> None:
    parts = split_address(
        pd.Series(["Storgatan 12B", "storg. 12 b", "  STORGATAN   12b , Perstorp"])
    )
    assert parts["street_norm"].tolist() == ["storgatan"] * 3
    assert parts["number"].tolist() == [12] * 3 and parts["letter"].tolist() == ["b"] * 3
    assert pd.isna(parts["town"][0]) and parts["town"][2] == "perstorp"


def test_vagen_abbreviation_postcode_and_no_number() -> None:
    parts = split_address(pd.Series(["Hälsingborgsv. 5, 284 31 Perstorp", "Västra vägen"]))
    assert parts["street_norm"].tolist() == ["hälsingborgsvägen", "västra vägen"]
    assert parts["town"][0] == "perstorp" and pd.isna(parts["number"][1])
