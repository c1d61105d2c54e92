"""Signed, expiring access tokens bound to one organization: JSON Web Tokens (RFC 7519), HS256.

A token's header names its key, ``"kid": "o<organization>g<generation>"``; its claims are the
organization (``org``), the client (``cid``), the granted scopes (``scope``, space-separated), when it was
issued (``iat``), when it expires (``exp``) and a unique id (``jti``). The key is never stored: it is an
HMAC-SHA256 of the server secret (:mod:`kontobok.api.server_secret`, kept outside the database) over the
organization id and its key generation, the one number the database keeps. Whoever reads the database
alone, or a backup of it, holds nothing that signs a token.

Verification refuses every algorithm but HS256 (``none`` included), a ``kid`` that is not the one form
above, a token whose ``org`` differs from its ``kid``, an expired one, and one that claims to live longer
than kontobok ever issues. What is left for the caller is the check against the database: that the
organization is still at the token's key generation and the client is not revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"
LIFETIME_SECONDS = 3600
# the clocks of the host that issues and the host that checks may differ this much
CLOCK_SKEW_SECONDS = 60
# longer than any token kontobok issues, header included: refused before any parsing
MAX_TOKEN_LENGTH = 2048
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_KID = re.compile(r"o([1-9][0-9]{0,9})g([1-9][0-9]{0,9})")
_DERIVATION_LABEL = b"kontobok organization token key v1"
_REQUIRED = ["org", "cid", "scope", "exp", "iat", "jti"]


@dataclass(frozen=True)
class TokenClaims:
    organization_id: int
    key_generation: int
    client_id: str
    scopes: frozenset[str]
    expires_at: int


def organization_key(secret: bytes, organization_id: int, generation: int) -> bytes:
    """The signing key of one key generation of one organization, derived from the server secret."""
    message = _DERIVATION_LABEL + b"\x00" + f"{organization_id}:{generation}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def key_id(organization_id: int, generation: int) -> str:
    return f"o{organization_id}g{generation}"


def issue_token(claims: TokenClaims, secret: bytes, *, now: int | None = None) -> str:
    issued_at = int(time.time()) if now is None else now
    return jwt.encode(
        {
            "org": claims.organization_id,
            "cid": claims.client_id,
            "scope": " ".join(sorted(claims.scopes)),
            "iat": issued_at,
            "exp": claims.expires_at,
            "jti": uuid.uuid4().hex,
        },
        organization_key(secret, claims.organization_id, claims.key_generation),
        algorithm=ALGORITHM,
        headers={"kid": key_id(claims.organization_id, claims.key_generation)},
    )


def _named_key(token: str) -> tuple[int, int] | None:
    """The organization and key generation a token's header names, before any check of its signature."""
    if len(token) > MAX_TOKEN_LENGTH or _SHAPE.fullmatch(token) is None:
        return None
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        return None
    if header.get("alg") != ALGORITHM:
        return None
    kid = header.get("kid")
    match = _KID.fullmatch(kid) if isinstance(kid, str) else None
    if match is None:
        return None
    organization_id, generation = int(match.group(1)), int(match.group(2))
    if organization_id >= 2**31 or generation >= 2**31:
        return None
    return organization_id, generation


def verify_token(token: str, secret: bytes, *, now: float | None = None) -> TokenClaims | None:
    """The claims of a well-formed, correctly signed, unexpired token; None otherwise.

    The caller must still check the key generation and the client against the database.
    """
    named = _named_key(token)
    if named is None:
        return None
    organization_id, generation = named
    moment = time.time() if now is None else now
    try:
        data = jwt.decode(
            token,
            organization_key(secret, organization_id, generation),
            algorithms=[ALGORITHM],
            options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        return None
    org, client_id, scope, expires_at, issued_at = (data[name] for name in _REQUIRED[:5])
    if not (_is_int(org) and _is_int(expires_at) and _is_int(issued_at)):
        return None
    if org != organization_id or not isinstance(client_id, str) or not isinstance(scope, str):
        return None
    if not moment < expires_at <= moment + LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
        return None
    if issued_at > moment + CLOCK_SKEW_SECONDS:
        return None
    return TokenClaims(organization_id, generation, client_id, frozenset(scope.split()), expires_at)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
