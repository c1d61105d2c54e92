"""The server secret lives outside the database: in ``KONTOBOK_SECRET_KEY`` or a key file made 0600.

The suite points ``KONTOBOK_SECRET_KEY_FILE`` at a file of its own (``tests/conftest.py``); these tests
unset it to see where kontobok keeps the secret by itself.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.api.scopes import ALL_SCOPES
from kontobok.api.server_secret import (
    POSTGRESQL_KEY_FILE,
    SECRET_ENV,
    SECRET_FILE_ENV,
    SecretKeyProblem,
    load_server_secret,
)
from kontobok.store.clients import create_client
from kontobok.store.database import open_database, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.schema import metadata
from tests.factories import new_organization


@pytest.fixture(autouse=True)
def no_configured_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(SECRET_FILE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def token_and_status(engine: sa.Engine, organization: Organization, *apps: TestClient) -> list[int]:
    """A token from the first app, then the status of ``/v1/accounts`` with it on every app."""
    with write_transaction(engine) as connection:
        client = create_client(connection, organization.organization_id, ALL_SCOPES)
    answer = apps[0].post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    return [app.get("/v1/accounts", headers=headers).status_code for app in apps]


def test_a_sqlite_database_gets_a_private_key_file_beside_it_on_first_start(tmp_path: Path) -> None:
    database = tmp_path / "books" / "kontobok.db"
    database.parent.mkdir()
    engine = open_database(f"sqlite:///{database}")
    key_file = tmp_path / "books" / "kontobok.db.key"
    assert not key_file.exists()

    with TestClient(create_app(engine)) as first:
        assert mode(key_file) == 0o600
        secret = key_file.read_text().strip()
        assert len(secret) >= 64
        # a restart, or a second process, reads the same secret: the first one's tokens stay good
        with TestClient(create_app(engine)) as second:
            assert token_and_status(engine, new_organization(engine), first, second) == [200, 200]
    assert key_file.read_text().strip() == secret
    with engine.connect() as connection:
        stored = [connection.execute(sa.select(table)).all() for table in metadata.sorted_tables]
    assert len(stored) > 10
    assert secret not in str(stored)


def test_postgresql_keeps_the_key_file_in_the_working_directory(postgres_url: str, tmp_path: Path) -> None:
    secret = load_server_secret(sa.make_url(postgres_url))

    key_file = tmp_path / POSTGRESQL_KEY_FILE
    assert mode(key_file) == 0o600
    assert key_file.read_text().strip().encode() == secret
    assert load_server_secret(sa.make_url(postgres_url)) == secret


def test_the_key_file_can_be_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "secrets" / "kontobok.key"
    monkeypatch.setenv(SECRET_FILE_ENV, str(key_file))

    secret = load_server_secret(sa.make_url(f"sqlite:///{tmp_path / 'k.db'}"))

    assert mode(key_file) == 0o600
    assert key_file.read_text().strip().encode() == secret
    assert not (tmp_path / "k.db.key").exists()


def test_the_environment_variable_wins_and_no_file_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "s" * 40)

    assert load_server_secret(sa.make_url(f"sqlite:///{tmp_path / 'k.db'}")) == b"s" * 40
    assert list(tmp_path.iterdir()) == []


def test_a_short_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "too short")

    with pytest.raises(SecretKeyProblem, match="at least 32"):
        load_server_secret(sa.make_url(f"sqlite:///{tmp_path / 'k.db'}"))


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "k.db.key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)

    with pytest.raises(SecretKeyProblem, match="chmod 600"):
        load_server_secret(sa.make_url(f"sqlite:///{tmp_path / 'k.db'}"))


def test_tokens_of_another_secret_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost or changed secret invalidates every token; clients fetch new ones with the same credentials."""
    engine = open_database(f"sqlite:///{tmp_path / 'k.db'}")
    organization = new_organization(engine)
    monkeypatch.setenv(SECRET_ENV, "a" * 40)
    with TestClient(create_app(engine), raise_server_exceptions=False) as before:
        monkeypatch.setenv(SECRET_ENV, "b" * 40)
        with TestClient(create_app(engine), raise_server_exceptions=False) as after:
            assert token_and_status(engine, organization, before, after) == [200, 401]
            assert token_and_status(engine, organization, after) == [200]


def test_serve_with_a_key_file_open_to_others_exits_1_saying_why(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    key_file = tmp_path / "k.db.key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o640)
    environment = {
        name: value for name, value in os.environ.items() if name not in (SECRET_ENV, SECRET_FILE_ENV)
    }

    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kontobok.cli import main; sys.argv[0] = 'kontobok'; main()",
            "serve",
            "--database-url",
            f"sqlite:///{database}",
            "--port",
            "1",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=environment,
    )

    assert completed.returncode == 1, completed.stderr
    assert "chmod 600" in " ".join(completed.stderr.split())
    assert "Traceback" not in completed.stderr
