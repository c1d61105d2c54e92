"""``kontobok demo`` on a new SQLite file: private files, and a printed client that gets a token and reads."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kontobok.api.app import create_app
from kontobok.api.server_secret import SECRET_ENV, SECRET_FILE_ENV
from kontobok.cli import app as cli
from kontobok.store.database import open_database


@pytest.mark.slow
def test_the_demo_prints_a_client_that_works_and_its_files_are_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    monkeypatch.delenv(SECRET_FILE_ENV, raising=False)
    before = os.umask(0o022)
    try:
        url = f"sqlite:///{tmp_path / 'demo.db'}"
        result = CliRunner().invoke(cli, ["demo", "--no-serve", "--database-url", url])
        assert result.exit_code == 0, (result.output, result.exception)
        client_id = re.search(r"client_id:\s+(\S+)", result.output)
        client_secret = re.search(r"client_secret:\s+(\S+)", result.output)
        assert client_id is not None, result.output
        assert client_secret is not None, result.output

        with TestClient(create_app(open_database(url))) as http:
            token = http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id.group(1),
                    "client_secret": client_secret.group(1),
                },
            )
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert len(http.get("/v1/accounts", headers=headers).json()) > 50
    finally:
        os.umask(before)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()}
    assert {"demo.db", "demo.db.key"} <= set(modes)
    assert set(modes.values()) == {0o600}, modes
