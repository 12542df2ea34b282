"""Benchmark: expensive work does not starve the service under 50 concurrent connections.

Starts a real `geo-service serve` (its shipped defaults, one worker) on the Perstorp demo and
drives it from 50 keep-alive connections (benchmarks/loadgen.py: raw asyncio streams, a few tens
of microseconds of CPU per request, so that the figures are the server's). Three phases:

1. priorities: 50 connections asking for the meeting's ranked places;
2. hotspots GeoJSON: 50 connections over 10 pages of 500 cells (cached after the first pass);
3. health and priorities while PDFs render: 25 connections asking for lägesbild PDFs with the
   render cache off (every PDF drawn anew; the bounded pool answers the rest 503 server_busy),
   15 asking for health, 10 for priorities.

Prints p50/p99 latency and requests/s per route and phase, and the targets: priorities p99
<= 200 ms, health p99 <= 50 ms while PDFs render, hotspots GeoJSON >= 200 req/s.

    export GEO_SERVICE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54329/geo_service_bench_concurrency
    .venv/bin/python benchmarks/concurrency.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import subprocess

import httpx
from loadgen import Route, run_phase
from sqlalchemy.orm import Session
from tiles import cpu_seconds, ensure_demo, prepare_database, serve

from geo_service.api.auth import create_token
from geo_service.demo import perstorp

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:54329/geo_service_bench_concurrency"
CONNECTIONS = 50
MC = perstorp.CODE
MEETING = perstorp.MEETING_DATE
PRIORITIES = f"/api/v1/priorities?municipality={MC}&meeting={MEETING}"
HEALTH = "/api/v1/health"
PDFS = [
    f"/api/v1/meetings/{MEETING}/lagesbild.pdf?municipality={MC}&lang={lang}"
    for lang in ("sv", "en")
]
GEOJSON = [f"/api/v1/hotspots.geojson?municipality={MC}&offset={i * 500}" for i in range(10)]


def warm(base: str, headers: dict[str, str], mix: dict[str, tuple[int, list[str]]]) -> None:
    """First renders, caches and connections before the clock starts."""
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for path in {p for _, paths in mix.values() for p in paths}:
            http.get(path)


def measured(
    proc: subprocess.Popen,
    base: str,
    token: str,
    mix: dict[str, tuple[int, list[str]]],
    seconds: float,
) -> tuple[dict[str, Route], float, float]:
    """One phase, and the server's and this load generator's CPU seconds per request in it."""
    headers = {"Authorization": f"Bearer {token}"}
    warm(base, headers, mix)
    before, client = cpu_seconds(proc), resource.getrusage(resource.RUSAGE_SELF)
    routes = run_phase(base, headers, mix, seconds)
    after = resource.getrusage(resource.RUSAGE_SELF)
    n = max(sum(len(r.latencies) for r in routes.values()), 1)
    used = after.ru_utime + after.ru_stime - client.ru_utime - client.ru_stime
    return routes, (cpu_seconds(proc) - before) / n, used / n


def report(title: str, routes: dict[str, Route], seconds: float, cpu: tuple[float, float]) -> None:
    server, client = cpu
    print(
        f"\n{title} (CPU per request: server {server * 1e3:.2f} ms, renderers included; "
        f"load generator {client * 1e3:.2f} ms)\n"
    )
    print("| route | requests | req/s | p50 ms | p99 ms | statuses |")
    print("|---|---|---|---|---|---|")
    for name, route in routes.items():
        print(route.line(name, seconds))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="Length of each phase.")
    ap.add_argument(
        "--env",
        action="append",
        default=[],
        help="NAME=VALUE for the server, e.g. GEO_SERVICE_WORKERS=2 (repeatable).",
    )
    args = ap.parse_args()
    extra = dict(e.split("=", 1) for e in args.env)
    url = os.environ.get("GEO_SERVICE_DATABASE_URL") or DEFAULT_URL
    engine = prepare_database(url)
    run, ready = ensure_demo(engine)
    with Session(engine) as session:
        token = create_token(session, MC, "coordinator", "benchmark")
        session.commit()
    engine.dispose()
    print(
        f"# {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, load average {os.getloadavg()[0]:.1f}; "
        f"demo {MC} run {run} ready in {ready:.1f} s; {CONNECTIONS} connections, "
        f"{args.seconds:.0f} s per phase; server settings: {extra or 'as shipped (one worker)'}"
    )
    s = args.seconds
    with serve(url, **extra) as (base, proc):
        prio, *cpu = measured(proc, base, token, {"priorities": (50, [PRIORITIES])}, s)
        report("1. priorities", prio, s, cpu)
        geo, *cpu = measured(proc, base, token, {"hotspots.geojson": (50, GEOJSON)}, s)
        report("2. hotspots GeoJSON (cached)", geo, s, cpu)
    with serve(url, GEO_SERVICE_RENDER_CACHE_SIZE="0", **extra) as (base, proc):
        mix = {
            "lagesbild.pdf": (25, PDFS),
            "health": (15, [HEALTH]),
            "priorities": (10, [PRIORITIES]),
        }
        busy, *cpu = measured(proc, base, token, mix, s)
        report("3. while PDFs render (render cache off)", busy, s, cpu)
    targets = [
        ("priorities p99 <= 200 ms", prio["priorities"].p99() * 1e3 <= 200),
        ("priorities p99 <= 200 ms while PDFs render", busy["priorities"].p99() * 1e3 <= 200),
        ("health p99 <= 50 ms while PDFs render", busy["health"].p99() * 1e3 <= 50),
        ("hotspots GeoJSON >= 200 req/s", geo["hotspots.geojson"].rate(s) >= 200),
    ]
    print()
    for name, ok in targets:
        print(f"Target {name}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
