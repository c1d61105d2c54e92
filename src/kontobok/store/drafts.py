"""Voucher drafts: vouchers proposed for a person to confirm, stored as the vendor's JSON text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.store.clock import as_utc
from kontobok.store.schema import voucher_drafts

_drafts = voucher_drafts.c


@dataclass(frozen=True)
class StoredDraft:
    draft_id: str
    body: str
    note: str | None
    created_at: datetime


def insert_draft(connection: sa.Connection, organization_id: int, draft: StoredDraft) -> None:
    connection.execute(
        voucher_drafts.insert().values(
            organization_id=organization_id,
            draft_id=draft.draft_id,
            body=draft.body,
            note=draft.note,
            created_at=draft.created_at,
        )
    )


def count_drafts(connection: sa.Connection, organization_id: int) -> int:
    return int(
        connection.execute(
            sa.select(sa.func.count())
            .select_from(voucher_drafts)
            .where(_drafts.organization_id == organization_id)
        ).scalar_one()
    )


def list_drafts(connection: sa.Connection, organization_id: int) -> list[StoredDraft]:
    rows = connection.execute(
        sa.select(voucher_drafts)
        .where(_drafts.organization_id == organization_id)
        .order_by(_drafts.created_at, _drafts.draft_id)
    ).mappings()
    return [StoredDraft(row["draft_id"], row["body"], row["note"], as_utc(row["created_at"])) for row in rows]


def take_draft(connection: sa.Connection, organization_id: int, draft_id: str) -> StoredDraft:
    """Remove the draft and return it; a 404 when there is none."""
    key = (_drafts.organization_id == organization_id) & (_drafts.draft_id == draft_id)
    row = connection.execute(sa.select(voucher_drafts).where(key)).mappings().first()
    if row is None:
        raise NotFound(f"draft {draft_id} does not exist")
    connection.execute(voucher_drafts.delete().where(key))
    return StoredDraft(row["draft_id"], row["body"], row["note"], as_utc(row["created_at"]))
