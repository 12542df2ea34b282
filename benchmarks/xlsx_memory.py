"""Peak memory of reading an XLSX import: the streamed reader against pandas' read_excel.

Writes a workbook of synthetic police rows (id, category, lat, lon, Excel date), then reads it
in a fresh process each way (geo_service's `read_xlsx`, chunk by chunk; `pandas.read_excel`
whole, as the reader did before) and prints the peak resident memory above the process's own
after both readers' imports, and the wall time. Prints figures; never part of the timed test
run.

    .venv/bin/python benchmarks/xlsx_memory.py [--rows 400000]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from benchlib import machine_line, options

READ = """
import sys
from pathlib import Path

def status(field):  # kB; VmHWM is this process's own peak (ru_maxrss survives exec)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])

import openpyxl, pandas as pd
from geo_service.ingest.readers import read_xlsx
before = status("VmRSS")
if sys.argv[1] == "streamed":
    rows = sum(len(chunk) for chunk in read_xlsx(Path(sys.argv[2]), 100_000).chunks)
else:
    rows = len(pd.read_excel(sys.argv[2], dtype=object, engine="openpyxl"))
print(rows, (status("VmHWM") - before) / 1024)
"""


def workbook(path: Path, rows: int) -> Path:
    import openpyxl

    rng = np.random.default_rng(0)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["Diarienummer", "Brottstyp", "Lat", "Lon", "Datum"])
    ids = rng.integers(0, 10**9, rows)
    lat, lon = 56.1 + rng.random(rows) * 0.1, 13.3 + rng.random(rows) * 0.1
    serial = 45000 + rng.random(rows) * 700
    for i in range(rows):
        sheet.append([f"K{ids[i]}", "Skadegörelse", lat[i], lon[i], serial[i]])
    book.save(path)
    return path


def main() -> None:
    args = options(__doc__, rows=400_000)
    print(machine_line())
    with tempfile.TemporaryDirectory() as folder:
        path = workbook(Path(folder) / "polisen.xlsx", args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB packed")
        for how in ("streamed", "pandas.read_excel"):
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", READ, how, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows, peak = done.stdout.split()
            seconds = time.perf_counter() - start
            print(f"{how:>18}: {int(rows):,} rows, peak {float(peak):.0f} MiB, {seconds:.1f} s")


if __name__ == "__main__":
    main()
