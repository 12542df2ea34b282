"""The dashboard explains itself, in a real headless Chromium at desktop (1280×800) and phone
(375×812) sizes: the place panel (score parts, chart, measures, report links), the legend's
sentences and folding, cell popups with counts, flying with the surroundings in view, saving
the meeting's snapshot, opening a past meeting and the period slider.

Screenshots are kept as test artefacts in GEO_SERVICE_E2E_ARTEFACTS (default: an `artefacts`
folder in pytest's base temporary directory)."""

import io
import os
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import Demo
from tests.e2e.test_dashboard import click_map, hotspots_drawn, open_dashboard, ranked

pytestmark = [pytest.mark.e2e, pytest.mark.db]
DESKTOP = (1280, 800)
PHONE = (375, 812)
PREVIOUS_MEETING = "2026-11-03"


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("GEO_SERVICE_E2E_ARTEFACTS")
    path = Path(folder) if folder else tmp_path_factory.getbasetemp() / "artefacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def api(live_server: str, demo: Demo, method: str, path: str) -> httpx.Response:
    """The service's API with the coordinator's token."""
    headers = {"Authorization": f"Bearer {demo.token}"}
    sep = "&" if "?" in path else "?"
    url = f"{live_server}/api/v1{path}{sep}municipality={demo.municipality}"
    return httpx.request(method, url, headers=headers, timeout=120)


def page_at(browser_factory, live_server: str, demo: Demo, size: tuple[int, int], query=""):
    driver = browser_factory()
    driver.set_window_size(*size)
    open_dashboard(driver, live_server, demo.token, query)
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "ready", (
        driver.find_element(By.ID, "messages").text
    )
    return driver


def drawn_page(browser_factory, live_server: str, demo: Demo, size: tuple[int, int]):
    """A page of the given size with its hot spot cells drawn and the map at rest."""
    driver = page_at(browser_factory, live_server, demo, size)
    WebDriverWait(driver, 30).until(lambda d: hotspots_drawn(d) > 0)
    settled(driver)
    return driver


def settled(driver) -> None:
    """Wait until the map has its tiles and stands still (slow with software WebGL)."""
    WebDriverWait(driver, 90).until(
        lambda d: d.execute_script(
            "const m = window.geoDashboard.map;"
            "return m.loaded() && m.areTilesLoaded() && !m.isMoving();"
        )
    )


def open_place(driver, name: str):
    item = next(
        li
        for li in driver.find_elements(By.CSS_SELECTOR, "#priority-list li")
        if li.find_element(By.CLASS_NAME, "name").text == name
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", item)
    item.click()
    WebDriverWait(driver, 30).until(
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, "#place-chart svg")
            and d.find_elements(By.CSS_SELECTOR, "#place-measures .measure, #place-measures .note")
        )
    )
    return driver.find_element(By.ID, "place")


@pytest.fixture(scope="module")
def desktop(browser_factory, live_server: str, demo_run: Demo):
    return page_at(browser_factory, live_server, demo_run, DESKTOP)


