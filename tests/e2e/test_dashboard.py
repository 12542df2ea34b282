"""The dashboard in a real headless Chromium against the real app and the Perstorp demo: what the
EST coordinator sees before the meeting of 2026-11-17."""

import io
import os

import numpy as np
import pytest
from PIL import Image
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.api.serving_data import _seed
from tests.e2e.conftest import Demo

pytestmark = [pytest.mark.e2e, pytest.mark.db]
SCREENSHOT = os.environ.get("GEO_SERVICE_E2E_SCREENSHOT", "/tmp/geo-dashboard.png")


def open_dashboard(driver, base: str, token: str | None, query: str = "") -> None:
    """Load the page with the token in localStorage, and wait until it has finished loading."""
    driver.get(f"{base}/{query}")
    driver.execute_script(
        "localStorage.clear(); if (arguments[0]) localStorage.setItem('geo_service.token', "
        "arguments[0]);",
        token,
    )
    driver.get(f"{base}/{query}")
    wait_loaded(driver)


def wait_loaded(driver) -> str:
    WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state") != "loading"
    )
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-state")


def ranked(driver) -> list[dict[str, str]]:
    items = driver.find_elements(By.CSS_SELECTOR, "#priority-list li")
    return [
        {
            "name": li.find_element(By.CLASS_NAME, "name").text,
            "rank": li.find_element(By.CLASS_NAME, "rank").text,
            "level": li.get_attribute("data-level"),
            "reason": li.find_element(By.CLASS_NAME, "reason").text,
        }
        for li in items
    ]


def click_map(driver, point: list[float]) -> None:
    """A real mouse click at a pixel of the map canvas (x, y from its top left)."""
    canvas = driver.find_element(By.CSS_SELECTOR, "#map canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(point[0] - size["width"] / 2), int(point[1] - size["height"] / 2)
    ).click().perform()


def hotspots_drawn(driver) -> int:
    return driver.execute_script("return window.geoDashboard.renderedHotspots();")


@pytest.fixture
def coordinator_page(browser, live_server: str, demo_run: Demo):
    open_dashboard(browser, live_server, demo_run.token)
    return browser


def test_ranked_places_for_the_meeting_in_swedish(coordinator_page, demo_run: Demo) -> None:
    page = coordinator_page
    assert page.find_element(By.TAG_NAME, "body").get_attribute("data-state") == "ready", (
        page.find_element(By.ID, "messages").text
    )
    assert page.find_element(By.ID, "meeting").get_attribute("value") == demo_run.meeting
    places = ranked(page)
    top3 = [p["name"] for p in places[:3]]
    assert "Stationsområdet" in top3, top3
    station = next(p for p in places if p["name"] == "Stationsområdet")
    assert station["level"] in ("red", "yellow")
    assert "rapporter" in station["reason"] and "hotspot" in station["reason"], station["reason"]
    assert [p["rank"] for p in places] == [str(i) for i in range(1, len(places) + 1)]
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    assert "Lägesbild" in page.find_element(By.ID, "reports").text


def test_map_renders_hotspot_cells_of_the_latest_run(coordinator_page) -> None:
    page = coordinator_page
    WebDriverWait(page, 30).until(lambda d: hotspots_drawn(d) > 0)
    WebDriverWait(page, 30).until(
        lambda d: d.execute_script(
            "const m = window.geoDashboard.map;"
            "return m.loaded() && m.areTilesLoaded() && !m.isMoving();"
        )
    )
    categories = page.execute_script(
        "return [...new Set(window.geoDashboard.map.queryRenderedFeatures("
        "{layers: ['hotspots-fill']}).map(f => f.properties.category))];"
    )
    assert any(c.endswith("_hot") for c in categories), categories
    assert "no_pattern" not in categories
    page.save_screenshot(SCREENSHOT)
    # WebGL really drew: with rank markers and legend hidden, the canvas shows hot reds
    # (the boundary's white fill lies under the cells, not over them).
    page.execute_script(
        "document.querySelectorAll('.rank-marker, #legend').forEach(e => e.style.display = 'none');"
    )
    image = Image.open(io.BytesIO(page.find_element(By.ID, "map").screenshot_as_png)).convert("RGB")
    rgb = np.asarray(image, dtype=int)
    reds = int(((rgb[..., 0] > 100) & (rgb[..., 1] < 110) & (rgb[..., 2] < 90)).sum())
    assert reds > 100, f"only {reds} red pixels on the map"
    page.execute_script("document.getElementById('legend').style.display = '';")
    legend = page.find_element(By.ID, "legend").text
    labels = page.execute_script("return window.geoDashboard.categoryLabels.sv;")
    assert all(labels[c] in legend for c in categories), (categories, legend)


