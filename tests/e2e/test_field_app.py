"""The field app in a real headless Chromium emulating a 360 px phone: a report with a mocked
GPS position, three reports made offline that arrive exactly once when the connection returns,
a resend stored once, a personnummer redacted, and a safety walk from start to summary."""

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from geo_service.api.auth import hash_token
from tests.conftest import fetch, make_tokens
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
STATION = {"latitude": 56.1372, "longitude": 13.3945, "accuracy": 12}


SMALL_OR_UNNAMED = """
const named = (el) => (el.labels && el.labels.length) || el.getAttribute('aria-label')
  || el.textContent.trim() || (el.closest('label') && el.closest('label').textContent.trim());
const target = (el) => (el.closest('label.cat, label.choice') || el).getBoundingClientRect();
return [...document.querySelectorAll('#screen-report button, #screen-report input,'
  + ' #screen-report textarea, .tabs button')]
  .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter((el) => !named(el) || target(el).height < 44 || target(el).width < 44)
  .map((el) => el.outerHTML.slice(0, 80));
"""
"""Controls of the report screen without an accessible name or smaller than 44 × 44 px."""


def phone(driver, base: str) -> None:
    """360 × 740 CSS px with touch, GPS allowed and placed at Stationsområdet."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
    driver.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": base, "permissions": ["geolocation"]}
    )
    driver.execute_cdp_cmd("Emulation.setGeolocationOverride", STATION)


def offline(driver, on: bool) -> None:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def open_app(driver, base: str, token: str) -> None:
    phone(driver, base)
    driver.get("about:blank")  # a new document: from /rapportera/ a hash alone would not load
    driver.get(f"{base}/rapportera/#token={token}")
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "form"
    )


def tap(driver, css: str, by: str = By.CSS_SELECTOR) -> None:
    """Scroll the element to the middle of the screen (above the tab bar), then click it."""
    element = driver.find_element(by, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def make_report(driver, category: str, text: str = "", shot: str = "") -> None:
    """Pick the category, take the GPS position, optionally write a text and send (with a
    screenshot of the filled form's lower half just before sending, when named)."""
    tap(driver, f"label.cat input[value='{category}'] + span")
    tap(driver, "use-gps", By.ID)
    WebDriverWait(driver, 15).until(lambda d: "±" in d.find_element(By.ID, "where-status").text)
    if text:
        driver.find_element(By.ID, "text-input").send_keys(text)
    if shot:
        where = driver.find_element(By.CSS_SELECTOR, "fieldset.where")
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", where)
        driver.save_screenshot(str(SHOTS / shot))
    tap(driver, "send", By.ID)
    WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.ID, "report-status").text.startswith(("Rapporten", "Sparad"))
    )
    driver.execute_script("document.getElementById('report-status').textContent = ''")


def events_of(engine: Engine, token_id: int, kind: str = "observation") -> list[dict]:
    return [
        dict(r)
        for r in fetch(
            engine,
            "SELECT id, category, description, attributes, ST_Y(ST_Transform(geom, 4326)) lat, "
            "ST_X(ST_Transform(geom, 4326)) lon FROM event WHERE created_by = :who "
            "AND kind = :kind ORDER BY id",
            who=f"token:{token_id}",
            kind=kind,
        )
    ]


def wait_events(engine: Engine, token_id: int, n: int, kind: str = "observation") -> list[dict]:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        found = events_of(engine, token_id, kind)
        if len(found) >= n:
            return found
        time.sleep(0.5)
    return events_of(engine, token_id, kind)


def reporter(engine: Engine, demo: Demo, name: str) -> tuple[str, int]:
    token = make_tokens(engine, demo.municipality, {name: ("reporter", "Perstorps Bostäder")})[name]
    token_id = fetch(engine, "SELECT id FROM api_token WHERE token_hash = :h", h=hash_token(token))[
        0
    ]["id"]
    return token, token_id


def queue_statuses(driver) -> list[str]:
    driver.find_element(By.CSS_SELECTOR, ".tabs button[data-screen=queue]").click()
    return driver.execute_script(  # read at once: the list is redrawn as answers arrive
        "return [...document.querySelectorAll('#queue li[data-status]')]"
        ".map(li => li.dataset.status)"
    )


