"""The field app's routes: who the token is, categories most used first, place and address
suggestions, one's own reports (list, correct, withdraw within 24 hours, audited) and safety
walks whose findings are linked to places and count in the place priorities."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import hash_token
from geo_service.config import STOCKHOLM
from geo_service.db.models import AnalysisRun
from geo_service.priorities.config import PriorityConfig
from geo_service.priorities.inputs import place_inputs
from tests.conftest import fetch, make_tokens
from tests.db.test_ingest_files import make_tenant

MC = "1289"
STATION = {"lat": 56.1372, "lon": 13.3945}


@pytest.fixture(scope="module")
def tokens(engine: Engine) -> dict[str, str]:
    make_tenant(engine, MC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO address (municipality_code, street, street_norm, number, town, geom) "
                "VALUES (:mc, 'Storgatan', 'storgatan', 12, 'Perstorp', "
                "ST_Transform(ST_SetSRID(ST_MakePoint(13.3901, 56.1335), 4326), 3006))"
            ),
            {"mc": MC},
        )
    wanted = {
        "anna": ("reporter", "Perstorps Bostäder"),
        "bo": ("reporter", "Fritidsgården"),
        "analyst": ("analyst", "Kommunen"),
    }
    return make_tokens(engine, MC, wanted)


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app()) as c:
        yield c


def call(client: TestClient, token: str, method: str, path: str, body: object = None):  # noqa: ANN201
    sep = "&" if "?" in path else "?"
    return client.request(
        method,
        f"/api/v1{path}{sep}municipality={MC}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
    )


def report(category: str, description: str | None = None, **where: object) -> dict:
    return {
        "category": category,
        "occurred_at": datetime.now(UTC).isoformat(),
        "severity": 2,
        "description": description,
        **(where or STATION),
    }


def test_me_names_the_municipality_organisation_and_role(client, tokens, engine) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['anna']}"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "municipality_code": MC,
        "municipality_name": f"Testkommun {MC}",
        "organisation": "Perstorps Bostäder",
        "role": "reporter",
        "token_id": _token_id(engine, tokens["anna"]),
    }
    assert client.get("/api/v1/me").json()["code"] == "unauthorized"


def test_categories_put_the_most_reported_first(client, tokens) -> None:
    for n in range(2):
        body = {**report("vegetation"), "client_id": f"buske-{n}"}
        assert call(client, tokens["bo"], "POST", "/observations", body).is_success
    categories = call(client, tokens["anna"], "GET", "/field/categories").json()
    assert categories[0]["code"] == "vegetation" and categories[0]["uses"] >= 2
    by_code = {c["code"]: c for c in categories}
    assert by_code["klotter"]["label_sv"] == "Klotter" and by_code["klotter"]["icon"] == "🎨"
    assert by_code["vegetation"]["label_en"] and all(c["icon"] for c in categories)


def test_suggestions_find_places_by_name_or_alias_and_addresses(client, tokens) -> None:
    places = call(client, tokens["anna"], "GET", "/geocode/suggest?q=stati").json()
    assert places[0]["label"] == "Stationsområdet" and places[0]["type"] == "place"
    alias = call(client, tokens["anna"], "GET", "/geocode/suggest?q=resecentrum").json()
    assert alias[0]["label"] == "Stationsområdet"
    address = call(client, tokens["anna"], "GET", "/geocode/suggest?q=Storgatan 12").json()
    assert address[0]["type"] == "address" and address[0]["label"] == "Storgatan 12, Perstorp"
    assert address[0]["lat"] == pytest.approx(56.1335, abs=1e-4)
    points = call(client, tokens["anna"], "GET", "/field/places").json()
    assert "Stationsområdet" in {f["properties"]["name"] for f in points["features"]}


def test_a_reporter_lists_corrects_and_withdraws_only_their_own(client, tokens, engine) -> None:
    body = [report("klotter", "Ring 0701234567"), report("nedskrapning")]
    sent = call(client, tokens["anna"], "POST", "/observations", body)
    assert sent.status_code == 201, sent.text
    call(client, tokens["bo"], "POST", "/observations", report("belysning"))
    mine = call(client, tokens["anna"], "GET", "/observations?mine=true").json()
    assert {o["category"] for o in mine} == {"klotter", "nedskrapning"}
    assert all(o["editable_until"] for o in mine)
    klotter = next(o for o in mine if o["category"] == "klotter")
    path = f"/observations/{klotter['id']}"

    other = call(client, tokens["bo"], "PATCH", path, {"severity": 3})
    assert other.status_code == 404 and other.json()["code"] == "observation_not_found"
    assert call(client, tokens["analyst"], "DELETE", path).status_code == 404

    correction = {"severity": 3, "description": "pnr 19121212-1212"}
    fixed = call(client, tokens["anna"], "PATCH", path, correction)
    assert fixed.status_code == 204, fixed.text
    row = fetch(engine, "SELECT severity, description FROM event WHERE id = :i", i=klotter["id"])
    assert row[0]["severity"] == 3 and "1212-1212" not in row[0]["description"]
    bad = call(client, tokens["anna"], "PATCH", path, {"category": "ufo"})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_category"
    future = call(client, tokens["anna"], "PATCH", path, {"occurred_at": "2099-01-01T12:00"})
    assert future.status_code == 422 and future.json()["code"] == "invalid_occurred_at"
    when = "SELECT occurred_at FROM event WHERE id = :i"
    stored = fetch(engine, when, i=klotter["id"])[0]["occurred_at"]
    swedish = stored.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat()  # the same moment
    local = call(client, tokens["anna"], "PATCH", path, {"occurred_at": swedish})
    assert local.status_code == 204, local.text  # no offset: Swedish time, as on ingest
    assert fetch(engine, when, i=klotter["id"])[0]["occurred_at"] == stored

    other_id = next(o["id"] for o in mine if o["category"] == "nedskrapning")
    assert call(client, tokens["anna"], "DELETE", f"/observations/{other_id}").status_code == 204
    assert fetch(engine, "SELECT id FROM event WHERE id = :i", i=other_id) == []
    actions = fetch(
        engine,
        "SELECT action, resource FROM audit_log WHERE municipality_code = :mc "
        "AND action IN ('correct_observation', 'withdraw_observation') ORDER BY id",
        mc=MC,
    )
    assert [(a["action"], a["resource"]) for a in actions] == [
        *[("correct_observation", f"event/{klotter['id']}")] * 2,  # the text, then the time
        ("withdraw_observation", f"event/{other_id}"),
    ]


def test_after_24_hours_a_report_can_no_longer_be_changed(client, tokens, engine) -> None:
    sent = call(client, tokens["bo"], "POST", "/observations", report("brand"))
    assert sent.status_code == 201
    own = call(client, tokens["bo"], "GET", "/observations?mine=true").json()
    event_id = next(o["id"] for o in own if o["category"] == "brand")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE event SET created_at = now() - interval '25 hours' WHERE id = :i"),
            {"i": event_id},
        )
    late = call(client, tokens["bo"], "DELETE", f"/observations/{event_id}")
    assert late.status_code == 403 and late.json()["code"] == "edit_window_passed"


def test_a_resend_changes_a_report_within_24_hours_audited_and_never_after(
    client, tokens, engine
) -> None:
    """A resend with the same client id is an edit: within the window it updates the report and
    the audit log counts it; after the window the report stays as it was, and the answer says so."""
    first = {**report("nedskrapning", "Soppåsar vid entrén"), "client_id": "resend-1"}
    assert call(client, tokens["bo"], "POST", "/observations", first).status_code == 201
    soon = call(client, tokens["bo"], "POST", "/observations", {**first, "severity": 3})
    [event] = fetch(
        engine,
        "SELECT id, severity FROM event WHERE source_id = :s",
        s=f"token:{_token_id(engine, tokens['bo'])}/resend-1",
    )
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE event SET created_at = now() - interval '25 hours' WHERE id = :i"),
            {"i": event["id"]},
        )
    late = call(client, tokens["bo"], "POST", "/observations", {**first, "severity": 1})
    [after] = fetch(engine, "SELECT severity FROM event WHERE id = :i", i=event["id"])
    audits = fetch(
        engine,
        "SELECT detail FROM audit_log WHERE action = 'create_observations' "
        "AND token_id = :a ORDER BY id DESC LIMIT 2",
        a=_token_id(engine, tokens["bo"]),
    )
    assert soon.json()["report"]["updated"] == 1 and event["severity"] == 3
    assert late.status_code == 201
    [result] = late.json()["results"]
    assert (result["status"], result["reason_code"]) == ("unchanged", "edit_window_passed")
    assert late.json()["report"]["unchanged"] == 1 and after["severity"] == 3
    assert [a["detail"]["kept_after_window"] for a in audits] == [1, 0]
    assert audits[1]["detail"]["updated"] == 1


def _token_id(engine: Engine, token: str) -> int:
    return fetch(engine, "SELECT id FROM api_token WHERE token_hash = :h", h=hash_token(token))[0][
        "id"
    ]


def test_a_walk_with_findings_linked_to_places_and_counted_in_priorities(
    client, tokens, engine
) -> None:
    walk = call(
        client,
        tokens["anna"],
        "POST",
        "/walks",
        {"name": "Kvällsvandring", "walk_date": "2026-11-10", "organisations": ["Polisen"]},
    )
    assert walk.status_code == 201, walk.text
    walk_id = walk.json()["id"]
    finding = {**report("belysning", "Trasig lampa"), "client_id": "lampa-1"}
    for _ in range(2):  # a resend is stored once
        sent = call(client, tokens["anna"], "POST", f"/walks/{walk_id}/findings", finding)
        assert sent.status_code == 201, sent.text
    outside = {**report("klotter"), "lat": 56.16, "lon": 13.30, "client_id": "skog"}
    assert call(client, tokens["anna"], "POST", f"/walks/{walk_id}/findings", outside).is_success

    route = {"type": "LineString", "coordinates": [[13.39, 56.136], [13.3945, 56.1372]]}
    denied = call(client, tokens["bo"], "PATCH", f"/walks/{walk_id}", {"route": route})
    assert denied.status_code == 403
    point = {"type": "Point", "coordinates": [13.39, 56.13]}
    wrong = call(client, tokens["anna"], "PATCH", f"/walks/{walk_id}", {"route": point})
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_request"
    changed = call(client, tokens["anna"], "PATCH", f"/walks/{walk_id}", {"route": route})
    assert changed.json()["route"]["coordinates"][1] == [13.3945, 56.1372]

    summary = call(client, tokens["bo"], "GET", f"/walks/{walk_id}").json()
    assert summary["walk"]["findings"] == 2
    by_category = {f["category"]: f for f in summary["items"]}
    assert by_category["belysning"]["place_name"] == "Stationsområdet"
    assert by_category["klotter"]["place_name"] is None
    listed = call(client, tokens["bo"], "GET", "/walks").json()
    assert [w["name"] for w in listed] == ["Kvällsvandring"]
    assert call(client, tokens["bo"], "GET", "/walks/999999").status_code == 404

    stored = fetch(
        engine,
        "SELECT kind, attributes FROM event WHERE municipality_code = :mc AND category = "
        "'belysning' AND kind = 'walk_finding'",
        mc=MC,
    )
    assert len(stored) == 1 and stored[0]["attributes"]["walk_id"] == walk_id
    severity = {
        r["kind"]: r["total"]
        for r in fetch(
            engine,
            "SELECT e.kind, sum(e.severity) AS total FROM event e JOIN place p "
            "ON p.municipality_code = e.municipality_code AND p.name = 'Stationsområdet' "
            "AND ST_Intersects(coalesce(p.geom, ST_Buffer(p.point, 100)), e.geom) "
            "WHERE e.municipality_code = :mc GROUP BY e.kind",
            mc=MC,
        )
    }
    # the run counts observations; the walk's finding there counts as an observation does
    station = _station_inputs(engine)
    assert severity["walk_finding"] == 2
    assert station.observation_severity == severity["observation"] + severity["walk_finding"]


def _station_inputs(engine: Engine):  # noqa: ANN202
    """The priority inputs of Stationsområdet for a run of incidents and observations whose
    current period ends tomorrow (no cells or clusters stored: only the events matter)."""
    end = datetime.now(UTC) + timedelta(days=1)
    run = AnalysisRun(
        municipality_code=MC,
        id=0,
        resolution=9,
        period_end=end,
        params={"period_days": 14, "kinds": ["incident", "observation"]},
    )
    with Session(engine) as session:
        inputs = place_inputs(session, MC, run, date.today(), PriorityConfig())
    return next(i for i in inputs if i.name == "Stationsområdet")


def test_the_app_and_its_service_worker_are_served(client) -> None:
    page = client.get("/rapportera/")
    assert (
        page.status_code == 200
        and "Personnummer, telefonnummer och e-postadresser tas bort" in page.text
    )
    assert client.get("/rapportera/sw.js").status_code == 200
    manifest = client.get("/rapportera/manifest.webmanifest").json()
    assert manifest["start_url"] == "/rapportera/" and manifest["lang"] == "sv"
