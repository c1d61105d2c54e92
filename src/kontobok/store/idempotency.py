"""Idempotency keys: a retried POST returns the first answer instead of posting twice.

The key is stored with a hash of the request and the answer, in the same transaction as what the request
stored. The same key with the same request gets the stored answer; with a different request, a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from kontobok.store.clock import utc_now
from kontobok.store.schema import idempotency_keys


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    status_code: int
    body: str


def find_answer(connection: sa.Connection, organization_id: int, key: str) -> StoredAnswer | None:
    row = connection.execute(
        sa.select(
            idempotency_keys.c.request_hash, idempotency_keys.c.status_code, idempotency_keys.c.response_body
        ).where(
            (idempotency_keys.c.organization_id == organization_id)
            & (idempotency_keys.c.idempotency_key == key)
        )
    ).first()
    return None if row is None else StoredAnswer(row[0], row[1], row[2])


def remember_answer(connection: sa.Connection, organization_id: int, key: str, answer: StoredAnswer) -> None:
    connection.execute(
        idempotency_keys.insert().values(
            organization_id=organization_id,
            idempotency_key=key,
            request_hash=answer.request_hash,
            status_code=answer.status_code,
            response_body=answer.body,
            created_at=utc_now(),
        )
    )
