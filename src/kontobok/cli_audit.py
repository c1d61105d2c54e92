"""Audit commands of the ``kontobok`` CLI: verify the books against their journal, print the journal's head.

Both print JSON on standard output. ``verify`` exits 1 when it finds any problem, 0 when the chain holds and
every row matches the journal; an organization that does not exist, or a database that cannot be read, is a
message and exit 2, never a traceback.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console

from kontobok.core.errors import NotFound
from kontobok.services.audit import journal_head, verify_journal
from kontobok.store.database import open_database, read_transaction
from kontobok.store.organizations import get_organization

err = Console(stderr=True)
audit_app = typer.Typer(help="Check that the books are the ones kontobok wrote.", no_args_is_help=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]
HASH = re.compile(r"[0-9a-fA-F]{64}")


def _print(body: dict[str, Any]) -> None:
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))


def _fail(message: str) -> None:
    err.print(message)
    raise typer.Exit(2)


@audit_app.command("verify")
def verify_command(
    organization: OrganizationId,
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help="A head hash kept elsewhere: it must still be in the journal."),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Recompute the journal's hash chain and compare every stored row with it."""
    if expect_head is not None and not HASH.fullmatch(expect_head):
        _fail("--expect-head must be a SHA-256 hash: 64 hexadecimal digits")
    try:
        with read_transaction(open_database(database_url), snapshot=True) as connection:
            get_organization(connection, organization)
            report = verify_journal(connection, organization, expect_head=expect_head)
    except NotFound as error:
        _fail(str(error))
        return
    except sa.exc.SQLAlchemyError as error:
        _fail(f"the database could not be read: {error.__class__.__name__}")
        return
    _print(report.as_json())
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("head")
def head_command(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """Print the position and hash of the journal's last entry, to keep somewhere else."""
    try:
        with read_transaction(open_database(database_url)) as connection:
            get_organization(connection, organization)
            head = journal_head(connection, organization)
    except NotFound as error:
        _fail(str(error))
        return
    _print({"position": head.position, "hash": head.hash})


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
