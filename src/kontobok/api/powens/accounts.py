"""``GET /2.0/users/{userId}/accounts``: the organization's bank accounts as Powens lists them.

An account's ``balance`` is its end-of-day balance today (in the organization's time zone) in the account's
own currency: the latest balance the bank reported on or before today, plus the transactions booked after
that report up to today, which is the reported balance itself when nothing was booked since. It is the
balance the ``/balances`` operation gives for today, so the two never disagree. Before the first report,
today's balance is worked back from it; without any report, it is the sum of the transactions. An account
with neither a transaction nor a reported balance in its currency has ``balance: null``.

Every account is a ``checking`` account and none is ``disabled``. ``iban`` is the number when the account
was registered by IBAN, else ``null``. ``last_update`` is the last time kontobok learned something about the
account from its bank or its owner: the latest reported balance's timestamp, or the account's own last
change when later, written as Powens writes times (``YYYY-MM-DD HH:MM:SS``, here in the organization's time
zone).

``coming`` is the sum of the account's transactions booked after today (in its currency; 0 without any):
money the bank has announced but not yet debited or credited, which today's ``balance`` leaves out. The
list's ``balances`` maps each currency to the sum of the listed accounts' balances in it (accounts without a
balance count for nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.powens.users import (
    Number,
    PowensCurrency,
    account_activity,
    currency_json,
    powens_time,
    resolve_user,
    today_in,
)
from kontobok.api.scopes import BANK_ACCOUNT_READ
from kontobok.core.money import to_decimal
from kontobok.core.periods import inclusive_range
from kontobok.store.bank_accounts import (
    BankAccount,
    ReportedBalance,
    latest_balances_before,
    list_bank_accounts,
)
from kontobok.store.bank_history import daily_balances
from kontobok.store.bank_transaction_search import coming_sums
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization

# handlers answer with ExactJSONResponse; JSONResponse here only lets the OpenAPI document show the model
router = APIRouter(tags=["powens"], default_response_class=JSONResponse)

# later than any balance can be reported, so that "the latest before it" is the latest of all
_END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)


class PowensAccount(BaseModel):
    id: str
    id_user: int
    number: str
    iban: str | None
    name: str
    balance: Number | None
    coming: Number
    currency: PowensCurrency
    type: str
    disabled: bool
    last_update: str


class PowensAccountsList(BaseModel):
    accounts: list[PowensAccount]
    balances: dict[str, Number]
    total: int


def _account_json(
    connection: sa.Connection,
    organization: Organization,
    account: BankAccount,
    latest_report: ReportedBalance | None,
    coming: int,
) -> tuple[dict[str, Any], int | None]:
    details = account.details
    organization_id = organization.organization_id
    activity = account_activity(connection, organization_id, account)
    balance: int | None = None
    if details.currency in activity.currencies:
        today = today_in(organization)
        (day,) = daily_balances(
            connection,
            organization_id,
            account.bank_account_id,
            details.currency,
            inclusive_range(today, today),
        )
        balance = day.balance
    updated = account.modified_at
    if latest_report is not None:
        updated = max(updated, latest_report.reported_at)
    return {
        "id": str(account.bank_account_id),
        "id_user": organization_id,
        "number": details.number,
        "iban": details.number if details.number_type == "iban" else None,
        "name": details.name,
        "balance": None if balance is None else to_decimal(balance, details.currency),
        "coming": to_decimal(coming, details.currency),
        "currency": currency_json(details.currency),
        "type": "checking",
        "disabled": False,
        "last_update": powens_time(updated, organization),
    }, balance


@router.get("/users/{userId}/accounts", summary="List bank accounts", response_model=PowensAccountsList)
def read_accounts(
    principal: Annotated[Principal, require(BANK_ACCOUNT_READ)],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    with read_transaction(engine_of(request)) as connection:
        latest = latest_balances_before(connection, organization.organization_id, _END_OF_TIME)
        coming = coming_sums(connection, organization.organization_id, today_in(organization))
        listed = [
            _account_json(
                connection,
                organization,
                account,
                latest.get(account.bank_account_id),
                coming.get((account.bank_account_id, account.details.currency), 0),
            )
            for account in list_bank_accounts(connection, organization.organization_id)
        ]
    totals: dict[str, int] = {}
    for body, balance in listed:
        if balance is not None:
            currency = body["currency"]["id"]
            totals[currency] = totals.get(currency, 0) + balance
    return ExactJSONResponse(
        {
            "accounts": [body for body, _ in listed],
            "balances": {currency: to_decimal(total, currency) for currency, total in sorted(totals.items())},
            "total": len(listed),
        }
    )
