# ruff: noqa: E501
"""Writes the ingest fixture files in the formats users really send (run once; files committed).

All points are in or near Perstorp (kommun 1275; approximate demo geometry).
Run: .venv/bin/python tests/data/ingest/make_files.py
"""

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import Transformer
from shapely.geometry import Point

HERE = Path(__file__).resolve().parent
WGS = {  # name: (lat, lon)
    "centrum": (56.1330, 13.3830),
    "station": (56.1372, 13.3945),
    "parken": (56.1296, 13.3905),
    "skolan": (56.1285, 13.3745),
    "oderljunga": (56.1900, 13.3300),
}


def xy(epsg: int, name: str, dx: float = 0.0) -> tuple[float, float]:
    """(easting, northing) of a named point in `epsg`."""
    lat, lon = WGS[name]
    e, n = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return e + dx, n


def sv(v: float, digits: int = 2) -> str:
    """A number the way Swedish Excel writes it: decimal comma."""
    return f"{v:.{digits}f}".replace(".", ",")


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(text.encode(encoding))


def main() -> None:
    c, s, p = xy(3006, "centrum"), xy(3006, "station"), xy(3006, "parken")
    # Swedish Excel export of a police extract: cp1252, semicolons, decimal commas, SWEREF 99 TM.
    rows = [
        "Ärendenummer;Brottsdatum;Klockslag;Brottstyp;Beskrivning;N;E",
        f"5000-K1001-25;2025-03-14;21:30;Skadegörelse;Sönderslagen ruta vid torget;{sv(c[1])};{sv(c[0])}",
        f"5000-K1002-25;14/03/2025;22.15;Misshandel;Bråk utanför kiosken, målsägande 811218-9876;{sv(s[1])};{sv(s[0])}",
        f"5000-K1003-25;15.03.2025;01:05;Klotter;Klotter på elskåp, ring 070-123 45 67;{sv(p[1])};{sv(p[0])}",
        f"5000-K1004-25;2025-03-16;12:00;Stöld;Cykelstöld vid stationen;{sv(s[1], 1)};{sv(s[0], 1)}",
        f"5000-K1005-25;2025-03-17;;Narkotika;Misstänkt försäljning i parken;{sv(p[1])};{sv(p[0])}",
    ]
    write("police_extract_excel.csv", "\r\n".join(rows) + "\r\n", "cp1252")
    # The same export with a row too long and one too short, and a euro sign (byte 0x80).
    rows = [
        "Ärendenummer;Brottsdatum;Klockslag;Brottstyp;Beskrivning;N;E",
        f"5000-K2001-25;2025-03-14;21:30;Skadegörelse;Sönderslagen ruta, skada 500 €;{sv(c[1])};{sv(c[0])}",
        f"5000-K2002-25;2025-03-14;22:00;Klotter;Klotter på bänken;Tömd;{sv(p[1])};{sv(p[0])}",
        "5000-K2003-25;2025-03-15;01:05;Stöld",
        f"5000-K2004-25;2025-03-16;12:00;Stöld;Cykelstöld vid stationen;{sv(s[1])};{sv(s[0])}",
    ]
    write("excel_1252_wrong_fields.csv", "\r\n".join(rows) + "\r\n", "cp1252")

    # A rapportör list saved as "CSV UTF-8" from Excel: BOM, comma separated, WGS84.
    rows = [
        "Datum,Tid,Kategori,Beskrivning,Lat,Lon,Allvarlighetsgrad",
        '2025-04-01,19:00,Klotter,"Nytt klotter, stora taggar på skolans vägg",56.1285,13.3745,1',
        "2025-04-02,20:30,Störande samling,Grupp ungdomar med mopeder; mejla anna.svensson@example.se,56.1330,13.3830,2",
        "2025-04-03,08:15,Belysning,Trasig belysning på gångvägen,56.1296,13.3905,1",
    ]
    write("rapportor_utf8_bom.csv", "\ufeff" + "\n".join(rows) + "\n")

    # Several coordinate systems in one X/Y file (X = northing), tab separated.
    tm, z1330, rt90 = xy(3006, "centrum"), xy(3008, "station"), xy(3021, "parken")
    w = WGS["skolan"]
    rows = [
        "id\tdatum\tkategori\tX\tY",
        f"tm\t2025-05-01 10:00\tklotter\t{tm[1]:.1f}\t{tm[0]:.1f}",
        f"zon1330\t2025-05-01 11:00\tklotter\t{z1330[1]:.1f}\t{z1330[0]:.1f}",
        f"rt90\t2025-05-01 12:00\tklotter\t{rt90[1]:.1f}\t{rt90[0]:.1f}",
        f"tm_swapped\t2025-05-01 13:00\tklotter\t{tm[0]:.1f}\t{tm[1]:.1f}",
        f"wgs_swapped\t2025-05-01 14:00\tklotter\t{w[1]}\t{w[0]}",
    ]
    write("coordinates_many_crs.tsv", "\n".join(rows) + "\n")

    # SWEREF 99 TM values in a file the user declares as WGS84.
    rows = ["id;datum;kategori;lat;lon", f"a1;2025-05-02 10:00;skadegörelse;{sv(c[1])};{sv(c[0])}"]
    write("sweref_declared_wgs84.csv", "\n".join(rows) + "\n")

    # Coordinates as text, NaN, (0, 0), swapped lat/lon, outside the municipality.
    rows = [
        "id;datum;kategori;lat;lon",
        "t1;2025-05-03 10:00;klotter;56°08'N;13°23'E",
        "t2;2025-05-03 10:00;klotter;NaN;NaN",
        "t3;2025-05-03 10:00;klotter;0;0",
        "t4;2025-05-03 10:00;klotter;13,3830;56,1330",
        "t5;2025-05-03 10:00;klotter;59,3293;18,0686",
        "t6;2025-05-03 10:00;klotter;56,1330;",
    ]
    write("coordinates_bad.csv", "\n".join(rows) + "\n")

    # Dates in many formats, and impossible ones.
    rows = [
        "id;datum;tid;kategori;lat;lon",
        "d1;2025-03-14;21:30;klotter;56,1330;13,3830",
        "d2;14/03/2025;;klotter;56,1330;13,3830",
        "d3;14.03.2025;21.30;klotter;56,1330;13,3830",
        "d4;2025-03-14T21:30:00+01:00;;klotter;56,1330;13,3830",
        "d5;20250314;;klotter;56,1330;13,3830",
        "d6;45730;;klotter;56,1330;13,3830",
        "d7;31/02/2025;;klotter;56,1330;13,3830",
        "d8;2099-01-01;;klotter;56,1330;13,3830",
        "d9;1985-06-01;;klotter;56,1330;13,3830",
        "d10;igår;;klotter;56,1330;13,3830",
        "d11;;;klotter;56,1330;13,3830",
    ]
    write("dates_many_formats.csv", "\n".join(rows) + "\n")

    write(
        "unknown_category.csv",
        "id;datum;kategori;lat;lon\n"
        "u1;2025-05-04 10:00;Trafikolycka;56,1330;13,3830\n"
        "u2;2025-05-04 11:00;Klotter;56,1330;13,3830\n",
    )
    write(
        "duplicates.csv",
        "id;datum;kategori;lat;lon\n"
        "x1;2025-05-05 10:00;klotter;56,1330;13,3830\n"
        "x1;2025-05-05 10:00;klotter;56,1330;13,3830\n"
        "x2;2025-05-05 11:00;klotter;56,1372;13,3945\n",
    )
    write(
        "duplicates_without_id.csv",
        "datum;kategori;beskrivning;lat;lon\n"
        "2025-05-05 10:00;klotter;Tagg;56,1330;13,3830\n"
        "2025-05-05 10:00;klotter;Tagg;56,1330;13,3830\n"
        "2025-05-05 12:00;klotter;Annan tagg;56,1330;13,3830\n",
    )
    write(
        "injection.csv",
        "id;datum;kategori;beskrivning;lat;lon\n"
        'i1;2025-05-06 10:00;klotter;"\'); DROP TABLE event; --";56,1330;13,3830\n'
        'i2;2025-05-06 10:00;klotter;"=HYPERLINK(""http://evil.example"",""klicka"")";56,1330;13,3830\n'
        "i3;2025-05-06 10:00;klotter;<script>alert(1)</script>;56,1330;13,3830\n"
        'i4;2025-05-06 10:00;"\'; DELETE FROM taxonomy; --";x;56,1330;13,3830\n',
    )
    write(
        "broken_quoting.csv",
        "id;datum;kategori;beskrivning;lat;lon\n"
        "q1;2025-05-07 10:00;klotter;Bra rad;56,1330;13,3830\n"
        'q2;2025-05-07 10:00;klotter;"Citat som aldrig stängs;56,1330;13,3830\n'
        "q3;2025-05-07 11:00;klotter;Också bra;56,1330;13,3830\n",
    )
    write(
        "extra_columns.csv",
        "id;datum;kategori;beskrivning;lat;lon;intern_kommentar\n"
        "e1;2025-05-08 10:00;klotter;Bra;56,1330;13,3830;ok\n"
        "e2;2025-05-08 10:00;klotter;För många fält;56,1330;13,3830;ok;extra;extra\n"
        "e3;2025-05-08 10:00;klotter;För få fält\n"
        "e4;2025-05-08 11:00;klotter;Bra igen;56,1330;13,3830;ok\n",
    )
    write(
        "missing_columns.csv",
        "id;datum;beskrivning;lat;lon\nm1;2025-05-09 10:00;Ingen kategori;56,1330;13,3830\n",
    )
    write("empty.csv", "")
    write("header_only.csv", "id;datum;kategori;lat;lon\n")
    write(
        "wrong_encoding.csv",
        "id;datum;kategori;lat;lon\nw1;2025-05-10;klotter;56,13;13,38\n",
        "utf-16-le",
    )

    # Addresses: a small register and events that refer to it.
    reg = []
    for street, number, letter, town, name, dx in [
        ("Storgatan", 1, "", "Perstorp", "centrum", 0),
        ("Storgatan", 3, "", "Perstorp", "centrum", 40),
        ("Storgatan", 12, "B", "Perstorp", "centrum", 120),
        ("Kyrkogatan", 3, "", "Perstorp", "parken", 0),
        ("Stationsvägen", 5, "", "Perstorp", "station", 0),
        ("Storgatan", 1, "", "Oderljunga", "oderljunga", 0),
    ]:
        e, n = xy(3006, name, dx)
        reg.append(f"{street};{number};{letter};284 9{len(reg)};{town};{sv(e)};{sv(n)}")
    write(
        "addresses.csv",
        "adressomrade;adressplatsnummer;bokstavstillagg;postnummer;postort;E;N\n"
        + "\n".join(reg)
        + "\n",
    )
    write(
        "address_events.csv",
        "id;datum;kategori;adress;ort\n"
        "a1;2025-05-11 10:00;klotter;Storgatan 3;Perstorp\n"
        "a2;2025-05-11 10:00;klotter;Storg. 12B;\n"
        "a3;2025-05-11 10:00;klotter;storgatan 12 b;Perstorp\n"
        "a4;2025-05-11 10:00;klotter;Kyrko g. 3;\n"
        "a5;2025-05-11 10:00;klotter;Stationsvagen 5;\n"
        "a6;2025-05-11 10:00;klotter;Storgatan 1;\n"
        "a7;2025-05-11 10:00;klotter;Ingenstansvägen 99;\n",
    )
    write(
        "place_events.csv",
        "id;datum;kategori;plats\n"
        "p1;2025-05-12 10:00;skadegörelse;stationen\n"
        "p2;2025-05-12 10:00;skadegörelse;Centrumparken\n"
        "p3;2025-05-12 10:00;skadegörelse;Månen\n",
    )

    # A source with its own column names and category codes, and its mapping file.
    write(
        "custom_columns.csv",
        "Händelse-ID;När;Kod;Fritext;Nordkoord;Östkoord\n"
        f"h1;2025-05-13 10:00;B12;Fönster krossat;{sv(c[1])};{sv(c[0])}\n"
        f"h2;2025-05-13 11:00;K01;Tags på muren;{sv(s[1])};{sv(s[0])}\n",
    )
    write(
        "custom_columns_mapping.yaml",
        "columns:\n  source_id: Händelse-ID\n  occurred_at: När\n"
        "  category: Kod\n  description: Fritext\n  north: Nordkoord\n  east: Östkoord\n"
        "categories:\n  B12: skadegorelse\n  K01: klotter\ncrs: 3006\n",
    )

    # Police events feed (polisen.se/api/events): gps is the municipality's centroid.
    feed = [
        {
            "id": 512345,
            "datetime": "2025-05-14 9:58:49 +02:00",
            "name": "14 maj 09.58, Skadegörelse, Perstorp",
            "summary": "Skadegörelse på skola.",
            "url": "/aktuellt/handelser/2025/maj/14/",
            "type": "Skadegörelse",
            "location": {"name": "Perstorp", "gps": "56.138,13.393"},
        },
        {
            "id": 512346,
            "datetime": "2025-05-14 22:10:00 +02:00",
            "name": "14 maj 22.10, Misshandel, Perstorp",
            "summary": "En man har misshandlats.",
            "url": "/aktuellt/handelser/2025/maj/14/2/",
            "type": "Misshandel",
            "location": {"name": "Perstorp", "gps": "56.138,13.393"},
        },
        {
            "id": 512347,
            "datetime": "2025-05-14 23:00:00 +02:00",
            "name": "14 maj 23.00, Brand, Stockholm",
            "summary": "Brand i lägenhet.",
            "url": "/x",
            "type": "Brand",
            "location": {"name": "Stockholm", "gps": "59.329324,18.068581"},
        },
        {
            "id": 512348,
            "datetime": "2025-05-15 06:00:00 +02:00",
            "name": "Sammanfattning natt",
            "summary": "Lugn natt.",
            "url": "/y",
            "type": "Sammanfattning natt",
            "location": {"name": "Perstorp", "gps": "56.138,13.393"},
        },
    ]
    write("police_feed.json", json.dumps(feed, ensure_ascii=False, indent=1))

    # XLSX with several sheets: instructions first, the findings on the second.
    with pd.ExcelWriter(HERE / "walk_findings.xlsx", engine="openpyxl") as xl:
        pd.DataFrame(
            {"Instruktion": ["Fyll i ett fynd per rad.", "Ange plats eller koordinater."]}
        ).to_excel(xl, sheet_name="Instruktioner", index=False)
        pd.DataFrame(
            {
                "Datum": pd.to_datetime(
                    ["2025-02-20 18:00", "2025-02-20 18:20", "2025-02-20 18:40"]
                ),
                "Kategori": ["Belysning", "Vegetation", "Otrygg plats"],
                "Beskrivning": ["Mörk gångtunnel", "Buskar skymmer sikten", "Otrygg passage"],
                "Plats": ["stationen", "Centrumparken", "Centrum"],
            }
        ).to_excel(xl, sheet_name="Fynd", index=False)
        pd.DataFrame({"Summa": [3]}).to_excel(xl, sheet_name="Summering", index=False)

    # GeoJSON tips (WGS84 points).
    tips = {
        "datum": ["2025-06-01 21:00", "2025-06-02 22:00"],
        "kategori": ["Narkotika", "Nedskräpning"],
        "beskrivning": ["Misstänkt langning", "Mycket skräp"],
    }
    points = [Point(13.3945, 56.1372), Point(13.3830, 56.1330)]
    write_spatial("tips.geojson", tips, points, 4326, "GeoJSON")

    # GeoPackage of polygons (a walk app exporting marked areas) in SWEREF 99 TM.
    walks = {
        "datum": ["2025-02-20", "2025-02-21"],
        "kategori": ["Belysning", "Vegetation"],
        "beskrivning": ["Mörkt område", "Igenvuxet"],
    }
    polygons = [Point(*xy(3006, "parken")).buffer(40), Point(*xy(3006, "skolan")).buffer(60)]
    write_spatial("walk_areas_polygons.gpkg", walks, polygons, 3006, "GPKG")

    # Shapefile of fault reports in SWEREF 99 13 30 (EPSG:3008).
    faults = {
        "Datum": ["2025-07-01 08:00", "2025-07-02 09:00"],
        "Kategori": ["Belysning", "Klotter"],
        "Text": ["Lampa trasig", "Klotter på bänk"],
    }
    points = [Point(*xy(3008, "station")), Point(*xy(3008, "centrum"))]
    write_spatial("fault_reports.shp", faults, points, 3008, None)

    # Trygghetsmätning: index per area, year and question.
    write(
        "survey_results.csv",
        "Område;År;Fråga;Index;Svarande\n"
        "Perstorp centrala;2024;Nedskräpning;2,8;150\n"
        "Perstorp centrala;2024;Totalt;2,4;150\n"
        "Oderljunga;2024;Totalt;1,9;80\n"
        "Mars;2024;Totalt;1,0;10\n"
        "Oderljunga;2024;Langning;7,5;80\n",
    )


def write_spatial(
    name: str, columns: dict[str, list], geometry: list, crs: int, driver: str | None
) -> None:
    """A spatial file of these columns and geometries in `crs` (the driver by name if None)."""
    frame = gpd.GeoDataFrame(columns, geometry=geometry, crs=crs)
    frame.to_file(HERE / name, **({"driver": driver} if driver else {}))


if __name__ == "__main__":
    main()
