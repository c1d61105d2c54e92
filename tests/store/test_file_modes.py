"""The SQLite files kontobok creates are private to their owner: mode 0600, the ``-wal`` and ``-shm`` too.

The books of every organization are in the file; before, it was created 0644 and anyone on the host could
copy it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kontobok.cli import app as cli
from kontobok.store.database import create_engine, open_database, write_transaction
from tests.factories import new_organization


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The usual umask 022, under which a file created without care is readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def modes(directory: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in sorted(directory.iterdir())}


def test_the_database_and_its_wal_and_shm_are_0600_after_a_write(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'kontobok.db'}")
    new_organization(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM transaction_lines").scalar_one()

        found = modes(tmp_path)

    assert set(found) >= {"kontobok.db", "kontobok.db-wal", "kontobok.db-shm"}
    assert set(found.values()) == {0o600}, found
    engine.dispose()


def test_org_create_on_a_new_path_makes_private_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"

    result = CliRunner().invoke(
        cli,
        ["org", "create", "--name", "Privat AS", "--organization-number", "923609016", "--database-url", url],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == 1
    found = modes(tmp_path)
    assert "fresh.db" in found
    assert set(found.values()) == {0o600}, found


def test_a_database_file_others_may_read_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = open_database(f"sqlite:///{path}")
    new_organization(engine)
    engine.dispose()
    for file in tmp_path.iterdir():
        file.chmod(0o644)

    engine = create_engine(f"sqlite:///{path}")
    with write_transaction(engine) as connection:
        connection.exec_driver_sql("UPDATE organizations SET name = name")

    assert set(modes(tmp_path).values()) == {0o600}
    engine.dispose()
