"""The NUL character through the command line: a one-line error naming where it is, and nothing stored, on
SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.core.errors import KontobokError, ValidationFailed
from kontobok.store.schema import organizations, transaction_lines, webhook_subscriptions
from tests.factories import line, voucher
from tests.test_cli import Database, _create_org, database

__all__ = ["database"]


def _count(database: Database, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
    with database.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(table).where(where)
        return int(connection.execute(query).scalar_one())


def test_a_json_line_with_nul_names_its_line_and_field(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    good = voucher("2024-03-01", line(1920, 10), line(3000, -10))
    bad = voucher("2024-03-02", line(1920, 10, comment="Salg\x00"), line(3000, -10))
    source = tmp_path / "vouchers.jsonl"
    source.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    assert "\\u0000" in source.read_text()

    result = database.run("import", "transactions", str(source), "--organization", str(organization_id))

    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationFailed), result.output
    assert [(p.path, p.message) for p in result.exception.problems] == [
        ("line 2 /lines/0/comment", "must not contain the NUL character")
    ]
    assert _count(database, transaction_lines, transaction_lines.c.organization_id == organization_id) == 0


def test_a_webhook_url_with_nul_is_refused(database: Database) -> None:
    organization_id = _create_org(database)
    for url in ("http://127.0.0.1:9/\x00hook", "http://127.0.0.1:9/ho\tok"):
        result = database.run("webhook", "add", "--organization", str(organization_id), "--url", url)
        assert result.exit_code != 0
        assert isinstance(result.exception, KontobokError), result.exception
        assert "control characters" in result.exception.message
    assert (
        _count(database, webhook_subscriptions, webhook_subscriptions.c.organization_id == organization_id)
        == 0
    )


def test_an_organization_name_with_nul_is_refused(database: Database) -> None:
    _create_org(database)
    arguments = ["org", "create", "--name", "Nullbyte\x00 AS", "--organization-number", "923609016"]
    result = CliRunner().invoke(app, [*arguments, "--database-url", database.url])
    assert result.exit_code == 2, result.output
    assert "NUL" in result.output
    assert _count(database, organizations, organizations.c.name.like("Nullbyte%")) == 0
