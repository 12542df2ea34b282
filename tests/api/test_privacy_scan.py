"""Privacy as an adversary tries it: with the municipality's k raised to 8, every GET route in
the OpenAPI is read as each suppressed role (viewer, reporter, anonymous), and every number and
sentence of every answer (JSON, GeoJSON, HTML, PDF text, vector tiles) is searched for a count
below k; then the differencing attacks: narrow windows, other resolutions, a total minus its
visible parts."""

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import h3
import mapbox_vector_tile
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import text

from geo_service.api.app import create_app
from geo_service.config import STOCKHOLM, Settings
from geo_service.db.migrate import write_k
from tests.api.priorities_data import LAST_MEETING, MC, PriorityDb, auth
from tests.api.serving_data import tile_path
from tests.conftest import fetch

K = 8
SUPPRESSED = ("viewer", "reporter", None)  # None: anonymous, on the public view
COUNT_KEYS = {
    "count", "total", "last_value", "size", "observed", "current", "baseline", "events",
    "place_before", "place_after", "comparison_before", "comparison_after",
}  # fmt: skip
TOTALS = ("events", "mean_events_per_bin", "mean_value_per_bin")
"""A run's event total and what gives it back (left out: total minus visible cells)."""
"""Fields that hold a number of events (or of pairs of them)."""
COUNT_PHRASE = re.compile(
    r"(?<![\d,.:/–-])(\d+)\s+(rapport|rapporter|report|reports|händelser|händelse|events?|par|"
    r"pairs?)\b"
)
"""A count in words: "2 rapporter", "1 report", "3 händelser" (not part of a date or decimal)."""
TILES = [(z, lon, lat) for z in (8, 11, 13, 15) for lon, lat in ((13.383, 56.133), (13.39, 56.13))]
SETTINGS = "UPDATE municipality SET settings = CAST(:s AS jsonb) WHERE municipality_code = :mc"


@pytest.fixture(scope="module", name="k8")
def k8_fixture(prio_db: PriorityDb) -> Iterator[PriorityDb]:
    """The demo with its own k raised to 8 and its public view on (both undone afterwards),
    and a snapshot of the last meeting so that the snapshot routes have something to show."""
    before = fetch(
        prio_db.engine, "SELECT settings FROM municipality WHERE municipality_code = :mc", mc=MC
    )[0]["settings"]
    raised = dict(before, k_suppression=K, public_view=True)
    with prio_db.engine.begin() as conn:
        conn.execute(text(SETTINGS), {"s": _json(raised), "mc": MC})
    with TestClient(_app(prio_db)) as client:
        client.post(
            f"/api/v1/meetings/{LAST_MEETING}/snapshot?municipality={MC}",
            headers=auth(prio_db, "coordinator"),
        )  # 409 when an earlier test took it: fine either way
    yield prio_db
    with prio_db.engine.begin() as conn:
        conn.execute(text(SETTINGS), {"s": _json(before), "mc": MC})


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value)


def _app(db: PriorityDb) -> FastAPI:
    return create_app(Settings(database_url=db.url))


def _headers(db: PriorityDb, role: str | None) -> dict[str, str]:
    return auth(db, role) if role else {}


def _path_values(db: PriorityDb) -> dict[str, list[str]]:
    """A value for every path parameter of the API, read from the demo."""

    def one(sql: str) -> str:
        return str(next(iter(fetch(db.engine, sql, mc=MC)[0].values())))

    return {
        "run_id": [one("SELECT max(id) FROM analysis_run WHERE municipality_code = :mc")],
        "event_id": [one("SELECT min(id) FROM event WHERE municipality_code = :mc")],
        "place_id": [one("SELECT min(id) FROM place WHERE municipality_code = :mc")],
        "measure_id": [
            str(r["id"])
            for r in fetch(db.engine, "SELECT id FROM measure WHERE municipality_code = :mc", mc=MC)
        ],
        "batch_id": [
            one("SELECT coalesce(min(id), 1) FROM ingest_batch WHERE municipality_code = :mc")
        ],
        "walk_id": [one("SELECT coalesce(min(id), 1) FROM walk WHERE municipality_code = :mc")],
        "meeting_date": [LAST_MEETING.isoformat()],
        "period": [
            one(
                "SELECT (max(period_start) AT TIME ZONE 'Europe/Stockholm')::date "
                "FROM analysis_bin WHERE municipality_code = :mc AND run_id = (SELECT max(id) "
                "FROM analysis_run "
                "WHERE municipality_code = :mc AND status = 'completed')"
            )
        ],
        "layer": ["hotspots", "clusters", "places", "events_agg"],
    }


