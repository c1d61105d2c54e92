"""``GET /2.0/users/{userId}/accounts/{accountId}/transactions``: a bank account's transactions, a page at
a time.

``min_date`` and ``max_date`` are inclusive booking days; either may be left out, and without both every
transaction is listed. Transactions come by booking day, then by the bank's reference, so pages are stable.
``limit`` (1–1000, default 50) and ``offset`` (from 0) cut the page; ``total`` counts every transaction in
the range, read from the per-day totals kept with the transactions rather than by counting rows.

A transaction's ``id`` is the bank's own reference; ``date`` and ``rdate`` are its booking day, ``vdate``
its value day (``null`` when the bank gave none), ``value`` the signed amount (money in is positive) in its
own currency, and both wordings are its payment reference. Every transaction is a ``transfer`` that has
been booked; one booked after today is still ``coming``. ``last_update`` is when kontobok last changed the
transaction (``YYYY-MM-DD HH:MM:SS`` in the organization's time zone); nothing is ever deleted (``deleted:
null``, ``active: true``). ``first_date`` and ``last_date`` are the first and last booking day of the
account's transactions (``null`` without any); ``result_min_date`` and ``result_max_date`` are the range
answered, an open end taking the first or last booking day.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.powens.users import (
    Number,
    PowensCurrency,
    check_order,
    currency_json,
    find_account,
    iso,
    parse_day,
    powens_time,
    resolve_user,
    today_in,
)
from kontobok.api.scopes import BANK_TRANSACTION_READ
from kontobok.core.money import to_decimal
from kontobok.core.periods import ONE_DAY, DateRange
from kontobok.store.bank_transactions import (
    StoredBankTransaction,
    activity_span,
    count_bank_transactions,
    list_bank_transactions,
)
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization

# handlers answer with ExactJSONResponse; JSONResponse here only lets the OpenAPI document show the model
router = APIRouter(tags=["powens"], default_response_class=JSONResponse)


class PowensTransaction(BaseModel):
    id: str
    id_account: str
    date: dt.date
    rdate: dt.date
    vdate: dt.date | None
    value: Number
    original_wording: str
    wording: str
    type: str
    coming: bool
    currency: PowensCurrency
    bdate: dt.date
    application_date: dt.date
    gross_value: Number
    active: bool
    deleted: str | None
    last_update: str


class PowensTransactionsList(BaseModel):
    transactions: list[PowensTransaction]
    first_date: dt.date | None
    last_date: dt.date | None
    result_min_date: dt.date | None
    result_max_date: dt.date | None
    total: int


def transaction_json(
    stored: StoredBankTransaction, organization: Organization, today: dt.date
) -> dict[str, Any]:
    """A bank transaction as Powens writes one (see the module)."""
    item = stored.transaction
    value = to_decimal(item.amount, item.currency)
    return {
        "id": item.reference,
        "id_account": str(item.bank_account_id),
        "date": item.booking_date.isoformat(),
        "rdate": item.booking_date.isoformat(),
        "vdate": iso(item.value_date),
        "value": value,
        "original_wording": item.payment_reference_value,
        "wording": item.payment_reference_value,
        "type": "transfer",
        "coming": item.booking_date > today,
        "currency": currency_json(item.currency),
        "bdate": item.booking_date.isoformat(),
        "application_date": item.booking_date.isoformat(),
        "gross_value": value,
        "active": True,
        "deleted": None,
        "last_update": powens_time(stored.modified_at, organization),
    }


@router.get(
    "/users/{userId}/accounts/{accountId}/transactions",
    summary="List transactions of an account",
    response_model=PowensTransactionsList,
)
def read_transactions(
    principal: Annotated[Principal, require(BANK_TRANSACTION_READ)],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
    account_id: Annotated[str, Path(alias="accountId", description="The bank account's id.")],
    min_date: Annotated[str | None, Query(description="First booking day (inclusive), YYYY-MM-DD.")] = None,
    max_date: Annotated[str | None, Query(description="Last booking day (inclusive), YYYY-MM-DD.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Transactions per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Transactions to skip.")] = 0,
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    first = parse_day(min_date, "min_date")
    last = parse_day(max_date, "max_date")
    if first is not None and last is not None:
        check_order(first, last)
    span = DateRange(first or dt.date.min, last + ONE_DAY if last else dt.date.max)
    with read_transaction(engine_of(request)) as connection:
        account = find_account(connection, organization, account_id)
        organization_id, bank_account_id = organization.organization_id, account.bank_account_id
        first_booked, last_booked, _ = activity_span(connection, organization_id, bank_account_id)
        total = count_bank_transactions(connection, organization_id, bank_account_id, span)
        page = list_bank_transactions(
            connection, organization_id, span, bank_account_id=bank_account_id, limit=limit, offset=offset
        )
    return ExactJSONResponse(
        {
            "transactions": [
                transaction_json(stored, organization, today_in(organization)) for stored in page
            ],
            "first_date": iso(first_booked),
            "last_date": iso(last_booked),
            "result_min_date": iso(first or first_booked),
            "result_max_date": iso(last or last_booked),
            "total": total,
        }
    )
