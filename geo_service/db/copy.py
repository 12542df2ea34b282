"""Bulk writes: a DataFrame through COPY, and the H3 cell polygons that results refer to."""

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, text

from geo_service.grid import cell_polygons


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as headerless CSV for COPY, written by Arrow's C++ writer (pandas' is over 10×
    slower): strings always quoted, so "" is an empty text and an unquoted empty field NULL."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    return buffer.getvalue()


def copy_frame(conn: Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY the frame's rows into `table`, columns by name (a fixed table, never user input)."""
    raw = conn.connection.dbapi_connection
    sql = f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor().copy(sql) as copy:
        copy.write(csv_bytes(frame))


def ensure_h3_cells(conn: Connection, cell_arrays: list[np.ndarray]) -> int:
    """Add the polygons of cells not yet in h3_cell; returns how many were added."""
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
    rows = [
        {"cell": int(c), "res": int(r), "g": s.wkt, "w": w.wkt}
        for c, r, s, w in zip(missing, resolution, sweref, wgs, strict=True)
    ]
    conn.execute(
        text(
            "INSERT INTO h3_cell (cell, resolution, geom, geom_4326) VALUES "
            "(:cell, :res, ST_GeomFromText(:g, 3006), ST_GeomFromText(:w, 4326)) "
            "ON CONFLICT (cell) DO NOTHING"
        ),
        rows,
    )
    return int(missing.size)