def _urls(client: TestClient, db: PriorityDb) -> list[str]:
    """Every GET route of the OpenAPI with its path parameters filled in (tiles: several)."""
    values = _path_values(db)
    urls = []
    for path, ops in client.app.openapi()["paths"].items():
        if "get" not in ops:
            continue
        filled = (
            [path.replace("{z}/{x}/{y}", tile_path(lon, lat, z)) for z, lon, lat in TILES]
            if "{z}" in path
            else [path]
        )
        for name, options in values.items():
            filled = (
                [u.replace(f"{{{name}}}", v) for u in filled for v in options]
                if f"{{{name}}}" in path
                else filled
            )
        sep = "&" if "?" in path else "?"
        urls += [f"{u}{sep}municipality={MC}&meeting={LAST_MEETING}" for u in filled]
    assert not [u for u in urls if "{" in u], "a path parameter without a value"
    return urls


def _numbers(value: Any, key: str = "", paged: bool = False) -> Iterator[tuple[str, Any]]:
    """Every (key, value) in a JSON document, page totals (beside limit/offset) left out."""
    if isinstance(value, dict):
        page = "limit" in value and "offset" in value
        for k, v in value.items():
            if not (page and k == "total"):
                yield from _numbers(v, k, page)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v, key, paged)
    else:
        yield key, value


def _texts(response: Response) -> list[str]:
    kind = response.headers.get("content-type", "")
    if "pdf" in kind:
        return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    if "json" in kind:
        return [v for _, v in _numbers(response.json()) if isinstance(v, str)]
    if "html" in kind:
        return [re.sub(r"<[^>]+>", " ", response.text)]
    return []


def _leaks(response: Response) -> list[str]:
    """Counts below k in one answer: count fields, count phrases, tile properties."""
    found = []
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        found += [
            f"{key}={value}"
            for key, value in _numbers(response.json())
            if key in COUNT_KEYS and isinstance(value, int | float) and 0 < value < K
        ]
    if "mapbox" in kind or "mvt" in kind:
        for layer in mapbox_vector_tile.decode(response.content).values():
            for feature in layer["features"]:
                props = feature["properties"]
                found += [f"{k}={v}" for k, v in props.items() if k in COUNT_KEYS and 0 < v < K]
    for t in _texts(response):
        found += [m[0] for m in COUNT_PHRASE.finditer(t) if 0 < int(m[1]) < K]
    return found


@pytest.mark.parametrize("role", SUPPRESSED, ids=["viewer", "reporter", "anonymous"])
def test_no_output_shows_a_count_below_k(k8: PriorityDb, role: str | None) -> None:
    read, leaks = [], {}
    with TestClient(_app(k8)) as client:
        for url in _urls(client, k8):
            response = client.get(url, headers=_headers(k8, role))
            assert response.status_code < 500, (url, response.text)
            if response.status_code == 200:
                read.append(url)
                if found := _leaks(response):
                    leaks[url] = found[:5]
    assert leaks == {}
    assert any("/tiles/events_agg/" in u for u in read) and any("event-counts" in u for u in read)
    if role == "viewer":
        for part in ("/priorities", "/snapshot", "/lagesbild.html", "/lagesbild.pdf", "/followup"):
            assert any(part in u for u in read), part


def test_staff_see_the_small_counts_that_viewers_do_not(k8: PriorityDb) -> None:
    """The scan is not vacuous: the same answers hold counts below 8 for an analyst, and the
    viewer's reasons say "färre än 8" where the analyst's give the number."""
    url = f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    with TestClient(_app(k8)) as client:
        analyst = client.get(url, headers=auth(k8, "analyst"))
        viewer = client.get(url, headers=auth(k8, "viewer")).json()["priorities"]
        counts = client.get(
            f"/api/v1/event-counts?municipality={MC}&resolution=9", headers=auth(k8, "analyst")
        )
        viewer_counts = client.get(
            f"/api/v1/event-counts?municipality={MC}", headers=auth(k8, "viewer")
        )
    assert _leaks(analyst) and _leaks(counts)
    assert any("färre än 8" in p["reason_sv"] for p in viewer)
    assert any("fewer than 8" in p["reason_en"] for p in viewer)
    body = viewer_counts.json()
    assert body["k"] == K and body["resolution"] == 9 and body["suppressed_cells"] > 0


