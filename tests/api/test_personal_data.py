"""Personal data is stored and echoed nowhere: an import and observations carrying personnummer,
phone numbers and e-mail addresses in the awkward forms leave none of them in any text or JSON
column of any table, in any response, or in the log."""

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from geo_service.api.app import create_app
from geo_service.api.logs import install_log_redaction
from tests.conftest import make_tokens
from tests.db.test_ingest_files import make_tenant

MC = "1298"
FILE = Path(__file__).parents[1] / "data" / "ingest" / "personal_data_excel.csv"
FILENAME = "anmälningar 640823-3234 070.318.52.96.csv"
PERSONNUMMER = ("6408233234", "7203145862", "5309217387")
PHONE = "703185296"
"""The digits of the seeded numbers: searched for with every separator taken out."""
FORMS = (
    "640823",
    "720314",
    "530921",
    "318 52 96",
    "318.52.96",
    "318-52",
    "kalle.anka",
    "example.se",
    "lisa@",
)
"""Pieces of every seeded form, searched for as written."""
OBSERVATIONS = [
    {
        "client_id": "640823\u20113234",
        "category": "klotter",
        "occurred_at": "2025-05-12T21:30:00",
        "lat": 56.1330,
        "lon": 13.3830,
        "description": "Anmälare 640823\u22123234 / 19640823\u2009-\u20093234 / 720314\u202f5862, "
        "tel +46\u00a070\u00a0318\u00a052\u00a096, 070\u2010318 52 96, lisa@example.se",
    },
    {
        "client_id": "070 318 52 96",
        "category": "Ring 070.318.52.96",
        "occurred_at": "2025-05-12T22:00:00",
        "place": "lisa@example.se",
        "address": "Storgatan 640823-3234",
        "description": "samordningsnummer 530921\u20127387",
    },
]


def _leaks(found: str) -> list[str]:
    """The seeded values in a text, as written or as digits only."""
    digits = "".join(c for c in found if c.isdigit())
    return [f for f in FORMS if f in found] + [n for n in (*PERSONNUMMER, PHONE) if n in digits]


def _columns(engine: Engine) -> list[tuple[str, str]]:
    """Every text, character and JSON column of every table."""
    sql = text(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' "
        "AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')"
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sql)]


def _stored_leaks(engine: Engine) -> list[str]:
    needles = [f"%{f}%" for f in FORMS]
    cores = [f"%{n}%" for n in (*PERSONNUMMER, PHONE)]
    leaks = []
    with engine.connect() as conn:
        for table, column in _columns(engine):
            value = f'"{column}"::text'
            hit = conn.execute(
                text(
                    f'SELECT {value} FROM "{table}" WHERE {value} LIKE ANY(:needles) '
                    f"OR regexp_replace({value}, '[^0-9]', '', 'g') LIKE ANY(:cores) LIMIT 1"
                ),
                {"needles": needles, "cores": cores},
            ).scalar()
            if hit is not None:
                leaks.append(f"{table}.{column}: {hit}")
    return leaks


def test_personal_data_is_stored_and_echoed_nowhere(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    make_tenant(engine, MC)
    tokens = make_tokens(
        engine, MC, {"analyst": ("analyst", "Kommunen"), "reporter": ("reporter", "Bolaget")}
    )
    analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
    reporter = {"Authorization": f"Bearer {tokens['reporter']}"}
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    responses = []
    with TestClient(create_app()) as client:
        imported = client.post(
            f"/api/v1/imports?municipality={MC}",
            headers=analyst,
            data={"source": "polisen_test", "kind": "incident"},
            files={"file": (FILENAME, FILE.read_bytes(), "text/csv")},
        )
        assert imported.status_code == 201, imported.text
        report = imported.json()
        assert (report["stored"], report["quarantined"]) == (1, 3)
        observed = client.post(
            f"/api/v1/observations?municipality={MC}", headers=reporter, json=OBSERVATIONS
        )
        assert observed.status_code == 201, observed.text
        assert [r["status"] for r in observed.json()["results"]] == ["stored", "quarantined"]
        invalid = client.post(
            f"/api/v1/observations?municipality={MC}",
            headers=reporter,
            json={**OBSERVATIONS[0], "severity": "640823-3234"},
        )
        assert invalid.status_code == 422
        unknown = client.get(f"/tiles/640823-3234.json?municipality={MC}", headers=analyst)
        assert unknown.status_code == 404
        responses = [imported, observed, invalid, unknown]
        access = logging.getLogger(
            "uvicorn.access"
        )  # the server's request line, as uvicorn logs it
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", unknown.request.url.path, "1.1", 404
        )
        for url, headers in (
            (f"/api/v1/imports?municipality={MC}", analyst),
            (f"/api/v1/imports/{report['batch_id']}?municipality={MC}", analyst),
            (f"/api/v1/quarantine?municipality={MC}", analyst),
            (f"/api/v1/observations?municipality={MC}", analyst),
            (f"/api/v1/observations?municipality={MC}", reporter),
        ):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            responses.append(response)
    quarantined = responses[6].json()
    assert {q["reason_code"] for q in quarantined} >= {"invalid_date", "unknown_category"}
    assert any("[redacted]" in q["message"] for q in quarantined)
    for response in responses:
        assert _leaks(response.text) == [], response.request.url
    assert _stored_leaks(engine) == []
    assert caplog.records, "the log was captured"
    # httpx logs the test's own client side of each request, not the server's
    server_log = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")
    assert _leaks(server_log) == [], [r for r in server_log.splitlines() if _leaks(r)]


def test_an_error_logged_with_its_traceback_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    log = logging.getLogger("geo_service.api.problems")
    try:
        raise ValueError('invalid input syntax for type integer: "640823-3234"')
    except ValueError as exc:
        log.exception("unexpected error at %s", "070 318 52 96")
        log.error("database unavailable: %s", exc)
    formatted = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "Traceback" in formatted and "[redacted]" in formatted
    assert _leaks(formatted) == []
