"""Signed, expiring access tokens bound to one organization.

A token is ``kb1.<payload>.<signature>``: the payload names the organization, the client, the granted scopes
and the expiry; the signature is an HMAC-SHA256 of the payload with the organization's own signing key. A
tampered or expired token fails verification; rotating an organization's key revokes all its tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

PREFIX = "kb1"
LIFETIME_SECONDS = 3600


@dataclass(frozen=True)
class TokenClaims:
    organization_id: int
    client_id: str
    scopes: frozenset[str]
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str, key: str) -> str:
    return _b64(hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest())


def issue_token(claims: TokenClaims, key: str) -> str:
    payload = _b64(
        json.dumps(
            {
                "org": claims.organization_id,
                "cid": claims.client_id,
                "scp": " ".join(sorted(claims.scopes)),
                "exp": claims.expires_at,
            },
            separators=(",", ":"),
        ).encode()
    )
    return f"{PREFIX}.{payload}.{_sign(payload, key)}"


def unverified_organization(token: str) -> tuple[int, str, str] | None:
    """The organization id a token claims, with its payload and signature, before any check."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        organization_id = json.loads(_unb64(parts[1]))["org"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(organization_id, int) or isinstance(organization_id, bool):
        return None
    if not 0 < organization_id < 2**31:
        return None
    return organization_id, parts[1], parts[2]


def verify_token(payload: str, signature: str, key: str, *, now: float | None = None) -> TokenClaims | None:
    """The claims of a correctly signed, unexpired token; None otherwise."""
    if not hmac.compare_digest(_sign(payload, key), signature):
        return None
    data = json.loads(_unb64(payload))
    claims = TokenClaims(
        int(data["org"]), str(data["cid"]), frozenset(str(data["scp"]).split()), int(data["exp"])
    )
    if claims.expires_at <= (time.time() if now is None else now):
        return None
    return claims
