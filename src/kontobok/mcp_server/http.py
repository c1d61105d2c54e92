"""The MCP server over streamable HTTP, behind the organization's bearer tokens.

Every request must carry ``Authorization: Bearer <token>`` with a token from ``POST /oauth/token`` of this
organization that holds ``api.accounting.transaction:read``: the tokens of the API, verified as the API
verifies them (signed with the organization's key, not expired, its client not revoked). Anything else
is a 401 (403 for a token without the scope) before the MCP layer sees the request.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from starlette.types import ASGIApp, Receive, Scope, Send

from kontobok.api.scopes import TRANSACTION_READ
from kontobok.api.server_secret import load_server_secret
from kontobok.api.tokens import verify_token
from kontobok.store.clients import token_holder
from kontobok.store.database import one_statement_read


class BearerTokenGate:
    """ASGI middleware that lets through only requests with a valid token of one organization."""

    def __init__(self, app: ASGIApp, engine: sa.Engine, organization_id: int) -> None:
        self.app = app
        self.engine = engine
        self.organization_id = organization_id
        self.server_secret = load_server_secret(engine.url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        refusal = self._refusal(headers.get("authorization", ""))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        body = json.dumps(
            {"error": "invalid_token" if status == 401 else "insufficient_scope", "message": message}
        )
        extra = [(b"www-authenticate", b'Bearer realm="kontobok"')] if status == 401 else []
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})

    def _refusal(self, authorization: str) -> tuple[int, str] | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return 401, "a bearer token is required"
        claims = verify_token(token.strip(), self.server_secret)
        if claims is None:
            return 401, "the token is not valid or has expired"
        if claims.organization_id != self.organization_id:
            return 401, "the token is not valid here"
        # Read fresh for every request, as the API does: a revoked client or a rotated key fails at once.
        with one_statement_read(self.engine) as connection:
            holder = token_holder(connection, claims.organization_id, claims.client_id)
        if holder is None or holder.key_generation != claims.key_generation:
            return 401, "the token has been revoked"
        if TRANSACTION_READ not in claims.scopes:
            return 403, f"the token lacks the scope {TRANSACTION_READ}"
        return None
