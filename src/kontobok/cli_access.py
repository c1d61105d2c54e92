"""``kontobok client revoke``, ``kontobok client list`` and ``kontobok org rotate-key``.

A revocation or a rotation is stored in the database, and every server process checks it on the next
request: no restart is needed and no cache keeps a revoked token alive.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kontobok.services.access import clients_of, revoke, rotate_organization_key
from kontobok.store.database import open_database

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]


def register(org_app: typer.Typer, client_app: typer.Typer) -> None:
    client_app.command("revoke")(client_revoke)
    client_app.command("list")(client_list)
    org_app.command("rotate-key")(org_rotate_key)


def client_revoke(
    organization: OrganizationId,
    client_id: Annotated[str, typer.Option("--client-id", help="The client to revoke.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an API client: its tokens fail at once and it gets no new ones."""
    revoke(open_database(database_url), organization, client_id)
    typer.echo(json.dumps({"client_id": client_id, "revoked": True}))


def client_list(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """Print the organization's API clients as JSON: id, scopes, created, revoked (never a secret)."""
    clients = clients_of(open_database(database_url), organization)
    typer.echo(json.dumps([client.as_json() for client in clients]))


def org_rotate_key(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """Rotate the organization's token key: every token it has fails at once; clients fetch new ones."""
    generation = rotate_organization_key(open_database(database_url), organization)
    typer.echo(json.dumps({"id": organization, "keyGeneration": generation}))