def test_click_on_a_hot_cell_explains_it(coordinator_page) -> None:
    page = coordinator_page
    WebDriverWait(page, 30).until(lambda d: hotspots_drawn(d) > 0)
    # The centre of a hot cell that no rank marker or legend covers.
    point = page.execute_script("""
        const m = window.geoDashboard.map;
        const canvas = m.getCanvas();
        const rect = canvas.getBoundingClientRect();
        for (const f of m.queryRenderedFeatures({layers: ['hotspots-fill']})) {
            if (!f.properties.category.endsWith('_hot')) continue;
            const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]
                                                       : f.geometry.coordinates[0][0];
            const pts = ring.slice(0, -1);
            const n = pts.length;
            const c = pts.reduce((a, p) => [a[0] + p[0] / n, a[1] + p[1] / n], [0, 0]);
            const px = m.project(c);
            if (document.elementFromPoint(rect.left + px.x, rect.top + px.y) === canvas) {
                return [px.x, px.y];
            }
        }
        return null;
    """)
    assert point is not None, "every hot cell is covered"
    click_map(page, point)
    popup = WebDriverWait(page, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".maplibregl-popup .popup")
    )[0]
    text = popup.text
    page.save_screenshot(SCREENSHOT.replace(".png", "-popup.png"))
    assert "hotspot" in text and "Gi* z" in text and "Trend" in text, text
    assert any(w in text for w in ("ökande", "minskande", "ingen tydlig trend")), text


def test_english_changes_the_reasons(coordinator_page) -> None:
    page = coordinator_page
    swedish = {p["name"]: p["reason"] for p in ranked(page)}
    page.find_element(By.ID, "lang").click()
    WebDriverWait(page, 10).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    english = {p["name"]: p["reason"] for p in ranked(page)}
    assert english.keys() == swedish.keys()
    assert english["Stationsområdet"] != swedish["Stationsområdet"]
    assert "reports" in english["Stationsområdet"], english["Stationsområdet"]
    assert "Places to prioritise" in page.find_element(By.ID, "priorities").text
    page.save_screenshot(SCREENSHOT.replace(".png", "-en.png"))


def test_clicking_a_place_flies_the_map_there(coordinator_page) -> None:
    page = coordinator_page
    item = next(
        li
        for li in page.find_elements(By.CSS_SELECTOR, "#priority-list li")
        if li.find_element(By.CLASS_NAME, "name").text == "Stationsområdet"
    )
    item.click()
    WebDriverWait(page, 10).until(
        lambda d: (
            not d.execute_script("return window.geoDashboard.map.isMoving()")
            and d.execute_script("return window.geoDashboard.map.getZoom()") > 14
        )
    )
    lng, lat = page.execute_script(
        "const c = window.geoDashboard.map.getCenter(); return [c.lng, c.lat];"
    )
    assert abs(lat - 56.1372) < 0.003 and abs(lng - 13.3945) < 0.005, (lng, lat)


def test_wrong_token_is_explained_in_words(browser, live_server: str) -> None:
    open_dashboard(browser, live_server, "gs_1275_not-a-real-token")
    assert wait_loaded(browser) == "error"
    message = browser.find_element(By.ID, "messages").text
    assert "Token saknas eller är okänd" in message, message
    browser.save_screenshot(SCREENSHOT.replace(".png", "-error.png"))
    assert browser.find_elements(By.CSS_SELECTOR, "#priority-list li") == []
    assert browser.find_element(By.ID, "load").is_displayed()


def test_anonymous_without_public_view_is_told_to_send_a_token(browser, live_server: str) -> None:
    open_dashboard(browser, live_server, None)
    message = browser.find_element(By.ID, "messages").text
    assert "ingen offentlig vy" in message or "Token saknas" in message, message


def test_page_loads_nothing_from_outside(coordinator_page, live_server: str) -> None:
    page = coordinator_page
    WebDriverWait(page, 30).until(lambda d: hotspots_drawn(d) > 0)
    urls = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    outside = [u for u in urls if not u.startswith((live_server, "blob:", "data:"))]
    assert urls and not outside, outside
    assert f"{live_server}/dashboard/vendor/maplibre-gl/maplibre-gl.js" in urls
    html = page.page_source
    assert "http://" not in html.replace(live_server, "") and "https://" not in html


def test_a_past_meeting_without_a_prepared_run_still_shows_its_priorities(
    browser, live_server: str, demo_run: Demo
) -> None:
    open_dashboard(browser, live_server, demo_run.token, "?municipality=1275&meeting=2025-01-07")
    assert wait_loaded(browser) == "ready", browser.find_element(By.ID, "messages").text
    assert browser.find_element(By.ID, "messages").text == ""
    places = ranked(browser)
    assert len(places) == 7 and [p["rank"] for p in places][:3] == ["1", "2", "3"]


