"""Loading an address register: Lantmäteriet Belägenhetsadress or any CSV/GeoPackage of points.

A load replaces the municipality's addresses (the register is delivered whole, weekly).
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from geo_service.db.copy import copy_frame
from geo_service.errors import GeoServiceError
from geo_service.geocode.address import normalize_street
from geo_service.geocode.crs import project
from geo_service.ingest.mapping import fold
from geo_service.ingest.parse import numbers
from geo_service.ingest.readers import GEOM_X, GEOM_Y, open_source

ADDRESS_NAMES: dict[str, tuple[str, ...]] = {
    "street": ("adressomrade", "gardsadressomrade", "gatunamn", "gata", "street"),
    "number": ("adressplatsnummer", "nummer", "husnummer", "number", "house_number"),
    "letter": ("bokstavstillagg", "bokstav", "letter"),
    "postcode": ("postnummer", "postcode", "zip"),
    "town": ("postort", "ort", "town", "city"),
    "district": ("kommundel", "district"),
    "popular_name": ("popularnamn", "popular_name"),
    "north": ("n", "nord", "northing", "x", "y_sweref", "lat", "latitude"),
    "east": ("e", "ost", "o", "easting", "y", "x_sweref", "lon", "longitude"),
}


def _pick(columns: list[str]) -> dict[str, str]:
    folded = {fold(c): c for c in columns}
    out = {}
    for name, aliases in ADDRESS_NAMES.items():
        for alias in aliases:
            if alias in folded:
                out[name] = folded[alias]
                break
    return out


def load_addresses(
    conn: Connection, municipality_code: str, path: Path, crs: int | None = None
) -> int:
    """Replace the municipality's address points with those in the file; returns the count."""
    source = open_source(path, chunk_rows=10**9)
    frame = pd.concat(list(source.chunks))
    picked = _pick(source.columns)
    has_xy = {"north", "east"} <= picked.keys()
    if "street" not in picked or not (has_xy or source.has_geometry):
        raise GeoServiceError(
            "missing_columns",
            "Adressfilen behöver gatunamn (adressområde/street) och en punkt (geometri eller "
            f"N/E). Filens kolumner: {', '.join(source.columns)}.",
        )
    if source.has_geometry:
        x, _ = numbers(frame[GEOM_X])
        y, _ = numbers(frame[GEOM_Y])
        x, y = x.to_numpy(float), y.to_numpy(float)
    else:
        north, _ = numbers(frame[picked["north"]])
        east, _ = numbers(frame[picked["east"]])
        p = project(north.to_numpy(float), east.to_numpy(float), crs)
        x, y = np.where(p.ok, p.x, np.nan), np.where(p.ok, p.y, np.nan)

    def column(name: str) -> pd.Series:
        if name not in picked:
            return pd.Series(pd.NA, index=frame.index, dtype="string")
        return frame[picked[name]].astype("string[python]").str.strip().replace("", pd.NA)

    number, _ = numbers(column("number"))
    table = pd.DataFrame(
        {
            "municipality_code": municipality_code,
            "street": column("street"),
            "street_norm": normalize_street(column("street")),
            "number": number.astype("Int64"),
            "letter": column("letter").str.upper(),
            "postcode": column("postcode").str.replace(" ", ""),
            "town": column("town"),
            "district": column("district"),
            "popular_name": column("popular_name"),
            "geom": [f"SRID=3006;POINT({a} {b})" for a, b in zip(x, y, strict=True)],
        }
    )
    table = table[np.isfinite(x) & np.isfinite(y) & table["street"].notna().to_numpy()]
    conn.execute(
        text("DELETE FROM address WHERE municipality_code = :mc"), {"mc": municipality_code}
    )
    copy_frame(conn, "address", table)
    conn.execute(text("ANALYZE address"))
    return len(table)