def test_report_with_gps_is_stored_with_the_personnummer_redacted(
    browser, live_server: str, engine: Engine, demo_run: Demo
) -> None:
    token, token_id = reporter(engine, demo_run, "gps")
    open_app(browser, live_server, token)
    who = browser.find_element(By.ID, "who").text
    assert "Perstorps Bostäder" in who and "Perstorp" in who
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone
    note = browser.find_element(By.ID, "text-note").text
    assert "Personnummer" in note and "tas bort" in note and "namn" in note
    assert browser.execute_script(SMALL_OR_UNNAMED) == []  # touch and screen-reader friendly
    browser.save_screenshot(str(SHOTS / "field_report.png"))
    make_report(
        browser, "klotter", "Tags på tunneln, sågs av 19121212-1212", "field_report_filled.png"
    )
    [event] = wait_events(engine, token_id, 1)
    assert event["category"] == "klotter"
    assert "19121212-1212" not in event["description"] and "Tags på tunneln" in event["description"]
    assert event["lat"] == pytest.approx(56.1372, abs=1e-4)
    assert event["lon"] == pytest.approx(13.3945, abs=1e-4)
    WebDriverWait(browser, 15).until(lambda d: queue_statuses(d) == ["stored"])

    # the same report sent again (its answer lost, say) is stored once
    browser.execute_script(
        "return allReports().then(([r]) => putReport({...r, status: 'waiting'})).then(flush)"
    )
    WebDriverWait(browser, 15).until(lambda d: queue_statuses(d) == ["stored"])
    assert len(events_of(engine, token_id)) == 1

    browser.find_element(By.CSS_SELECTOR, ".tabs button[data-screen=mine]").click()
    WebDriverWait(browser, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#mine li[data-id]")) == 1
    )
    browser.save_screenshot(str(SHOTS / "field_mine.png"))
    tap(browser, "#mine button[data-withdraw]")  # withdrawn within 24 hours
    WebDriverWait(browser, 5).until(lambda d: d.switch_to.alert).accept()
    WebDriverWait(browser, 10).until(
        lambda d: not d.find_elements(By.CSS_SELECTOR, "#mine li[data-id]")
    )
    assert events_of(engine, token_id) == []


def test_three_reports_made_offline_are_stored_exactly_once_back_online(
    browser, live_server: str, engine: Engine, demo_run: Demo
) -> None:
    token, token_id = reporter(engine, demo_run, "offline")
    open_app(browser, live_server, token)
    offline(browser, True)
    for category in ("nedskrapning", "skadegorelse", "belysning"):
        make_report(browser, category)
    time.sleep(5)  # longer than the app's retry interval: nothing may arrive while offline
    assert events_of(engine, token_id) == []
    assert queue_statuses(browser) == ["waiting"] * 3
    assert "Offline" in browser.find_element(By.ID, "net").text
    browser.save_screenshot(str(SHOTS / "field_offline_queue.png"))
    offline(browser, False)
    WebDriverWait(browser, 30).until(lambda d: queue_statuses(d) == ["stored"] * 3)
    time.sleep(5)  # a further retry round sends nothing again
    stored = events_of(engine, token_id)
    assert sorted(e["category"] for e in stored) == ["belysning", "nedskrapning", "skadegorelse"]


def test_reports_waiting_on_a_shared_phone_are_sent_only_under_their_authors_token(
    browser, live_server: str, engine: Engine, demo_run: Demo
) -> None:
    """A reporter writes a report offline and signs out; the next reporter on the same phone
    never sends it under their own token. It goes when its author signs in again."""
    first, first_id = reporter(engine, demo_run, "shared-first")
    second, second_id = reporter(engine, demo_run, "shared-second")
    open_app(browser, live_server, first)
    offline(browser, True)
    make_report(browser, "klotter")
    browser.find_element(By.CSS_SELECTOR, ".tabs button[data-screen=settings]").click()
    tap(browser, "signout", By.ID)
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "signin-waiting").text)
    waiting_note = browser.find_element(By.ID, "signin-waiting").text
    browser.save_screenshot(str(SHOTS / "field_signed_out_waiting.png"))
    offline(browser, False)
    open_app(browser, live_server, second)
    time.sleep(5)  # longer than the app's retry interval
    held = queue_statuses(browser)
    browser.save_screenshot(str(SHOTS / "field_queue_other_author.png"))
    assert events_of(engine, first_id) == events_of(engine, second_id) == []
    open_app(browser, live_server, first)
    stored = wait_events(engine, first_id, 1)
    assert "väntar på att skickas: 1" in waiting_note
    assert held[0] == "otherUser"
    assert [e["category"] for e in stored] == ["klotter"]
    assert events_of(engine, second_id) == []


