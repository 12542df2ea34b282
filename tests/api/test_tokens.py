"""Tokens expire, rate limits follow the token however it is sent, TileJSON names the public
address, a chunked upload over the limit gets 413, and no error shows a server path."""

import time
from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo_service.api.app import create_app
from geo_service.api.auth import create_token, hash_token
from geo_service.config import Settings, get_settings
from tests.api.serving_data import PUBLIC_MC, Tenant, bearer


def _app(**changes: object) -> TestClient:
    settings: Settings = get_settings().model_copy(update=changes)
    return TestClient(create_app(settings))


def test_an_expired_token_is_refused_with_its_own_code(
    engine: Engine, tenants: dict[str, Tenant]
) -> None:
    with Session(engine) as session:
        token = create_token(session, PUBLIC_MC, "analyst", "Kommunen", "expires", days=30)
        session.commit()
    url = f"/api/v1/imports?municipality={PUBLIC_MC}"
    _expire(engine, token, "2 seconds")
    with _app() as client:  # the token check is kept 10 s, its expiry time with it
        before = client.get(url, headers=bearer(token))
        time.sleep(2.5)
        after = client.get(url, headers=bearer(token))
    assert before.status_code == 200, before.text
    assert after.status_code == 401
    assert after.json()["code"] == "token_expired"


def _expire(engine: Engine, token: str, after: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE api_token SET expires_at = now() + CAST(:t AS interval) "
                "WHERE token_hash = :h"
            ),
            {"t": after, "h": hash_token(token)},
        )


def test_a_revoked_token_is_refused_within_the_auth_cache_time(
    engine: Engine, tenants: dict[str, Tenant]
) -> None:
    """Token checks are kept for `auth_cache_seconds` in each process: a token revoked from the
    CLI (another process) still reads until then, and is refused after it."""
    with Session(engine) as session:
        token = create_token(session, PUBLIC_MC, "analyst", "Kommunen", "revoked")
        session.commit()
    url = f"/api/v1/imports?municipality={PUBLIC_MC}"
    with _app(auth_cache_seconds=1) as client:
        before = client.get(url, headers=bearer(token))
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE api_token SET revoked_at = now() WHERE token_hash = :h"),
                {"h": hash_token(token)},
            )
        kept = client.get(url, headers=bearer(token))
        time.sleep(1.2)
        after = client.get(url, headers=bearer(token))
    assert before.status_code == kept.status_code == 200, kept.text
    assert after.status_code == 401, after.text


def test_a_new_token_expires_after_the_days_asked_for(
    engine: Engine, tenants: dict[str, Tenant]
) -> None:
    with Session(engine) as session:
        default = create_token(session, PUBLIC_MC, "viewer", "Kommunen", "default")
        short = create_token(session, PUBLIC_MC, "viewer", "Kommunen", "short", days=7)
        session.commit()
        days = {
            t: session.execute(
                text(
                    "SELECT round(extract(epoch FROM expires_at - created_at) / 86400) "
                    "FROM api_token WHERE token_hash = :h"
                ),
                {"h": hash_token(t)},
            ).scalar_one()
            for t in (default, short)
        }
    assert (days[default], days[short]) == (365, 7)


def test_every_spelling_of_the_scheme_is_accepted(tenants: dict[str, Tenant]) -> None:
    token = tenants[PUBLIC_MC].tokens["analyst"]
    url = f"/api/v1/imports?municipality={PUBLIC_MC}"
    with _app() as client:
        statuses = [
            client.get(url, headers={"Authorization": header}).status_code
            for header in (f"Bearer {token}", f"bearer {token}", f"BEARER   {token}  ")
        ]
    assert statuses == [200, 200, 200]


def test_the_write_rate_limit_follows_the_token_however_the_scheme_is_spelled(
    tenants: dict[str, Tenant],
) -> None:
    token = tenants[PUBLIC_MC].tokens["reporter"]
    url = f"/api/v1/observations?municipality={PUBLIC_MC}"
    spellings = (f"Bearer {token}", f"bearer {token}", f"Bearer  {token}", f"BEARER {token} ")
    with _app(write_burst=3, write_rate_per_minute=0.001) as client:
        statuses = [
            client.post(url, headers={"Authorization": h}, json=[]).status_code for h in spellings
        ]
    assert statuses[:3] != [429] * 3 and statuses[3] == 429


def test_tilejson_urls_use_the_public_base_url_not_the_host_header(
    tenants: dict[str, Tenant],
) -> None:
    t = tenants[PUBLIC_MC]
    headers = bearer(t.tokens["analyst"]) | {"Host": "evil.example.com"}
    with _app(public_base_url="https://karta.kommun.se/geo/") as client:
        doc = client.get(
            "/tiles/hotspots.json", params={"municipality": t.code}, headers=headers
        ).json()
    assert doc["tiles"][0].startswith("https://karta.kommun.se/geo/tiles/hotspots/{z}/")
    assert "evil" not in doc["tiles"][0]


def _chunks(size: int) -> Iterator[bytes]:
    yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    for _ in range(size // 65536):
        yield b"x" * 65536
    yield b"\r\n--b--\r\n"


def test_a_chunked_upload_over_the_limit_gets_413(tenants: dict[str, Tenant]) -> None:
    token = tenants[PUBLIC_MC].tokens["analyst"]
    headers = bearer(token) | {"Content-Type": "multipart/form-data; boundary=b"}
    with _app(max_upload_mb=1) as client:
        response = client.post(
            f"/api/v1/imports?municipality={PUBLIC_MC}",
            headers=headers,
            content=_chunks(3 * 1024 * 1024),
        )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_no_error_message_shows_a_server_path(tenants: dict[str, Tenant]) -> None:
    token = tenants[PUBLIC_MC].tokens["analyst"]
    with _app() as client:
        responses = [
            client.post(
                f"/api/v1/imports?municipality={PUBLIC_MC}",
                headers=bearer(token),
                data={"source": "test", "kind": "incident"},
                files={"file": (name, content)},
            )
            for name, content in (
                ("lager.gpkg", b"SQLite format 3\x00 not really"),
                ("karta.zip", b"PK\x03\x04 broken zip"),
                ("bok.xlsx", b"PK\x03\x04 broken workbook"),
                ("data.geojson", b"{ broken"),
            )
        ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert "/tmp" not in response.text and "geo_service_upload" not in response.text
        assert "upload0" not in response.text


def test_without_a_public_base_url_tilejson_names_the_served_host_and_port() -> None:
    assert Settings(host="127.0.0.1", port=9000).base_url == "http://127.0.0.1:9000/"
    assert Settings(host="0.0.0.0", port=8000).base_url == "http://127.0.0.1:8000/"
    configured = Settings(public_base_url="https://karta.kommun.se/geo", host="0.0.0.0")
    assert configured.base_url == "https://karta.kommun.se/geo/"
