"""Benchmark of the vector tiles: throughput and p50/p99 latency of a fixed tile list.

Starts a real `geo-service serve` (the worker count it ships with), on 127.0.0.1 only, and sends
every tile covering the municipality at zooms 10-15 for the layers hotspots, places and
events_agg from 8 keep-alive connections (wrk, Debian package `wrk`; else the lean asyncio
generator of benchmarks/loadgen.py). Two data sets: the Perstorp demo (1275) and 1,000,000
synthetic events around the demo places (9801), each with a real analysis run. Baselines in the
same run: the server with its tile cache off (GEO_SERVICE_TILE_CACHE_SIZE=0: ST_AsMVT per
request), and a plain per-request ST_AsMVT over analysis_cell/h3_cell and event/h3_cell sent
straight to PostGIS from 8 threads (no HTTP). Also checks TCP_NODELAY on the server's accepted
sockets. Every load phase is bounded in time and request count; the script stops the server
itself.

    export GEO_SERVICE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/geo_service_bench_tiles
    .venv/bin/python benchmarks/tiles.py [--seconds 5] [--events 1000000] [--rebuild]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import shapely
from loadgen import run_phase
from pyproj import Transformer
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from geo_service.api.auth import create_token
from geo_service.config import get_settings
from geo_service.db import migrate
from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp
from geo_service.demo.load import load_demo
from geo_service.grid.cells import latlng_to_cells
from geo_service.ingest.loader import upsert_events
from geo_service.runs import latest_run, run_analysis

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/geo_service_bench_tiles"
BIG_MC = "9801"
CLIENTS = 8
ZOOMS = range(10, 16)
LAYERS = ("hotspots", "places", "events_agg")
TO_4326 = Transformer.from_crs(3006, 4326, always_xy=True)


# --------------------------------------------------------------------------- data


def prepare_database(url: str) -> Engine:
    """Create the database when missing and migrate it to head."""
    migrate.create_database_if_missing(url)
    migrate.upgrade(url)
    return create_engine(url, pool_size=CLIENTS, max_overflow=2)


def latest_run_id(session: Session, mc: str) -> int | None:
    """The id of the municipality's latest completed run, or None."""
    run = latest_run(session, mc)
    return run.id if run is not None else None


def ensure_demo(engine: Engine) -> tuple[int, float]:
    """The Perstorp demo with a run up to the meeting date; (run id, seconds spent)."""
    t0 = time.perf_counter()
    with Session(engine) as session:
        run = latest_run_id(session, perstorp.CODE)
        if run is None:
            load_demo(session)
            run = run_analysis(session, perstorp.CODE, to_date=perstorp.MEETING_DATE)
        session.commit()
    return run, time.perf_counter() - t0


