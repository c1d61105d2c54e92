"""API clients: the OAuth2 client-credentials pairs an organization hands to its integrations.

A client secret is 256 random bits shown once at creation; only its SHA-256 is stored. With that much
entropy a slow password hash adds nothing, and a fast one keeps the token endpoint cheap. The client id
starts with the organization id so a lookup never has to search across organizations.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from kontobok.store.clock import utc_now
from kontobok.store.schema import api_clients

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
        sa.select(api_clients.c.secret_hash, api_clients.c.scopes).where(
            (api_clients.c.organization_id == int(match.group(1))) & (api_clients.c.client_id == client_id)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _hash(client_secret)):
        return None
    return ApiClient(int(match.group(1)), client_id, frozenset(row.scopes.split()))