def test_a_safety_walk_from_start_to_printable_summary(
    browser, live_server: str, engine: Engine, demo_run: Demo
) -> None:
    token, token_id = reporter(engine, demo_run, "walk")
    open_app(browser, live_server, token)
    browser.find_element(By.CSS_SELECTOR, ".tabs button[data-screen=walk]").click()
    browser.find_element(By.ID, "walk-name").send_keys("Trivselvandring Stationen")
    browser.find_element(By.ID, "walk-orgs").send_keys("Perstorps kommun, Polisen")
    tap(browser, "#walk-form button[type=submit]")
    banner = WebDriverWait(browser, 10).until(
        lambda d: (
            d.find_element(By.ID, "walk-banner").is_displayed()
            and d.find_element(By.ID, "walk-banner")
        )
    )
    assert "Trivselvandring Stationen" in banner.text
    tap(browser, "walk-record", By.ID)
    browser.save_screenshot(str(SHOTS / "field_walk.png"))
    tap(browser, "walk-report", By.ID)
    make_report(browser, "belysning", "Trasig lampa i gångtunneln")
    [finding] = wait_events(engine, token_id, 1, kind="walk_finding")
    walk_id = finding["attributes"]["walk_id"]
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride",
        {"latitude": 56.1330, "longitude": 13.3830, "accuracy": 8},
    )
    time.sleep(1.5)  # the route records the new position
    browser.find_element(By.CSS_SELECTOR, ".tabs button[data-screen=walk]").click()
    tap(browser, "walk-draw", By.ID)  # the rest of the route drawn by hand
    canvas = WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#walk-map canvas[data-ready]")
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    for dx in (40, 80):
        ActionChains(browser).move_to_element_with_offset(canvas, dx, -60).click().perform()
    points = int(browser.find_element(By.ID, "walk-route").text.split()[-2])
    assert points >= 4  # two GPS positions and two taps
    tap(browser, "walk-end", By.ID)
    WebDriverWait(browser, 10).until(
        lambda d: not d.find_element(By.ID, "walk-banner").is_displayed()
    )
    walk = fetch(engine, "SELECT name, organisations, route FROM walk WHERE id = :i", i=walk_id)[0]
    assert walk["organisations"] == ["Perstorps kommun", "Polisen"]
    assert walk["route"] is not None
    route = fetch(engine, "SELECT ST_NPoints(route) n FROM walk WHERE id = :i", i=walk_id)[0]["n"]
    assert route == points

    browser.get(f"{live_server}/rapportera/vandring.html#id={walk_id}")
    WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "summary"
    )
    text = browser.find_element(By.ID, "summary").text
    assert "Trivselvandring Stationen" in text and "Stationsområdet" in text
    assert "Trasig lampa i gångtunneln" in text
    link = browser.find_element(By.CSS_SELECTOR, "#findings a")
    assert link.get_attribute("href").endswith(
        f"#plats-{_place_id(engine, demo_run.municipality, 'Stationsområdet')}"
    )
    browser.save_screenshot(str(SHOTS / "field_walk_summary.png"))


def _place_id(engine: Engine, mc: str, name: str) -> int:
    found = fetch(
        engine, "SELECT id FROM place WHERE municipality_code = :mc AND name = :n", mc=mc, n=name
    )
    return found[0]["id"]


def test_where_by_place_suggestion_or_a_tap_on_the_map(
    browser, live_server: str, engine: Engine, demo_run: Demo
) -> None:
    token, token_id = reporter(engine, demo_run, "where")
    open_app(browser, live_server, token)
    tap(browser, "label.cat input[value='vegetation'] + span")
    browser.find_element(By.ID, "place-input").send_keys("statio")
    WebDriverWait(browser, 10).until(
        lambda d: "Stationsområdet" in d.find_element(By.ID, "suggestions").text
    )
    tap(browser, "#suggestions li")
    assert "Stationsområdet" in browser.find_element(By.ID, "where-status").text
    tap(browser, "send", By.ID)
    [by_name] = wait_events(engine, token_id, 1)
    assert by_name["lat"] == pytest.approx(56.1372, abs=2e-3)

    tap(browser, "label.cat input[value='klotter'] + span")
    tap(browser, "use-map", By.ID)
    canvas = WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#map canvas[data-ready]")
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    ActionChains(browser).move_to_element_with_offset(canvas, 70, -60).click().perform()
    WebDriverWait(browser, 10).until(  # the middle of the map is a point, not a place
        lambda d: "kartan" in d.find_element(By.ID, "where-status").text
    )
    browser.save_screenshot(str(SHOTS / "field_map.png"))
    tap(browser, "send", By.ID)
    stored = wait_events(engine, token_id, 2)
    assert [e["category"] for e in stored] == ["vegetation", "klotter"]
    assert 56.0 < stored[1]["lat"] < 56.3 and 13.2 < stored[1]["lon"] < 13.6  # inside Perstorp

    tap(browser, ".tabs button[data-screen=settings]")
    tap(browser, "input[name=lang][value=en]")
    tap(browser, ".tabs button[data-screen=report]")
    note = browser.find_element(By.ID, "text-note").text
    assert note.startswith(
        "Personal identity numbers, phone numbers and e-mail addresses are removed"
    )
    assert browser.find_element(By.ID, "send").text == "Send report"
    assert browser.execute_script("return document.documentElement.lang") == "en"