def synthetic_events(n: int, seed: int = 9801) -> pd.DataFrame:
    """n events in the loader's layout around the demo places (EPSG:3006) over the demo's periods.

    Two thirds cluster at the places (Stationsområdet growing, Oderljunga bursting at the end),
    one third is background spread over the municipality.
    """
    rng = np.random.default_rng(seed)
    places = perstorp.PLACES
    centres = np.array([p.xy() for p in places])
    weights = np.array([6, 5, 3, 3, 2, 1, 2], dtype=float)[: len(places)]
    n_place = n * 2 // 3
    which = rng.choice(len(places), n_place, p=weights / weights.sum())
    spread = np.array([p.radius_m for p in places])[which] * 0.6
    px = centres[which, 0] + rng.normal(0, 1, n_place) * spread
    py = centres[which, 1] + rng.normal(0, 1, n_place) * spread
    cx, cy = shapely.centroid(shapely.from_wkt(perstorp.boundary().wkt)).coords[0]
    n_bg = n - n_place
    bx, by = cx + rng.normal(0, 3000, n_bg), cy + rng.normal(0, 2500, n_bg)
    x, y = np.concatenate([px, bx]), np.concatenate([py, by])
    # time: uniform over the span, skewed late for Stationsområdet, last period for Oderljunga
    span = perstorp.N_PERIODS * perstorp.PERIOD_DAYS * 86400
    u = rng.random(n)
    station = np.concatenate([which == 1, np.zeros(n_bg, bool)])
    oder = np.concatenate([which == 5, np.zeros(n_bg, bool)])
    u[station] = np.sqrt(u[station])
    u[oder] = 1 - rng.random(oder.sum()) * (perstorp.PERIOD_DAYS / (span / 86400))
    start = pd.Timestamp(perstorp.FIRST_PERIOD_START, tz="Europe/Stockholm")
    occurred = start + pd.to_timedelta(np.minimum(u * span, span - 1), unit="s")
    lon, lat = TO_4326.transform(x, y)
    categories = np.array(["skadegorelse", "klotter", "stold", "nedskrapning", "fordon"])
    ids = pd.Series(np.arange(n)).map("{:032x}".format)
    frame = pd.DataFrame(
        {
            "kind": "incident",
            "category": categories[rng.integers(len(categories), size=n)],
            "source": "bench",
            "source_id": ids,
            "content_hash": ids,
            "occurred_at": occurred,
            "x": x.round(2),
            "y": y.round(2),
            "geocode_method": "coordinates",
            "geocode_score": 1.0,
            "created_by": "benchmark",
            "place_id": 0,  # no point-in-place lookup: these rows need none
        }
    )
    for res in (8, 9, 10):
        frame[f"h3_r{res}"] = latlng_to_cells(np.asarray(lat), np.asarray(lon), res)
    return frame


def ensure_big(engine: Engine, n: int, rebuild: bool) -> tuple[int, float]:
    """Municipality 9801 (the demo boundary) with n synthetic events and a run."""
    t0 = time.perf_counter()
    with Session(engine) as session:
        conn = session.connection()
        count = conn.execute(
            text("SELECT count(*) FROM event WHERE municipality_code = :mc"), {"mc": BIG_MC}
        ).scalar()
        run = latest_run_id(session, BIG_MC)
        if rebuild or count != n:
            ensure_municipality(
                session,
                BIG_MC,
                "Benchmark (Perstorp x 600)",
                perstorp.boundary().wkt,
                "synthetic benchmark data",
            )
            conn.execute(text("DELETE FROM event WHERE municipality_code = :mc"), {"mc": BIG_MC})
            conn.execute(
                text("DELETE FROM analysis_run WHERE municipality_code = :mc"), {"mc": BIG_MC}
            )
            conn.execute(
                text(
                    "INSERT INTO source (municipality_code, code, name, kind) VALUES "
                    "(:mc, 'bench', 'Benchmark', 'police') ON CONFLICT DO NOTHING"
                ),
                {"mc": BIG_MC},
            )
            conn.execute(
                text(
                    "INSERT INTO place (municipality_code, name, kind, aliases, geom, point, "
                    "note) "
                    "SELECT :mc, name, kind, aliases, geom, point, note FROM place "
                    "WHERE municipality_code = :demo ON CONFLICT DO NOTHING"
                ),
                {"mc": BIG_MC, "demo": perstorp.CODE},
            )
            frame = synthetic_events(n)
            print(f"# {BIG_MC}: {n:,} events generated in {time.perf_counter() - t0:.1f} s")
            for start in range(0, n, 200_000):
                upsert_events(conn, BIG_MC, frame.iloc[start : start + 200_000])
            session.commit()
            conn = session.connection()
            conn.execute(text("ANALYZE event"))
            print(f"# {BIG_MC}: loaded after {time.perf_counter() - t0:.1f} s")
            run = None
        if run is None:
            t1 = time.perf_counter()
            run = run_analysis(session, BIG_MC, to_date=perstorp.MEETING_DATE)
            print(f"# {BIG_MC}: run_analysis {time.perf_counter() - t1:.1f} s")
        session.commit()
    return run, time.perf_counter() - t0


