"""Benchmark of the field app's start: the report form on a 360 px phone over slow 3G.

Serves the real app (uvicorn on 127.0.0.1) from the database at GEO_SERVICE_DATABASE_URL
(created and migrated if missing; kommun 1275 with the demo's places is added if absent) and
drives Debian's headless Chromium in mobile emulation (360 × 740). The connection is throttled
with DevTools (Network.emulateNetworkConditions: 400 kbit/s down and up, 400 ms latency).

- first load: a fresh browser profile opens /rapportera/#token=…; the figure is the time from
  navigation start to the form being shown with the municipality's categories
  (`performance.mark("form-ready")`);
- warm start: the same profile opens the app again once its service worker controls the page
  (app shell from the cache, the API reads from the network, still on slow 3G);
- warm start offline: the same with the network off (everything from the service worker).

Baseline in the same run: the first load on an unthrottled loopback connection.

    export GEO_SERVICE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:54330/geo_service_bench_field
    .venv/bin/python benchmarks/field_app.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from benchlib import machine_line
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from geo_service.api.auth import create_token
from geo_service.config import get_settings
from geo_service.db import migrate
from geo_service.db.tenants import ensure_municipality
from geo_service.demo import perstorp
from geo_service.demo.load import load_places

ROOT = Path(__file__).resolve().parents[1]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms
    "downloadThroughput": 50_000,  # bytes/s: 400 kbit/s
    "uploadThroughput": 50_000,
}
FAST = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
OFFLINE = {**FAST, "offline": True}
TARGETS = {"first load, slow 3G": 3000.0, "warm start, slow 3G": 1000.0}


def _token(url: str) -> str:
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        known = session.execute(
            text("SELECT count(*) FROM place WHERE municipality_code = :mc"), {"mc": perstorp.CODE}
        ).scalar_one()
        if not known:
            ensure_municipality(session, perstorp.CODE, "Perstorp", perstorp.boundary().wkt)
            load_places(session, perstorp.CODE)
        token = create_token(session, perstorp.CODE, "reporter", "Benchmark", "field-bench", 1)
        session.commit()
    engine.dispose()
    return token


@contextmanager
def _server(url: str) -> Iterator[str]:
    from geo_service.api.app import create_app

    os.environ["GEO_SERVICE_DATABASE_URL"] = url
    get_settings.cache_clear()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def _phone() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    sys.path.insert(0, str(ROOT))  # the browser set-up the end-to-end tests use
    from tests.e2e.conftest import CHROME_FLAGS, CHROMEDRIVER, CHROMIUM

    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="geo-bench-field-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    driver.execute_cdp_cmd("Network.enable", {})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _form_ms(driver, url: str, network: dict[str, object]) -> float:
    """Milliseconds from navigation start to the report form with its categories."""
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", network)
    driver.get(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mark = driver.execute_script(
            "const m = performance.getEntriesByName('form-ready'); "
            "return m.length ? m[0].startTime : null"
        )
        if mark is not None:
            return float(mark)
        time.sleep(0.02)
    raise RuntimeError("the report form never showed")


def _controlled(driver) -> None:
    """Wait until the service worker has cached the shell and controls the page."""
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", FAST)
    driver.refresh()
    deadline = time.monotonic() + 60
    while not driver.execute_script("return Boolean(navigator.serviceWorker.controller)"):
        if time.monotonic() > deadline:
            raise RuntimeError("the service worker never took control")
        time.sleep(0.1)


def _kilobytes(driver) -> float:
    """What the page transferred up to now (document and resources), in kB."""
    return driver.execute_script(
        "return performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource'))"
        ".reduce((s, e) => s + (e.transferSize || 0), 0) / 1000"
    )


def measure(base: str, token: str) -> dict[str, float]:
    app = f"{base}/rapportera/#token={token}"
    figures: dict[str, float] = {}
    with _phone() as driver:
        figures["first load, slow 3G"] = _form_ms(driver, app, SLOW_3G)
        figures["kB transferred by then"] = _kilobytes(driver)
        _controlled(driver)
        figures["warm start, slow 3G"] = _form_ms(driver, f"{base}/rapportera/", SLOW_3G)
        figures["warm start, offline"] = _form_ms(driver, f"{base}/rapportera/", OFFLINE)
    with _phone() as driver:
        figures["first load, loopback (baseline)"] = _form_ms(driver, app, FAST)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("GEO_SERVICE_DATABASE_URL")
    if not url:
        raise SystemExit("set GEO_SERVICE_DATABASE_URL (a database for the benchmark)")
    token = _token(url)
    runs: list[dict[str, float]] = []
    with _server(url) as base:
        for _ in range(args.repeat):
            runs.append(measure(base, token))
    print("Field app at 360 px: time to the report form (ms), median and range of", args.repeat)
    for name in runs[0]:
        values = [r[name] for r in runs]
        target = f"  target < {TARGETS[name]:.0f}" if name in TARGETS else ""
        print(
            f"  {name:34s} {statistics.median(values):7.0f}  "
            f"({min(values):.0f}–{max(values):.0f}){target}"
        )
    print(machine_line())


if __name__ == "__main__":
    main()