NARROWING = [
    "/api/v1/event-counts?since=2026-11-01T00:00:00Z",
    "/api/v1/event-counts?until=2026-11-02T00:00:00Z",
    "/api/v1/event-counts?category=inbrott",
    "/api/v1/event-counts?kind=incident",
    "/api/v1/event-counts?resolution=8",
    "/api/v1/event-counts?resolution=10",
    "/api/v1/near-repeats?from=2026-11-01&to=2026-11-02",
]


@pytest.mark.parametrize("role", SUPPRESSED, ids=["viewer", "reporter", "anonymous"])
def test_suppressed_roles_cannot_narrow_a_query_in_time_or_space(
    k8: PriorityDb, role: str | None
) -> None:
    with TestClient(_app(k8)) as client:
        for url in NARROWING:
            refused = client.get(f"{url}&municipality={MC}", headers=_headers(k8, role))
            assert refused.status_code == 403, (url, refused.text)
            assert refused.json()["code"] == "parameter_not_allowed"
            allowed = client.get(f"{url}&municipality={MC}", headers=auth(k8, "analyst"))
            assert allowed.status_code == 200, (url, allowed.text)


def test_a_viewer_cannot_narrow_a_follow_up(k8: PriorityDb) -> None:
    measure = fetch(
        k8.engine, "SELECT min(id) AS id FROM measure WHERE municipality_code = :mc", mc=MC
    )[0]["id"]
    place = fetch(
        k8.engine, "SELECT max(id) AS id FROM place WHERE municipality_code = :mc", mc=MC
    )[0]["id"]
    base = f"/api/v1/measures/{measure}/followup?municipality={MC}"
    with TestClient(_app(k8)) as client:
        for extra in ("&as_of=2026-06-01", f"&comparison={place}"):
            r = client.get(base + extra, headers=auth(k8, "viewer"))
            assert r.status_code == 403 and r.json()["code"] == "parameter_not_allowed"


def test_event_tiles_show_one_resolution_to_suppressed_roles(k8: PriorityDb) -> None:
    """A parent cell's count minus its visible children would give a hidden child back, so a
    viewer's event tiles keep one resolution at every zoom (staff get the zoom's own)."""
    seen: dict[str, set[int]] = {"viewer": set(), "analyst": set()}
    with TestClient(_app(k8)) as client:
        for role in seen:
            for z in (8, 11, 15):
                r = client.get(
                    f"/tiles/events_agg/{tile_path(13.383, 56.133, z)}.mvt?municipality={MC}",
                    headers=auth(k8, role),
                )
                layer = mapbox_vector_tile.decode(r.content).get("events_agg", {"features": []})
                seen[role] |= {f["properties"]["resolution"] for f in layer["features"]}
    assert seen["viewer"] == {9}
    assert len(seen["analyst"]) > 1


def test_a_total_minus_its_visible_parts_never_gives_a_hidden_count(k8: PriorityDb) -> None:
    """Where a total is shown with its parts (a place's reports and its top categories), one
    hidden part never stands alone: the next smallest is hidden with it."""
    url = f"/api/v1/priorities?municipality={MC}&meeting={LAST_MEETING}"
    with TestClient(_app(k8)) as client:
        for role in ("viewer",):
            for p in client.get(url, headers=auth(k8, role)).json()["priorities"]:
                counts = [c["count"] for c in p["top_categories"]]
                assert counts.count(None) != 1 or len(counts) == 1, p["top_categories"]
                if p["change"]["current"] is None:
                    assert p["change"]["rate_ratio"] is None and p["change"]["p_increase"] is None
                    assert all(c["value"] is None for c in p["components"])


VULNERABLE = """
SELECT lower(to_hex(c.cell)) AS cell, c.run_id FROM analysis_cell c
JOIN LATERAL (
  SELECT coalesce(sum(value) FILTER (WHERE value > 0 AND value < :k), 0) AS hidden,
         coalesce(sum(value) FILTER (WHERE value >= :k), 0) AS shown
  FROM analysis_bin b
  WHERE b.municipality_code = c.municipality_code AND b.run_id = c.run_id AND b.cell = c.cell
) x ON true
WHERE c.municipality_code = :mc AND c.total >= :k AND x.shown > 0
  AND x.hidden BETWEEN 1 AND :k - 1
ORDER BY c.run_id, c.cell LIMIT 1
"""
"""A cell the attack below would break if its total were shown: some periods show a count,
and the hidden ones add up to less than k."""


