"""A real server (uvicorn on a free loopback port) and a real headless Chromium (Debian's, with
chromedriver) for browser tests of the dashboard. Nothing is downloaded."""

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from geo_service.config import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--window-size=1400,900",
    "--lang=sv-SE",
)


@dataclass(frozen=True)
class Demo:
    """The Perstorp demo with a run for its meeting and a coordinator's token."""

    municipality: str
    meeting: str
    run_id: int
    token: str


@pytest.fixture(scope="session")
def demo_run(engine: Engine, demo_loaded: str) -> Demo:
    from geo_service.api.auth import create_token
    from geo_service.demo import perstorp
    from geo_service.runs import run_analysis

    with Session(engine) as session:
        run_id = run_analysis(session, demo_loaded, to_date=perstorp.MEETING_DATE)
        token = create_token(session, demo_loaded, "coordinator", "Perstorps kommun", "e2e")
        session.commit()
    return Demo(demo_loaded, perstorp.MEETING_DATE.isoformat(), run_id, token)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_url: str, demo_run: Demo) -> Iterator[str]:
    """The real app served by uvicorn in a background thread; yields its base URL."""
    from geo_service.config import get_settings

    get_settings.cache_clear()
    with serving(get_settings()) as base:
        yield base


@contextmanager
def serving(settings: "Settings") -> Iterator[str]:
    """The app with these settings served by uvicorn in a background thread on a free port;
    yields its base URL."""
    from geo_service.api.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(settings.model_copy(update={"port": port})),  # TileJSON names this port
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_factory() -> Iterator:
    """Start headless Chromium sessions with a fresh profile each; all quit at the end."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download anything
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    drivers = []
    profiles = []

    def start() -> "webdriver.Chrome":
        profile = tempfile.mkdtemp(prefix="geo-e2e-chromium-")
        profiles.append(profile)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROME_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        driver.set_page_load_timeout(30)
        drivers.append(driver)
        return driver

    yield start
    for driver in drivers:
        driver.quit()
    for profile in profiles:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser(browser_factory) -> "object":
    return browser_factory()
