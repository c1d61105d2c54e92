"""A command about an organization that does not exist, or pointed at a database it cannot use, fails with
one line that says so: never a traceback, never an empty answer as if the organization had nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kontobok.core.errors import NotFound
from tests.test_cli import Database, _create_org, database

__all__ = ["database"]


@pytest.mark.parametrize(
    "command",
    [
        ("webhook", "add", "--url", "http://127.0.0.1:9/hook"),
        ("webhook", "list"),
        ("webhook", "monitor", "list"),
        ("webhook", "monitor", "add", "--account", "1920", "--below", "0"),
        ("draft", "list"),
        ("client", "list"),
        ("verify",),
        ("audit", "head"),
    ],
)
def test_an_unknown_organization_is_named(database: Database, command: tuple[str, ...]) -> None:
    unknown = _create_org(database) + 1000
    result = database.run(*command, "--organization", str(unknown))
    assert result.exit_code != 0
    # ``kontobok`` prints a KontobokError in one line (see ``main``); a command may also print it itself
    said = result.exception.message if isinstance(result.exception, NotFound) else result.output.strip()
    assert said == f"organization {unknown} does not exist", (result.output, result.exception)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql+psycopg://kontobok:x@127.0.0.1:1/none",
            "the database cannot be used: connection failed",
        ),
        (
            "sqlite:////nonexistent-directory/books.db",
            "the database cannot be used: unable to open database file",
        ),
        ("nosuchdatabase://x", "not a database URL kontobok can use"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line(url: str, message: str) -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "kontobok", "verify", "--organization", "1", "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith(message), finished.stderr
    assert len(finished.stderr.strip().splitlines()) == 1, finished.stderr
    assert "Traceback" not in finished.stderr
