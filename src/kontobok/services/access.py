"""Who may call the API: revoking an API client, rotating an organization's token key, listing clients.

Both changes take effect on the next request in every server process, because every request checks its
token against the database (:mod:`kontobok.api.auth`).
"""

from __future__ import annotations

import sqlalchemy as sa

from kontobok.store.clients import ClientRecord, list_clients, revoke_client
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.organizations import get_organization, rotate_key


def revoke(engine: sa.Engine, organization_id: int, client_id: str) -> None:
    """Revoke one client: it gets no new token and the tokens it holds fail from now on."""
    with write_transaction(engine) as connection:
        get_organization(connection, organization_id)
        revoke_client(connection, organization_id, client_id)


def rotate_organization_key(engine: sa.Engine, organization_id: int) -> int:
    """Move the organization to a new key generation, invalidating all its tokens; the new generation."""
    with write_transaction(engine) as connection:
        return rotate_key(connection, organization_id)


def clients_of(engine: sa.Engine, organization_id: int) -> list[ClientRecord]:
    """The organization's API clients, revoked ones included; never their secrets."""
    with read_transaction(engine) as connection:
        get_organization(connection, organization_id)
        return list_clients(connection, organization_id)