def tokens(engine: Engine) -> dict[str, str]:
    """A fresh analyst token per data set."""
    with Session(engine) as session:
        found = {mc: create_token(session, mc, "analyst", "benchmark") for mc in ("1275", BIG_MC)}
        session.commit()
    return found


# --------------------------------------------------------------------------- tiles


def tiles_covering(boundary_3006: shapely.Geometry, zooms: range) -> list[tuple[int, int, int]]:
    """Every XYZ tile at the given zooms whose envelope meets the boundary."""
    xs, ys = np.asarray(boundary_3006.exterior.xy)
    lon, lat = TO_4326.transform(xs, ys)
    poly = shapely.Polygon(zip(lon, lat, strict=True))
    west, south, east, north = poly.bounds
    out = []
    for z in zooms:
        n = 2**z

        def tx(lo: float, n: int = n) -> int:
            return int((lo + 180) / 360 * n)

        def ty(la: float, n: int = n) -> int:
            return int((1 - math.asinh(math.tan(math.radians(la))) / math.pi) / 2 * n)

        for x in range(tx(west), tx(east) + 1):
            for y in range(ty(north), ty(south) + 1):
                lo0, lo1 = x / n * 360 - 180, (x + 1) / n * 360 - 180
                la0 = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
                la1 = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
                if poly.intersects(shapely.box(lo0, la0, lo1, la1)):
                    out.append((z, x, y))
    return out


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def started(
    cmd: list[str], environ: dict[str, str], probe: str, port: int
) -> Iterator[tuple[str, subprocess.Popen]]:
    """A server process on 127.0.0.1:port, yielded once `probe` answers; stopped afterwards."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, env=environ, cwd=tempfile.gettempdir(), stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}{probe}", timeout=2).status_code < 500:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"server did not start:\n{log.read().decode()[-3000:]}")
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def serve(url: str, **env: str) -> contextlib.AbstractContextManager[tuple[str, subprocess.Popen]]:
    """A `geo-service serve` process on a free loopback port with its shipped defaults."""
    port = free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GEO_SERVICE_") or k == "GEO_SERVICE_DATABASE_URL"
    }
    environ |= {"GEO_SERVICE_DATABASE_URL": url, **env}
    exe = str(Path(sys.executable).with_name("geo-service"))
    cmd = [exe, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return started(cmd, environ, "/api/v1/health", port)


def serve_tipg(url: str, venv: Path) -> contextlib.AbstractContextManager[tuple[str, Any]]:
    """tipg (its defaults, one uvicorn worker) from its own virtualenv on the same database."""
    port = free_port()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    environ = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": dsn}
    environ |= {"TIPG_DB_SCHEMAS": '["public"]'}
    cmd = [str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--log-level", "warning"]
    return started(cmd, environ, "/collections", port)


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += _descendants(int(child))
    return found


def probe_nodelay(base: str, proc: subprocess.Popen) -> str:
    """TCP_NODELAY of the server side of a live keep-alive connection, read via pidfd_getfd."""
    port = int(base.rsplit(":", 1)[1])
    libc = ctypes.CDLL(None, use_errno=True)
    with httpx.Client(base_url=base) as client:
        client.get("/api/v1/health")
        stream = client.get("/api/v1/health").extensions["network_stream"]
        local = stream.get_extra_info("client_addr")[1]
        for pid in _descendants(proc.pid):
            try:
                pidfd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                for fd_path in Path(f"/proc/{pid}/fd").iterdir():
                    try:
                        if not os.readlink(fd_path).startswith("socket:"):
                            continue
                    except OSError:
                        continue
                    dup = libc.syscall(438, pidfd, int(fd_path.name), 0)  # pidfd_getfd
                    if dup < 0:
                        err = ctypes.get_errno()
                        return f"not checked (pidfd_getfd: {os.strerror(err)})"
                    with socket.socket(fileno=dup) as s:
                        if s.family not in (socket.AF_INET, socket.AF_INET6):
                            continue
                        try:
                            if s.getsockname()[1] != port or s.getpeername()[1] != local:
                                continue
                        except OSError:
                            continue
                        value = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                        return f"{'on' if value else 'OFF'} (pid {pid}, fd {fd_path.name})"
            finally:
                os.close(pidfd)
    return "not checked (server socket not found)"


# --------------------------------------------------------------------------- load


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_us: float = math.nan  # server process CPU per request (robust to a busy machine)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_LUA = """
local paths = {%s}
local max_requests = %d
local thread_index = 0
setup = function(thread)
  thread:set("offset", thread_index * math.floor(#paths / 2))
  thread_index = thread_index + 1
end
local i, n = 0, 0
init = function(args) i = offset end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  n = n + 1
  if n >= max_requests then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests": %%d, "us": %%d, "p50": %%d, "p99": %%d, ' ..
    '"status": %%d, "connect": %%d, "read": %%d, "timeout": %%d}\\n', summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
"""


def load_wrk(
    label: str, base: str, paths: list[str], token: str, seconds: float, max_requests: int
) -> Result:
    """8 keep-alive connections from wrk (2 threads), bounded by time and request count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % (",".join(json.dumps(p) for p in paths), max_requests // 2))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{CLIENTS}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                "-H",
                f"Authorization: Bearer {token}",
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH "))
    d = json.loads(line[6:])
    errors = d["status"] + d["connect"] + d["read"] + d["timeout"]
    return Result(label, d["requests"], d["us"] / 1e6, d["p50"] / 1e3, d["p99"] / 1e3, errors)


def load_threads(
    label: str,
    work: Callable[[int], Callable[[], bool]],
    n_items: int,
    seconds: float,
    max_requests: int,
) -> Result:
    """8 threads, each calling its own worker over the items in turn; latencies per call."""
    deadline = time.perf_counter() + seconds
    lat: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0] * CLIENTS
    per_thread = max_requests // CLIENTS

    def loop(t: int) -> None:
        call = work(t)
        i = t * n_items // CLIENTS
        while len(lat[t]) < per_thread and time.perf_counter() < deadline:
            t0 = time.perf_counter()
            ok = call(i % n_items)
            lat[t].append(time.perf_counter() - t0)
            errors[t] += not ok
            i += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(t,)) for t in range(CLIENTS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - start
    all_lat = np.concatenate([np.asarray(x) for x in lat]) * 1e3
    p50, p99 = np.percentile(all_lat, [50, 99]) if all_lat.size else (math.nan, math.nan)
    return Result(label, int(all_lat.size), elapsed, float(p50), float(p99), sum(errors))


def load_http(
    label: str, base: str, paths: list[str], token: str, seconds: float, max_requests: int
) -> Result:
    """wrk when installed, else the lean asyncio generator (benchmarks/loadgen.py), both with 8
    keep-alive connections."""
    if shutil.which("wrk"):
        return load_wrk(label, base, paths, token, seconds, max_requests)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = time.perf_counter()
    route = run_phase(base, headers, {"tiles": (CLIENTS, paths)}, seconds)["tiles"]
    elapsed = time.perf_counter() - start
    ms = np.asarray(route.latencies) * 1e3
    p50, p99 = np.percentile(ms, [50, 99]) if ms.size else (math.nan, math.nan)
    errors = sum(n for status, n in route.statuses.items() if status not in (200, 204, 304))
    return Result(label + " (loadgen)", int(ms.size), elapsed, float(p50), float(p99), errors)


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU of the server and its children so far."""
    total = 0
    for pid in _descendants(proc.pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def measured(
    proc: subprocess.Popen,
    label: str,
    base: str,
    paths: list[str],
    token: str,
    seconds: float,
    max_requests: int,
) -> Result:
    """One HTTP load phase with the server's CPU per request attached."""
    before = cpu_seconds(proc)
    result = load_http(label, base, paths, token, seconds, max_requests)
    if result.requests:
        result.cpu_us = (cpu_seconds(proc) - before) / result.requests * 1e6
    return result


def survey(base: str, paths: list[str], token: str) -> tuple[int, int, float]:
    """One pass over the list (warms the cache): (tiles with data, errors, mean bytes)."""
    sizes, errors = [], 0
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=base, headers=auth, timeout=120) as client:
        for p in paths:
            r = client.get(p)
            if r.status_code == 200:
                sizes.append(len(r.content))
            elif r.status_code != 204:
                errors += 1
    return len(sizes), errors, float(np.mean(sizes)) if sizes else 0.0


# --------------------------------------------------------------------------- raw SQL baseline

RAW_HOTSPOTS = text("""
SELECT ST_AsMVT(t, 'hotspots', 4096, 'geom') FROM (
  SELECT lower(to_hex(c.cell)) AS cell, c.category, c.final_z AS z, c.final_p AS p, c.total,
         ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope(:z, :x, :y)) AS geom
  FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell
  WHERE c.municipality_code = :mc AND c.run_id = :run
    AND h.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 3006)
) t WHERE geom IS NOT NULL
""")


def raw_events(resolution: int) -> str:
    return f"""
SELECT ST_AsMVT(t, 'events_agg', 4096, 'geom') FROM (
  SELECT lower(to_hex(n.cell)) AS cell, n.count,
         ST_AsMVTGeom(ST_Transform(h.geom, 3857), ST_TileEnvelope(:z, :x, :y)) AS geom
  FROM (SELECT e.h3_r{resolution} AS cell, count(*) AS count FROM event e
        WHERE e.municipality_code = :mc
          AND e.geom && ST_Transform(ST_TileEnvelope(:z, :x, :y), 3006) GROUP BY 1) n
  JOIN h3_cell h ON h.cell = n.cell
) t WHERE geom IS NOT NULL
"""


RAW_EVENTS = {r: text(raw_events(r)) for r in (8, 9, 10)}


def load_raw(
    label: str,
    engine: Engine,
    layer: str,
    mc: str,
    run: int,
    tiles: list[tuple[int, int, int]],
    seconds: float,
    max_requests: int,
) -> Result:
    """Plain per-request ST_AsMVT straight to PostGIS from 8 threads (one connection each)."""
    from geo_service.priorities.service import priorities_for_run
    from geo_service.tiles.layers import events_resolution
    from geo_service.tiles.sql import PLACES, PlaceRanking

    extra: dict[str, object] = {"suppress": False, "k": 1}
    if layer == "places":  # the meeting's ranking, as the server passes it
        with Session(engine) as session:
            extra |= PlaceRanking.of(priorities_for_run(session, mc, run).items).params()

    def work(t: int) -> Callable[[int], bool]:
        conn = engine.connect()

        def call(i: int) -> bool:
            z, x, y = tiles[i]
            if layer == "hotspots":
                stmt = RAW_HOTSPOTS
            elif layer == "places":
                stmt = PLACES
            else:
                stmt = RAW_EVENTS[max(8, events_resolution(z))]
            params = {"z": z, "x": x, "y": y, "mc": mc, "run": run, **extra}
            conn.execute(stmt, params).scalar()
            conn.rollback()
            return True

        return call

    return load_threads(label, work, len(tiles), seconds, max_requests)


# --------------------------------------------------------------------------- tipg

Row = tuple[str, str, str, int, float, Result]


PLAIN_VIEW = text("""
CREATE OR REPLACE VIEW bench_hotspot_cells AS
SELECT c.municipality_code, c.run_id, c.cell AS id, lower(to_hex(c.cell)) AS cell, c.category,
       c.final_z AS z, c.final_p AS p, c.trend_tau, c.confirmed, c.uncertain, c.total, h.geom
FROM analysis_cell c JOIN h3_cell h ON h.cell = c.cell
""")
"""The same cells as v_hotspot_cells without its row numbering, so that tipg's bounding-box
filter reaches h3_cell's index: the fairest plain-table baseline (benchmark database only)."""


def tipg_phase(
    url: str,
    engine: Engine,
    venv: Path,
    sets: list[tuple[str, str, int]],
    tiles: list[tuple[int, int, int]],
    seconds: float,
    max_requests: int,
) -> list[Row]:
    """tipg's tiles of the QGIS view v_hotspot_cells (the latest run's cells) and of a plain
    view of the same cells, one municipality and run by property filter, at the same tiles and
    connections; nothing when tipg is not installed."""
    if not (venv / "bin" / "uvicorn").exists():
        print(f"# tipg: not installed in {venv}; skipped")
        return []
    with engine.begin() as conn:
        conn.execute(PLAIN_VIEW)
    rows: list[Row] = []
    with serve_tipg(url, venv) as (base, proc):
        for name, mc, run in sets:
            for view, query in (
                ("v_hotspot_cells", f"municipality_code={mc}"),
                ("bench_hotspot_cells", f"municipality_code={mc}&run_id={run}"),
            ):
                ps = [
                    f"/collections/public.{view}/tiles/WebMercatorQuad/{z}/{x}/{y}?{query}"
                    for z, x, y in tiles
                ]
                full, errs, size = survey(base, ps, "")
                r = measured(proc, f"tipg ({view})", base, ps, "", seconds, max_requests)
                r.errors += errs
                rows.append((name, "hotspots", "", full, size, r))
    return rows


def side_by_side(results: list[Row]) -> None:
    """Uncached hotspot tiles of the server against tipg's on the same cells and tiles."""
    ours = {
        name: r
        for name, layer, _, _, _, r in results
        if layer == "hotspots" and r.label.startswith("server, no")
    }
    print(f"\nUncached hotspot tiles, {CLIENTS} connections: server (cache off) against tipg")
    for name, layer, _, _, _, theirs in results:
        mine = ours.get(name)
        if layer != "hotspots" or not theirs.label.startswith("tipg") or mine is None:
            continue
        verdict = "met" if mine.rate >= theirs.rate and not mine.errors else "NOT met"
        print(
            f"- {name}: server {mine.rate:,.0f} tiles/s (p99 {mine.p99_ms:.0f} ms), "
            f"{theirs.label.split(' (')[0]} {theirs.rate:,.0f} tiles/s "
            f"(p99 {theirs.p99_ms:.0f} ms): server >= tipg {verdict}"
        )


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="Length of each load phase.")
    ap.add_argument("--max-requests", type=int, default=200_000, help="Cap per load phase.")
    ap.add_argument("--events", type=int, default=1_000_000, help="Synthetic events (9801).")
    ap.add_argument("--rebuild", action="store_true", help="Regenerate the synthetic events.")
    ap.add_argument(
        "--uncached-only", action="store_true", help="Only the cache-off server and tipg."
    )
    ap.add_argument(
        "--tipg-venv",
        type=Path,
        default=Path(os.environ.get("TIPG_VENV", "/tmp/tipg-venv")),
        help="A virtualenv with tipg and uvicorn (pip install tipg uvicorn); skipped if absent.",
    )
    args = ap.parse_args()

    url = os.environ.get("GEO_SERVICE_DATABASE_URL") or DEFAULT_URL
    os.environ["GEO_SERVICE_DATABASE_URL"] = url
    get_settings.cache_clear()
    engine = prepare_database(url)
    demo_run, demo_s = ensure_demo(engine)
    big_run, big_s = ensure_big(engine, args.events, args.rebuild)
    keys = tokens(engine)
    workers = get_settings().workers
    with engine.connect() as conn:
        n_events = dict(
            conn.execute(text("SELECT municipality_code, count(*) FROM event GROUP BY 1")).all()
        )
        n_cells = dict(
            conn.execute(
                text(
                    "SELECT run_id, count(*) FROM analysis_cell WHERE run_id IN (:a, :b) GROUP BY 1"
                ),
                {"a": demo_run, "b": big_run},
            ).all()
        )
    boundary = perstorp.boundary()
    tiles = tiles_covering(boundary, ZOOMS)
    sets = [("demo 1275", "1275", demo_run), (f"1M {BIG_MC}", BIG_MC, big_run)]
    client = "wrk" if shutil.which("wrk") else "loadgen"
    print(
        f"# {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}; "
        f"client {client}, {CLIENTS} connections, {args.seconds:.0f} s per phase; "
        f"serve workers: {workers}"
    )
    print(
        f"# demo 1275: {n_events.get('1275', 0):,} events, run {demo_run} "
        f"({n_cells.get(demo_run, 0):,} cells), ready in {demo_s:.1f} s"
    )
    print(
        f"# {BIG_MC}: {n_events.get(BIG_MC, 0):,} events, run {big_run} "
        f"({n_cells.get(big_run, 0):,} cells), ready in {big_s:.1f} s"
    )
    print(f"# tiles: {len(tiles)} covering the boundary at z{ZOOMS.start}-{ZOOMS.stop - 1}")

    def paths(layer: str, mc: str, run: int | None) -> list[str]:
        q = f"?municipality={mc}" + (f"&run={run}" if run is not None else "")
        return [f"/tiles/{layer}/{z}/{x}/{y}.mvt{q}" for z, x, y in tiles]

    results: list[tuple[str, str, str, int, float, Result]] = []
    s, m = args.seconds, args.max_requests
    sets_cached = [] if args.uncached_only else sets
    with serve(url) as (base, proc):
        nodelay = probe_nodelay(base, proc)
        print(f"# TCP_NODELAY on an accepted keep-alive socket: {nodelay}")
        for name, mc, run in sets_cached:
            for layer in LAYERS:
                ps = paths(layer, mc, run if layer != "events_agg" else None)
                full, errs, size = survey(base, ps, keys[mc])
                r = measured(proc, "server, cached", base, ps, keys[mc], s, m)
                r.errors += errs
                results.append(
                    (name, layer, "run in URL" if layer != "events_agg" else "", full, size, r)
                )
            ps = paths("hotspots", mc, None)
            full, errs, size = survey(base, ps, keys[mc])
            r = measured(proc, "server, cached", base, ps, keys[mc], s, m)
            r.errors += errs
            results.append((name, "hotspots", "latest (no run=)", full, size, r))
    with serve(url, GEO_SERVICE_TILE_CACHE_SIZE="0") as (base, proc):
        for name, mc, run in sets:
            for layer in LAYERS:
                ps = paths(layer, mc, run if layer != "events_agg" else None)
                full, errs, size = survey(base, ps, keys[mc])  # warms PostGIS buffers
                r = measured(proc, "server, no cache", base, ps, keys[mc], s, m)
                r.errors += errs
                results.append((name, layer, "", full, size, r))
    tipg = tipg_phase(url, engine, args.tipg_venv, sets, tiles, s, m)
    results += tipg
    for name, mc, run in sets_cached:
        for layer in LAYERS:
            r = load_raw("raw ST_AsMVT (no HTTP)", engine, layer, mc, run, tiles, s, m)
            results.append((name, layer, "", 0, 0.0, r))
    engine.dispose()

    print()
    head = (
        "data",
        "layer",
        "URL",
        "variant",
        "tiles w/ data",
        "requests",
        "tiles/s",
        "p50 ms",
        "p99 ms",
        "server CPU µs/tile",
        "errors",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, layer, note, full, _size, r in results:
        shown = f"{full}/{len(tiles)}" if full else ""
        print(
            f"| {name} | {layer} | {note} | {r.label} | {shown} | {r.requests:,} | "
            f"{r.rate:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
            f"{'' if math.isnan(r.cpu_us) else f'{r.cpu_us:,.0f}'} | {r.errors} |"
        )
    side_by_side(results)
    target = [
        r for name, layer, note, *_, r in results if layer == "hotspots" and note == "run in URL"
    ]
    ok = all(r.p50_ms <= 5 and r.rate >= 2000 and not r.errors for r in target)
    print(
        f"\nTarget (hotspot tiles of the latest run, run in URL: p50 <= 5 ms, >= 2,000 tiles/s): "
        f"{'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