def test_lagesbild_opens_for_the_meeting(coordinator_page) -> None:
    page = coordinator_page
    first = page.current_window_handle
    page.find_element(By.ID, "report-html").click()
    WebDriverWait(page, 60).until(lambda d: len(d.window_handles) > 1)
    page.switch_to.window(next(h for h in page.window_handles if h != first))
    WebDriverWait(page, 30).until(lambda d: "Stationsområdet" in d.page_source)
    assert page.current_url.startswith("blob:")
    page.close()
    page.switch_to.window(first)
    assert page.find_element(By.ID, "messages").text == ""


@pytest.fixture(scope="module")
def public_tenant(engine: Engine, live_server: str) -> str:
    """A municipality with its public view on and a completed run, but no boundary."""
    with Session(engine) as session:
        tenant = _seed(session, "9915", True, 13.3930)
        session.commit()
    return tenant.code


def test_public_view_works_without_a_token(browser, live_server: str, public_tenant: str) -> None:
    open_dashboard(browser, live_server, None, f"?municipality={public_tenant}")
    assert wait_loaded(browser) == "ready", browser.find_element(By.ID, "messages").text
    assert "Analyskörning" in browser.find_element(By.ID, "run-info").text
    note = browser.find_element(By.ID, "priorities-note").text
    assert "kräver en token" in note, note
    assert browser.execute_script("return window.geoDashboard.map.getZoom()") >= 8


def test_the_unusual_cluster_at_oderljunga_is_outlined_and_says_how_rare_it_is(
    coordinator_page,
) -> None:
    page = coordinator_page
    page.execute_script(
        "document.getElementById('legend').style.display = 'none';"
        "window.geoDashboard.map.jumpTo({center: [13.333, 56.19], zoom: 14});"
    )
    outline = WebDriverWait(page, 30).until(
        lambda d: d.execute_script("""
        const m = window.geoDashboard.map;
        const found = m.queryRenderedFeatures({layers: ['clusters-scan']})
            .filter((f) => f.properties.alarm);
        if (!found.length) return null;
        const ring = found[0].geometry.type === 'Polygon' ? found[0].geometry.coordinates[0]
                                                          : found[0].geometry.coordinates[0][0];
        // a point on the outline where a click meets the outline and no hot cell
        for (const p of ring) {
            const px = m.project(p);
            const here = m.queryRenderedFeatures([px.x, px.y]).map((f) => f.layer.id);
            if (here.includes('clusters-scan') && !here.includes('hotspots-fill')) {
                return [px.x, px.y];
            }
        }
        return null;
    """)
    )
    page.save_screenshot(SCREENSHOT.replace(".png", "-cluster.png"))
    click_map(page, outline)
    popup = WebDriverWait(page, 10).until(
        lambda d: [
            p
            for p in d.find_elements(By.CSS_SELECTOR, ".maplibregl-popup .popup")
            if "ansamling" in p.text
        ]  # fmt: skip
    )[0]
    assert "Ovanlig ansamling (larm)" in popup.text, popup.text
    assert "slumpen ger sådant ungefär" in popup.text, popup.text
    assert "väntat" in popup.text


def test_the_legend_explains_uncertain_labels_and_cluster_outlines(coordinator_page) -> None:
    legend = coordinator_page.find_element(By.ID, "legend").text
    assert "skanningen inte bekräftar" in legend
    assert "Ovanlig ansamling" in legend and "Punktkluster" in legend


def test_periods_end_on_the_same_day_as_in_the_lagesbild(coordinator_page) -> None:
    """Both ends inclusive everywhere: the demo's data run to 2026-11-15, reviewed on 11-17."""
    text = coordinator_page.find_element(By.ID, "run-info").text
    assert "– 2026-11-15 (H3" in text and "2026-11-02 – 2026-11-15" in text, text
    assert "2026-11-16" not in text


def test_on_a_phone_the_legend_starts_folded_and_opens_on_a_tap(
    browser_factory, live_server: str, demo_run: Demo
) -> None:
    phone = browser_factory()
    phone.set_window_size(375, 812)
    open_dashboard(phone, live_server, demo_run.token, "?municipality=1275")
    legend = phone.find_element(By.ID, "legend")
    toggle = legend.find_element(By.CLASS_NAME, "legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert "Ny hotspot" not in legend.text and legend.size["height"] < 60
    phone.save_screenshot(SCREENSHOT.replace(".png", "-phone.png"))
    toggle.click()
    legend = phone.find_element(By.ID, "legend")
    assert "skanningen inte bekräftar" in legend.text
    assert legend.find_element(By.CLASS_NAME, "legend-toggle").get_attribute("aria-expanded") == (
        "true"
    )
