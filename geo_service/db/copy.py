"""Bulk writes: a DataFrame through COPY, and the H3 cell polygons that results refer to."""

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely
from sqlalchemy import Connection, text

from geo_service.grid import cell_polygons


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as headerless CSV for COPY, written by Arrow's C++ writer (pandas' is over 10×
    slower): strings always quoted, so "" is an empty text and an unquoted empty field NULL."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    return buffer.getvalue()


_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")])
_EWKB_POINT_WITH_SRID = 0x20000001


def ewkb_points(x: np.ndarray, y: np.ndarray, srid: int) -> pa.BinaryArray:
    """Points as EWKB (what PostGIS reads from a binary COPY), built in one vectorised pass;
    NaN coordinates give NULL."""
    n = len(x)
    record = np.empty(n, dtype=_POINT)
    record["order"], record["type"], record["srid"] = 1, _EWKB_POINT_WITH_SRID, srid
    record["x"], record["y"] = x, y
    offsets = np.arange(0, (n + 1) * _POINT.itemsize, _POINT.itemsize, dtype=np.int32)
    missing = np.isnan(x) | np.isnan(y)
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if missing.any() else None
    return pa.BinaryArray.from_buffers(
        pa.binary(),
        n,
        [validity, pa.py_buffer(offsets), pa.py_buffer(record.tobytes())],
        int(missing.sum()),
    )


def adbc_uri(conn: Connection) -> str:
    """The libpq URI of the connection's database, for an ADBC connection beside it."""
    url = conn.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY the frame's rows into `table`, columns by name (a fixed table, never user input)."""
    raw = conn.connection.dbapi_connection
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor().copy(sql) as copy:
        copy.write(csv_bytes(frame))


def ensure_h3_cells(conn: Connection, cell_arrays: list[np.ndarray]) -> int:
    """Add the polygons of cells not yet in h3_cell; returns how many were added."""
    if not cell_arrays:
        return 0
    cells = np.unique(np.concatenate([np.asarray(a, dtype=np.int64) for a in cell_arrays]))
    if cells.size == 0:
        return 0
    known = conn.execute(
        text("SELECT cell FROM h3_cell WHERE cell = ANY(:cells)"), {"cells": cells.tolist()}
    ).scalars()
    missing = np.setdiff1d(cells, np.fromiter(known, dtype=np.int64))
    if missing.size == 0:
        return 0
    wgs, sweref = cell_polygons(missing)
    resolution = (missing.view(np.uint64) >> np.uint64(52)) & np.uint64(15)
    conn.execute(
        text(
            "INSERT INTO h3_cell (cell, resolution, geom, geom_4326) "
            "SELECT c, r, ST_GeomFromWKB(g, 3006), ST_GeomFromWKB(w, 4326) FROM unnest("
            "CAST(:cells AS bigint[]), CAST(:res AS int[]), CAST(:g AS bytea[]), "
            "CAST(:w AS bytea[])) AS t(c, r, g, w) ON CONFLICT (cell) DO NOTHING"
        ),
        {
            "cells": missing.tolist(),
            "res": resolution.astype(np.int64).tolist(),
            "g": shapely.to_wkb(sweref).tolist(),
            "w": shapely.to_wkb(wgs).tolist(),
        },
    )
    return int(missing.size)
