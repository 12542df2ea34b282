"""The CLI: geo-service token list shows a tenant's tokens without hashes; revoke locks one out."""

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from geo_service.api.auth import hash_token, principal_from_header
from geo_service.api.problems import http_status
from geo_service.cli import app
from geo_service.errors import GeoServiceError
from tests.db.test_ingest_files import make_tenant

MC, OTHER = "1296", "1297"


def _create(runner: CliRunner, mc: str, role: str, name: str) -> str:
    result = runner.invoke(
        app,
        [
            "token",
            "create",
            "--municipality",
            mc,
            "--role",
            role,
            "--org",
            "Perstorps kommun",
            "--name",
            name,
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _id(engine: Engine, token: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM api_token WHERE token_hash = :h"), {"h": hash_token(token)}
        ).scalar_one()


def _rows(stdout: str) -> dict[str, list[str]]:
    """Table rows of `token list` by id: [id, role, organisation, name, created, revoked,
    expires]."""
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in stdout.splitlines()]
    return {row[0]: row for row in cells if len(row) == 7 and row[0].isdigit()}


def test_token_list_and_revoke(database_url: str, engine: Engine) -> None:
    make_tenant(engine, MC)
    make_tenant(engine, OTHER)
    runner = CliRunner()
    analyst = _create(runner, MC, "analyst", "Trygghetssamordnare")
    viewer = _create(runner, MC, "viewer", "Lägesbild-skärm")
    foreign = _create(runner, OTHER, "admin", "Grannkommun")
    analyst_id, viewer_id, foreign_id = (_id(engine, t) for t in (analyst, viewer, foreign))

    listed = runner.invoke(app, ["token", "list", "--municipality", MC])
    assert listed.exit_code == 0, listed.output
    rows = _rows(listed.stdout)
    assert set(rows) == {str(analyst_id), str(viewer_id)}  # not the other tenant's token
    assert rows[str(analyst_id)][1:4] == ["analyst", "Perstorps kommun", "Trygghetssamordnare"]
    assert rows[str(viewer_id)][1] == "viewer" and rows[str(viewer_id)][5] == ""
    for token in (analyst, viewer):
        assert hash_token(token) not in listed.stdout and token not in listed.stdout

    revoked = runner.invoke(app, ["token", "revoke", str(analyst_id), "--municipality", MC])
    assert revoked.exit_code == 0, revoked.output
    with Session(engine) as session:
        try:
            principal_from_header(session, f"Bearer {analyst}")
            raise AssertionError("a revoked token still authenticates")
        except GeoServiceError as exc:
            assert http_status(exc) == 401
        assert principal_from_header(session, f"Bearer {viewer}").role == "viewer"

    after = _rows(runner.invoke(app, ["token", "list", "--municipality", MC]).stdout)
    assert after[str(analyst_id)][5] != "" and after[str(viewer_id)][5] == ""

    # another tenant's id, or revoking twice, fails with a clear message and changes nothing
    cross = runner.invoke(app, ["token", "revoke", str(foreign_id), "--municipality", MC])
    assert cross.exit_code == 2 and "token_not_found" in cross.output
    again = runner.invoke(app, ["token", "revoke", str(analyst_id), "--municipality", MC])
    assert again.exit_code == 2
    with Session(engine) as session:
        assert principal_from_header(session, f"Bearer {foreign}").municipality_code == OTHER


def test_token_create_days_sets_the_expiry_shown_by_token_list(engine: Engine) -> None:
    make_tenant(engine, MC)
    runner = CliRunner()
    token = runner.invoke(
        app,
        ["token", "create", "--municipality", MC, "--role", "viewer", "--org", "Skärm"]
        + ["--name", "kort", "--days", "30"],
    ).stdout.strip()
    rows = _rows(runner.invoke(app, ["token", "list", "--municipality", MC]).stdout)
    with engine.connect() as conn:
        created, expires = conn.execute(
            text(
                "SELECT (created_at AT TIME ZONE 'Europe/Stockholm')::date, "
                "(expires_at AT TIME ZONE 'Europe/Stockholm')::date FROM api_token "
                "WHERE token_hash = :h"
            ),
            {"h": hash_token(token)},
        ).one()
    assert (expires - created).days == 30
    assert rows[str(_id(engine, token))][6] == f"{expires:%Y-%m-%d}"