def test_place_panel_shows_score_parts_chart_measures_and_report_links(
    desktop, live_server: str, demo_run: Demo, artefacts: Path
) -> None:
    priorities = api(live_server, demo_run, "GET", f"/priorities?meeting={demo_run.meeting}")
    parken = next(p for p in priorities.json()["priorities"] if p["name"] == "Parken")
    panel = open_place(desktop, "Parken")
    assert panel.find_element(By.TAG_NAME, "h2").text == f"{parken['rank']}. Parken"
    keys = [
        tr.get_attribute("data-key")
        for tr in panel.find_elements(By.CSS_SELECTOR, "table.components tr[data-key]")
    ]
    assert keys == [c["key"] for c in parken["components"]]
    assert "Bidrag" in panel.text and "Poängens delar" in panel.text
    chart = panel.find_element(By.CSS_SELECTOR, "#place-chart svg")
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar")) == 26
    assert chart.find_elements(By.CSS_SELECTOR, "polyline.usual")
    assert chart.find_elements(By.CSS_SELECTOR, "line.meeting")  # at least this meeting
    assert "vanlig nivå" in chart.text and "möte" in chart.text
    assert chart.find_elements(By.CSS_SELECTOR, "rect.measure-band")  # the lighting measure
    measures = panel.find_element(By.ID, "place-measures").text
    titles = [m["title"] for m in api(live_server, demo_run, "GET", "/measures").json()
              if m["place_id"] == parken["place_id"]]  # fmt: skip
    assert titles and all(t in measures for t in titles), measures
    assert "jämförelseplatserna" in measures, measures  # the follow-up's sentence
    links = [
        b.get_attribute("data-format") for b in panel.find_elements(By.CLASS_NAME, "report-link")
    ]
    assert links == ["html", "pdf"]
    desktop.save_screenshot(str(artefacts / "dashboard-place-panel.png"))
    desktop.find_element(By.ID, "lang").click()
    WebDriverWait(desktop, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    panel = WebDriverWait(desktop, 30).until(
        lambda d: (
            "Parts of the score" in d.find_element(By.ID, "place").text
            and d.find_elements(By.CSS_SELECTOR, "#place-chart svg")
            and d.find_element(By.ID, "place")
        )
    )
    assert parken["reason_en"] in panel.text and "usual level" in panel.text, panel.text
    desktop.find_element(By.ID, "lang").click()


def test_flying_to_a_place_keeps_its_surroundings_in_view(desktop) -> None:
    open_place(desktop, "Stationsområdet")
    settled(desktop)
    zoom = desktop.execute_script("return window.geoDashboard.map.getZoom()")
    west, south, east, north = desktop.execute_script(
        "const b = window.geoDashboard.map.getBounds();"
        "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];"
    )
    # Stationsområdet is a circle of about 300 m around (13.3945, 56.1372): the view shows at
    # least a kilometre across, with the place in its middle.
    assert 13 < zoom <= 15, zoom
    assert (north - south) * 111_000 > 1000
    assert west < 13.3945 - 0.006 and east > 13.3945 + 0.006, (west, east)
    assert south < 56.1372 - 0.003 and north > 56.1372 + 0.003, (south, north)


def test_legend_explains_each_category_and_folds(desktop, live_server: str) -> None:
    palette = httpx.get(f"{live_server}/api/v1/palette").json()
    explain = {c["category"]: c["explanation"]["sv"] for c in palette["categories"]}
    legend = desktop.find_element(By.ID, "legend")
    shown = desktop.execute_script(
        "return Object.entries(window.geoDashboard.state.run.categories)"
        ".filter(([c, n]) => n > 0 && c !== 'no_pattern').map(([c]) => c);"
    )
    assert shown and all(explain[c] in legend.text for c in shown), legend.text
    toggle = legend.find_element(By.CLASS_NAME, "legend-toggle")
    toggle.click()
    legend = desktop.find_element(By.ID, "legend")
    assert legend.find_element(By.CLASS_NAME, "legend-toggle").get_attribute("aria-expanded") == (
        "false"
    )
    assert explain[shown[0]] not in legend.text and legend.size["height"] < 60
    legend.find_element(By.CLASS_NAME, "legend-toggle").click()


HOT_CELL_POINT = """
const m = window.geoDashboard.map, canvas = m.getCanvas(), rect = canvas.getBoundingClientRect();
for (const f of m.queryRenderedFeatures({layers: ['hotspots-fill']})) {
  if (!f.properties.category.endsWith('_hot') || !arguments[0](f.properties)) continue;
  const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]
                                             : f.geometry.coordinates[0][0];
  const n = ring.length - 1;
  const c = ring.slice(0, -1).reduce((a, p) => [a[0] + p[0] / n, a[1] + p[1] / n], [0, 0]);
  const px = m.project(c);
  if (document.elementFromPoint(rect.left + px.x, rect.top + px.y) === canvas) {
    return [px.x, px.y];
  }
}
return null;
"""


def popup_of(driver, want: str) -> str:
    point = driver.execute_script(HOT_CELL_POINT.replace("arguments[0]", f"(p => {want})"))
    assert point is not None, f"no free hot cell with {want}"
    click_map(driver, point)
    popup = WebDriverWait(driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".maplibregl-popup .popup")
    )[0]
    return popup.text


def test_cell_popup_shows_counts_category_and_uncertainty(
    browser_factory, live_server: str, demo_run: Demo, artefacts: Path
) -> None:
    page = page_at(browser_factory, live_server, demo_run, DESKTOP)
    page.execute_script("window.geoDashboard.map.jumpTo({center: [13.36, 56.16], zoom: 12.5});")
    WebDriverWait(page, 30).until(lambda d: hotspots_drawn(d) > 0)
    settled(page)
    text = popup_of(page, "p.last > 0 && !p.uncertain")
    assert "Senaste perioden" in text and "Vanligt" in text and "per period" in text, text
    assert "Betyder" in text and "hotspot" in text, text
    page.save_screenshot(str(artefacts / "dashboard-popup.png"))
    text = popup_of(page, "p.uncertain")
    assert "(osäker)" in text and "skanningen inte bekräftar" in text, text


def test_snapshot_button_saves_the_meeting_and_the_api_lists_it(
    desktop, live_server: str, demo_run: Demo, artefacts: Path
) -> None:
    desktop.find_element(By.ID, "snapshot").click()
    WebDriverWait(desktop, 60).until(
        lambda d: (
            d.find_element(By.ID, "snapshot-status").text
            and d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "ready"
            and "ögonblicksbild" in d.find_element(By.ID, "run-info").text
        )
    )
    assert demo_run.meeting in desktop.find_element(By.ID, "snapshot-status").text
    listed = api(live_server, demo_run, "GET", "/meetings").json()
    assert demo_run.meeting in [m["meeting_date"] for m in listed]
    options = [
        o.get_attribute("value")
        for o in desktop.find_elements(By.CSS_SELECTOR, "#past-meetings option")
    ]
    assert demo_run.meeting in options
    desktop.save_screenshot(str(artefacts / "dashboard-snapshot.png"))


