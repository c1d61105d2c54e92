"""Voucher drafts: an assistant proposes, a person confirms.

A draft is the vendor's ``TransactionInput``. It is checked when it is made, by posting it in a savepoint
that is then rolled back (so the proposer learns at once of an imbalance, a closed year or an unknown
account, and nothing is stored but the draft), and it is posted only by :func:`confirm_draft`, through the
same path and checks as ``POST /v1/transactions``, in the same transaction that removes the draft. An
organization holds at most 100 drafts.
"""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from typing import Any

import simplejson
import sqlalchemy as sa
from pydantic import ValidationError

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.store.clock import utc_now
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.drafts import StoredDraft, count_drafts, insert_draft, list_drafts, take_draft
from kontobok.store.organizations import get_organization
from kontobok.store.posting import post_drafts
from kontobok.wire.office import TransactionInput, to_voucher_draft

MAX_DRAFTS = 100


def _parsed(body: dict[str, Any]) -> TransactionInput:
    try:
        return TransactionInput.model_validate(body)
    except ValidationError as error:
        raise ValidationFailed(
            [
                Problem("/" + "/".join(str(part) for part in detail["loc"]), detail["type"], detail["msg"])
                for detail in error.errors()
            ]
        ) from None


def create_draft(
    engine: sa.Engine, organization_id: int, body: dict[str, Any], note: str | None
) -> dict[str, Any]:
    """Check ``body`` as a posting would and store it as a draft (see the module)."""
    parsed = _parsed(body)
    if note is not None and len(note) > 500:
        raise ValidationFailed.single("/note", "maxLength", "note has at most 500 characters")
    text = simplejson.dumps(body, use_decimal=True, ensure_ascii=False, separators=(",", ":"))
    draft = StoredDraft("draft_" + secrets.token_hex(12), text, note, utc_now())
    with write_transaction(engine) as connection:
        if count_drafts(connection, organization_id) >= MAX_DRAFTS:
            raise ValidationFailed.single(
                "/", "maxItems", f"at most {MAX_DRAFTS} drafts wait for confirmation"
            )
        organization = get_organization(connection, organization_id)
        trial = connection.begin_nested()
        try:
            post_drafts(connection, organization, [to_voucher_draft(parsed)])
        finally:
            trial.rollback()
        insert_draft(connection, organization_id, draft)
    return _json(draft)


def _json(draft: StoredDraft) -> dict[str, Any]:
    return {
        "id": draft.draft_id,
        "createdAt": draft.created_at.isoformat().replace("+00:00", "Z"),
        "note": draft.note,
        "transaction": json.loads(draft.body, parse_float=Decimal),
    }


def drafts(engine: sa.Engine, organization_id: int) -> list[dict[str, Any]]:
    with read_transaction(engine) as connection:
        return [_json(draft) for draft in list_drafts(connection, organization_id)]


def confirm_draft(engine: sa.Engine, organization_id: int, draft_id: str) -> dict[str, Any]:
    """Post the draft through the normal posting path; the draft is gone only if the posting succeeds."""
    with write_transaction(engine) as connection:
        draft = take_draft(connection, organization_id, draft_id)
        organization = get_organization(connection, organization_id)
        parsed = _parsed(json.loads(draft.body, parse_float=Decimal))
        posted = post_drafts(connection, organization, [to_voucher_draft(parsed)])[0]
    return {"draft": draft_id, "transactionId": str(posted.voucher_id), "number": posted.voucher_number}


def discard_draft(engine: sa.Engine, organization_id: int, draft_id: str) -> None:
    with write_transaction(engine) as connection:
        take_draft(connection, organization_id, draft_id)