@contextmanager
def _municipal_k(db: PriorityDb, k: int) -> Iterator[None]:
    """The municipality's own k set to `k` for the block, then back to the module's 8."""
    for value in (k, K):
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE municipality SET settings = settings || jsonb_build_object("
                    "'k_suppression', CAST(:k AS integer)) WHERE municipality_code = :mc"
                ),
                {"k": value, "mc": MC},
            )
        if value == k:
            yield


def test_a_cell_total_minus_its_visible_periods_is_never_a_small_count(k8: PriorityDb) -> None:
    """The attack: read a cell's run total, then each period of the run (`period=`), and
    subtract the periods that show a count. At k = 3 the demo has a cell where it would work."""
    with _municipal_k(k8, 3), TestClient(_app(k8)) as client:
        target = fetch(k8.engine, VULNERABLE, mc=MC, k=3)[0]
        lat, lon = h3.cell_to_latlng(target["cell"])
        box = f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"
        hot = f"/api/v1/hotspots?municipality={MC}&run={target['run_id']}&bbox={box}"
        run = client.get(f"/api/v1/runs/{target['run_id']}?municipality={MC}").json()
        start = datetime.fromisoformat(run["period_start"]).astimezone(STOCKHOLM).date()
        days = run["params"].get("period_days", 14)

        def read(role: str | None, extra: str = "") -> float | None:
            found = client.get(hot + extra, headers=_headers(k8, role)).json()["items"]
            cell = next(c for c in found if c["cell"] == target["cell"])
            return cell["last_value" if extra else "total"]

        for role in ("analyst", *SUPPRESSED):
            total = read(role)
            periods = [
                read(role, f"&period={start + timedelta(days=days * i)}")
                for i in range(run["n_periods"])
            ]
            left = (total or 0) - sum(v or 0 for v in periods)
            if role == "analyst":
                assert total and left == 0 and any(0 < (v or 0) < 3 for v in periods)
            else:
                assert total is None or not 0 < left < 3, (role, total, periods)


def test_a_run_shows_suppressed_roles_no_event_total(k8: PriorityDb) -> None:
    run = fetch(
        k8.engine,
        "SELECT max(id) AS id FROM analysis_run WHERE municipality_code = :mc "
        "AND status = 'completed'",
        mc=MC,
    )[0]["id"]
    url = f"/api/v1/runs/{run}?municipality={MC}"
    with TestClient(_app(k8)) as client:
        viewer = client.get(url, headers=auth(k8, "viewer")).json()
        anonymous = client.get(url).json()
        analyst = client.get(url, headers=auth(k8, "analyst")).json()
    for shown in (viewer, anonymous):
        assert not set(TOTALS) & (set(shown["watermark"]) | set(shown["sparsity"]))
    assert analyst["watermark"]["events"] > 0 and analyst["sparsity"]["events"] > 0


def test_qgis_views_use_the_municipality_k(k8: PriorityDb) -> None:
    with k8.engine.connect() as conn:
        k = conn.execute(text("SELECT geo_service_k(:mc)"), {"mc": MC}).scalar()
        small = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM v_event_counts WHERE municipality_code = :mc "
                "AND events < :k) + (SELECT count(*) FROM v_hotspot_cells WHERE "
                "municipality_code = :mc AND total > 0 AND total < :k) + (SELECT count(*) FROM "
                "v_clusters WHERE municipality_code = :mc AND size < :k)"
            ),
            {"mc": MC, "k": K},
        ).scalar()
    assert k == K and small == 0


def test_the_configured_k_reaches_sql_and_the_api_alike(k8: PriorityDb) -> None:
    """`geo-service db upgrade` stores GEO_SERVICE_K_SUPPRESSION; above the municipality's own
    k it wins, in the views' SQL function and in the API's answers alike."""
    write_k(k8.url, 11)
    try:
        with TestClient(_app(k8)) as client:
            body = client.get(
                f"/api/v1/event-counts?municipality={MC}", headers=auth(k8, "viewer")
            ).json()
        with k8.engine.connect() as conn:
            in_sql = conn.execute(text("SELECT geo_service_k(:mc)"), {"mc": MC}).scalar()
    finally:
        write_k(k8.url, 3)
    assert in_sql == 11 and body["k"] == 11
    assert all(c["count"] >= 11 for c in body["items"])