def test_a_past_meeting_opens_with_its_saved_priorities(
    browser_factory, live_server: str, demo_run: Demo
) -> None:
    saved = api(live_server, demo_run, "POST", f"/meetings/{PREVIOUS_MEETING}/snapshot")
    assert saved.status_code in (201, 409), saved.text
    snap = api(live_server, demo_run, "GET", f"/meetings/{PREVIOUS_MEETING}/snapshot").json()
    page = page_at(browser_factory, live_server, demo_run, DESKTOP)
    select = page.find_element(By.ID, "past-meetings")
    page.execute_script(
        "arguments[0].value = arguments[1];arguments[0].dispatchEvent(new Event('change'));",
        select,
        PREVIOUS_MEETING,
    )
    WebDriverWait(page, 60).until(
        lambda d: (
            f"Mötet {PREVIOUS_MEETING}: sparad" in d.find_element(By.ID, "run-info").text
            and d.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "ready"
        )
    )
    assert page.find_element(By.ID, "meeting").get_attribute("value") == PREVIOUS_MEETING
    assert [p["name"] for p in ranked(page)] == [p["name"] for p in snap["priorities"]]
    assert page.execute_script("return window.geoDashboard.state.run.id") == snap["run_id"]


def map_pixels(driver) -> np.ndarray:
    png = driver.find_element(By.ID, "map").screenshot_as_png
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def test_period_slider_shows_how_the_hot_spots_developed(
    browser_factory, live_server: str, demo_run: Demo, artefacts: Path
) -> None:
    page = drawn_page(browser_factory, live_server, demo_run, DESKTOP)
    before = map_pixels(page)
    periods = page.execute_script("return window.geoDashboard.state.periods;")
    index = max(range(len(periods) - 1), key=lambda i: periods[i]["hot"])
    period = periods[index]
    assert "Mönster över hela körningen" in page.find_element(By.ID, "period-bar").text
    slider = page.find_element(By.ID, "period-slider")
    page.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
        slider,
        str(index),
    )
    WebDriverWait(page, 30).until(
        lambda d: d.execute_script("return window.geoDashboard.periodShown()") == period["start"]
    )
    settled(page)
    label = page.find_element(By.ID, "period-label").text
    assert f"{period['start']} – {period['last_day']}" in label, label
    hot = page.execute_script(
        "return window.geoDashboard.map.queryRenderedFeatures({layers: ['hotspots-fill']})"
        ".filter(f => (f.state.bin || 0) >= 2).length;"
    )
    assert hot > 0
    assert "Hotspots och coldspots i perioden" in page.find_element(By.ID, "legend").text
    after = map_pixels(page)
    assert (np.abs(after - before).sum(axis=2) > 60).sum() > 200, "the map did not change"
    page.save_screenshot(str(artefacts / "dashboard-period.png"))
    page.execute_script("window.geoDashboard.map.jumpTo({center: [13.3945, 56.1372], zoom: 14});")
    settled(page)
    text = popup_of(page, "true")
    assert "Gi* i perioden" in text and period["start"] in text, text
    page.execute_script(
        "arguments[0].value = arguments[0].max; arguments[0].dispatchEvent(new Event('input'));",
        slider,
    )
    WebDriverWait(page, 30).until(
        lambda d: d.execute_script("return window.geoDashboard.periodShown()") is None
    )


def marker_one_visible(driver) -> bool:
    """Rank marker 1 is inside the map and nothing covers its centre."""
    return driver.execute_script("""
        const marker = [...document.querySelectorAll('.rank-marker')]
            .find((m) => m.textContent === '1');
        if (!marker) return false;
        const r = marker.getBoundingClientRect(), map = document.getElementById('map')
            .getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < map.left || x > map.right || y < map.top || y > map.bottom) return false;
        const hit = document.elementFromPoint(x, y);
        return hit === marker || marker.contains(hit);
    """)


def test_on_a_phone_the_legend_never_hides_place_one_and_the_panel_opens(
    browser_factory, live_server: str, demo_run: Demo, artefacts: Path
) -> None:
    phone = drawn_page(browser_factory, live_server, demo_run, PHONE)
    legend = phone.find_element(By.ID, "legend")
    assert legend.find_element(By.CLASS_NAME, "legend-toggle").get_attribute("aria-expanded") == (
        "false"
    )
    assert marker_one_visible(phone)
    phone.save_screenshot(str(artefacts / "dashboard-phone.png"))
    legend.find_element(By.CLASS_NAME, "legend-toggle").click()
    legend = phone.find_element(By.ID, "legend")
    assert "Betyder" not in legend.text and "skanningen inte bekräftar" in legend.text
    assert marker_one_visible(phone)
    width = phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"
    phone.execute_script("document.getElementById('legend').scrollIntoView();")
    phone.save_screenshot(str(artefacts / "dashboard-phone-legend.png"))
    marker = next(m for m in phone.find_elements(By.CLASS_NAME, "rank-marker") if m.text == "1")
    phone.execute_script("arguments[0].click();", marker)
    WebDriverWait(phone, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#place-chart svg"))
    assert phone.find_element(By.ID, "place").find_element(By.TAG_NAME, "h2").text.startswith("1.")
    phone.save_screenshot(str(artefacts / "dashboard-phone-panel.png"))
