"""API clients: the OAuth2 client-credentials pairs an organization hands to its integrations.

A client secret is 256 random bits shown once at creation; only its SHA-256 is stored. With that much
entropy a slow password hash adds nothing, and a fast one keeps the token endpoint cheap. The client id
starts with the organization id so a lookup never has to search across organizations.

A revoked client keeps its row (with ``revoked_at``) so that its history stays readable; it can no longer
get a token, and the tokens it holds fail on their next request (:func:`token_holder`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.store.clock import as_utc, utc_now
from kontobok.store.organizations import Organization, organization_from_row
from kontobok.store.schema import api_clients, organizations

_CLIENT_ID = re.compile(r"^kb(\d{1,9})_[0-9a-f]{16}$")


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class ApiClient:
    organization_id: int
    client_id: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class ClientRecord:
    """What may be shown about a client: never its secret nor the secret's hash."""

    client_id: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    def as_json(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "scopes": sorted(self.scopes),
            "created": self.created_at.isoformat(),
            "revoked": self.revoked_at.isoformat() if self.revoked_at is not None else None,
        }


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_client(
    connection: sa.Connection, organization_id: int, scopes: frozenset[str]
) -> ClientCredentials:
    credentials = ClientCredentials(
        client_id=f"kb{organization_id}_{secrets.token_hex(8)}", client_secret=secrets.token_urlsafe(32)
    )
    connection.execute(
        api_clients.insert().values(
            organization_id=organization_id,
            client_id=credentials.client_id,
            secret_hash=_hash(credentials.client_secret),
            scopes=" ".join(sorted(scopes)),
            created_at=utc_now(),
        )
    )
    return credentials


def authenticate_client(connection: sa.Connection, client_id: str, client_secret: str) -> ApiClient | None:
    """The client with this id and secret, or None (alike for an unknown id and a wrong secret)."""
    match = _CLIENT_ID.match(client_id)
    if match is None:
        return None
    row = connection.execute(
        sa.select(api_clients.c.secret_hash, api_clients.c.scopes, api_clients.c.revoked_at).where(
            (api_clients.c.organization_id == int(match.group(1))) & (api_clients.c.client_id == client_id)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(client_secret)):
        return None
    if row.revoked_at is not None:
        return None
    return ApiClient(int(match.group(1)), client_id, frozenset(row.scopes.split()))


def token_holder(connection: sa.Connection, organization_id: int, client_id: str) -> Organization | None:
    """The organization of a live client, read fresh for every request; None if the client is revoked or gone.

    One query over two primary keys: the caller compares the organization's current key generation with
    the token's, so a revocation or a key rotation takes effect on the next request in every process.
    """
    row = (
        connection.execute(
            sa.select(organizations)
            .join(api_clients, api_clients.c.organization_id == organizations.c.organization_id)
            .where(
                (organizations.c.organization_id == organization_id)
                & (api_clients.c.organization_id == organization_id)
                & (api_clients.c.client_id == client_id)
                & api_clients.c.revoked_at.is_(None)
            )
        )
        .mappings()
        .one_or_none()
    )
    return None if row is None else organization_from_row(row)


def revoke_client(connection: sa.Connection, organization_id: int, client_id: str) -> None:
    """Revoke a client of the organization: no new tokens, and its live tokens fail from now on."""
    key = (api_clients.c.organization_id == organization_id) & (api_clients.c.client_id == client_id)
    found = connection.execute(sa.select(api_clients.c.revoked_at).where(key)).first()
    if found is None:
        raise NotFound(f"organization {organization_id} has no client {client_id}")
    if found.revoked_at is None:
        connection.execute(api_clients.update().where(key).values(revoked_at=utc_now()))


def list_clients(connection: sa.Connection, organization_id: int) -> list[ClientRecord]:
    """The organization's clients, oldest first, revoked ones included."""
    rows = connection.execute(
        sa.select(
            api_clients.c.client_id, api_clients.c.scopes, api_clients.c.created_at, api_clients.c.revoked_at
        )
        .where(api_clients.c.organization_id == organization_id)
        .order_by(api_clients.c.created_at, api_clients.c.client_id)
    ).all()
    return [
        ClientRecord(
            row.client_id,
            frozenset(row.scopes.split()),
            as_utc(row.created_at),
            None if row.revoked_at is None else as_utc(row.revoked_at),
        )
        for row in rows
    ]
