"""OAuth2 client credentials, as the vendor's authorization server does it, and scope checks.

``POST /oauth/token`` takes a form with ``grant_type=client_credentials``, ``client_id`` and
``client_secret`` (``audience``, ``login_organization`` and ``scope`` are accepted) and answers
``{access_token, token_type: "Bearer", expires_in, scope}``. Its errors follow RFC 6749 (``{"error",
"error_description"}``), which is what OAuth2 client libraries parse. Failed logins are throttled per
address and per client and address (:mod:`kontobok.api.throttle`): 429 ``too_many_requests`` with
``Retry-After``. A revoked client gets ``invalid_client``, as an unknown one does.

Every other operation names the scopes it needs; a request without a valid token gets 401, one whose token
lacks a scope gets 403. A token (:mod:`kontobok.api.tokens`) is checked against the database on every
request, with one query over two primary keys: its client must not be revoked and its organization must
still be at the token's key generation. No cache stands between a revocation or a key rotation and the
next request, in this process or any other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

from kontobok.api.errors import oauth_body
from kontobok.api.json import ExactJSONResponse
from kontobok.api.throttle import LoginThrottle
from kontobok.api.token_form import require_form_body
from kontobok.api.tokens import LIFETIME_SECONDS, TokenClaims, issue_token, verify_token
from kontobok.core.errors import Forbidden, NotAuthenticated
from kontobok.store.clients import authenticate_client, token_holder
from kontobok.store.database import one_statement_read, read_transaction
from kontobok.store.organizations import Organization, get_organization

router = APIRouter(tags=["authentication"])

_authorization_header = APIKeyHeader(name="Authorization", scheme_name="tfso", auto_error=False)


@dataclass(frozen=True)
class Principal:
    """Who is asking: the organization the token is bound to, and what it may do."""

    organization: Organization
    scopes: frozenset[str]


def server_secret_of(request: Request) -> bytes:
    secret: bytes = request.app.state.server_secret
    return secret


def engine_of(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.engine
    return engine


def _oauth_error(status: int, error: str, description: str) -> ExactJSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="kontobok"'} if status == 401 else None
    return ExactJSONResponse(oauth_body(error, description), status_code=status, headers=headers)


class TokenRead(BaseModel):
    """An access token: send it as ``Authorization: Bearer <access_token>`` for ``expires_in`` seconds."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str


@router.post(
    "/oauth/token",
    summary="Get an access token with client credentials",
    responses={200: {"model": TokenRead}},
    dependencies=[Depends(require_form_body)],
)
def create_token(
    request: Request,
    grant_type: Annotated[str, Form()] = "",
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    scope: Annotated[str | None, Form()] = None,
    audience: Annotated[str | None, Form()] = None,
    login_organization: Annotated[str | None, Form()] = None,
) -> ExactJSONResponse:
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if not client_id or not client_secret:
        return _oauth_error(400, "invalid_request", "client_id and client_secret are required")
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else ""
    wait = throttle.retry_after(client_id, address)
    if wait is not None:
        answer = _oauth_error(429, "too_many_requests", f"too many failed logins; retry in {wait} s")
        answer.headers["Retry-After"] = str(wait)
        return answer
    with read_transaction(engine_of(request)) as connection:
        client = authenticate_client(connection, client_id, client_secret)
        if client is None:
            throttle.failed(client_id, address)
            return _oauth_error(401, "invalid_client", "unknown or revoked client, or wrong secret")
        throttle.succeeded(client_id, address)
        organization = get_organization(connection, client.organization_id)
    if login_organization not in (None, "", str(client.organization_id)):
        return _oauth_error(400, "invalid_request", "login_organization is not this client's organization")
    requested = frozenset(scope.split()) if scope else client.scopes
    if not requested <= client.scopes:
        return _oauth_error(
            400, "invalid_scope", "the client may not have: " + " ".join(sorted(requested - client.scopes))
        )
    claims = TokenClaims(
        client.organization_id,
        organization.key_generation,
        client.client_id,
        requested,
        int(time.time()) + LIFETIME_SECONDS,
    )
    return ExactJSONResponse(
        {
            "access_token": issue_token(claims, server_secret_of(request)),
            "token_type": "Bearer",
            "expires_in": LIFETIME_SECONDS,
            "scope": " ".join(sorted(requested)),
        },
        headers={"Cache-Control": "no-store"},
    )


def authenticate(request: Request, authorization: str | None) -> Principal:
    """The principal of a bearer token, or :class:`NotAuthenticated`."""
    if not authorization:
        raise NotAuthenticated("a bearer token is required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("the Authorization header must be 'Bearer <token>'")
    claims = verify_token(token.strip(), server_secret_of(request))
    if claims is None:
        raise NotAuthenticated("the token is not valid or has expired")
    with one_statement_read(engine_of(request)) as connection:
        organization = token_holder(connection, claims.organization_id, claims.client_id)
    if organization is None or organization.key_generation != claims.key_generation:
        raise NotAuthenticated("the token has been revoked")
    return Principal(organization, claims.scopes)


def require(*scopes: str) -> object:
    """A dependency that authenticates the request and checks that the token has every one of ``scopes``."""

    def dependency(
        request: Request, authorization: Annotated[str | None, Depends(_authorization_header)]
    ) -> Principal:
        principal = authenticate(request, authorization)
        missing = [scope for scope in scopes if scope not in principal.scopes]
        if missing:
            raise Forbidden("the token lacks the scope " + ", ".join(missing))
        return principal

    return Depends(dependency)
