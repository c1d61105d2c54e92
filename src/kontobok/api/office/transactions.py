"""``POST /transactions``: post a voucher to the general ledger; and the reversal extension."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Request

from kontobok.api.auth import Principal, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.json import ExactJSONRoute
from kontobok.api.office import schemas
from kontobok.api.scopes import TRANSACTION_WRITE
from kontobok.store.posting import post_drafts
from kontobok.store.reversal import reverse_voucher
from kontobok.wire.office import to_voucher_draft

router = APIRouter(route_class=ExactJSONRoute)

Writer = Annotated[Principal, require(TRANSACTION_WRITE)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Retries with the same key post once."),
]


@router.post(
    "/transactions",
    tags=["Transactions"],
    status_code=201,
    summary="Post a transaction to the general ledger",
    responses={201: {"model": schemas.TransactionCreated}},
)
def post_transaction(
    principal: Writer,
    request: Request,
    body: schemas.TransactionInput,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Post one voucher. Its lines must balance to zero per date in the base currency, and every line's date
    must fall in an open fiscal year. A line with a VAT code carries the gross amount; kontobok posts the net
    amount to the line's account and the VAT to the code's VAT account."""

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        posted = post_drafts(connection, principal.organization, [to_voucher_draft(body)])[0]
        return 201, {"transactionId": str(posted.voucher_id), "number": posted.voucher_number}

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.post(
    "/transactions/{id}/reverse",
    tags=["kontobok extensions"],
    status_code=201,
    summary="Reverse a posted transaction",
    responses={201: {"model": schemas.TransactionCreated}},
)
def reverse_transaction(
    principal: Writer,
    request: Request,
    id: uuid.UUID,
    body: schemas.ReversalInput | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Post a reversal voucher: the original's lines with every amount negated, on ``date`` (default: the
    original dates). A transaction is reversed at most once; a second reversal is a 409."""
    reversal = body or schemas.ReversalInput()

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        posted = reverse_voucher(
            connection, principal.organization, id, day=reversal.date, comment=reversal.comment
        )
        return 201, {
            "transactionId": str(posted.voucher_id),
            "number": posted.voucher_number,
            "reverses": str(id),
        }

    return run_idempotent(request, principal, idempotency_key, reversal.model_dump(mode="json"), write)
