"""Column recognition: Swedish and English names, X as northing, clear errors."""

import pytest

from geo_service.errors import GeoServiceError
from geo_service.ingest.mapping import Mapping, check_required, parse_mapping, resolve_columns


def test_swedish_names_are_recognised_and_x_is_northing() -> None:
    columns = ["Ärendenummer", "Datum", "Tid", "Brottstyp", "Beskrivning", "X", "Y"]
    resolved = resolve_columns(columns, Mapping())
    assert resolved == {
        "source_id": "Ärendenummer",
        "occurred_at": "Datum",
        "time": "Tid",
        "category": "Brottstyp",
        "description": "Beskrivning",
        "north": "X",
        "east": "Y",
    }


def test_nord_ost_and_english_names() -> None:
    assert resolve_columns(["Nord", "Öst", "Date", "Category"], Mapping()) == {
        "north": "Nord",
        "east": "Öst",
        "occurred_at": "Date",
        "category": "Category",
    }


def test_missing_fields_are_listed_with_the_files_columns() -> None:
    columns = ["id", "datum", "beskrivning"]
    with pytest.raises(GeoServiceError) as info:
        check_required(resolve_columns(columns, Mapping()), columns, has_geometry=False)
    assert info.value.code == "missing_columns"
    assert "kategori" in info.value.message and "plats" in info.value.message
    assert "id, datum, beskrivning" in info.value.message


def test_a_mapping_naming_absent_columns_or_unknown_fields_is_an_error() -> None:
    with pytest.raises(GeoServiceError, match="Nordkoord"):
        resolve_columns(["a"], parse_mapping({"columns": {"north": "Nordkoord"}}))
    with pytest.raises(GeoServiceError, match="colour"):
        parse_mapping({"columns": {"colour": "Färg"}})
