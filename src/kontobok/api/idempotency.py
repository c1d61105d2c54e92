"""Running a write under an ``Idempotency-Key``: one answer per key, whatever the retries.

A key is 1 to 255 characters (the routes declare the maximum) and not blank: an empty or whitespace-only key
would silently tie together every client that sends the header without a value, so it is a 400.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import simplejson
import sqlalchemy as sa
from fastapi import Request, Response

from kontobok.api.auth import Principal, engine_of
from kontobok.api.json import ExactJSONResponse, dumps
from kontobok.core.errors import Conflict, ValidationFailed
from kontobok.core.text import NUL_MESSAGE, has_nul
from kontobok.store.database import serialize_on, write_transaction
from kontobok.store.idempotency import StoredAnswer, find_answer, remember_answer


def request_hash(request: Request, body: object) -> str:
    canonical = simplejson.dumps(body, use_decimal=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode()).hexdigest()


def run_idempotent(
    request: Request,
    principal: Principal,
    key: str | None,
    body: object,
    write: Callable[[sa.Connection], tuple[int, Any]],
) -> Response:
    """Run ``write`` in a write transaction and answer with what it returns; replay it for a known key."""
    if key is not None and not key.strip():
        raise ValidationFailed.single(
            "/Idempotency-Key", "minLength", "Idempotency-Key must not be empty or only whitespace"
        )
    if key is not None and has_nul(key):
        raise ValidationFailed.single("/Idempotency-Key", "format", f"Idempotency-Key {NUL_MESSAGE}")
    organization_id = principal.organization.organization_id
    fingerprint = request_hash(request, body)
    try:
        with write_transaction(engine_of(request)) as connection:
            if key is not None:
                serialize_on(connection, organization_id, f"idempotency key {key}")
                stored = find_answer(connection, organization_id, key)
                if stored is not None:
                    return _replay(stored, fingerprint)
            status, content = write(connection)
            if key is not None:
                remember_answer(
                    connection,
                    organization_id,
                    key,
                    StoredAnswer(fingerprint, status, dumps(content).decode()),
                )
    except sa.exc.IntegrityError:
        if key is None:
            raise
        with write_transaction(engine_of(request)) as connection:
            stored = find_answer(connection, organization_id, key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    return ExactJSONResponse(content, status_code=status)


def _replay(stored: StoredAnswer, fingerprint: str) -> Response:
    """The stored answer, byte for byte; a different request under the same key is a conflict."""
    if stored.request_hash != fingerprint:
        raise Conflict("this Idempotency-Key was used with a different request")
    return Response(
        stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"Idempotent-Replayed": "true"},
    )
