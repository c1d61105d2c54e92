"""``GET /2.0/users/{userId}/accounts/{accountId}/balances``: a bank account's balance, incomes, expenses
and overdraft days per calendar month, and day by day when a range is asked for.

``min_date`` and ``max_date`` are both inclusive and default to the first and the last day of the current
month where the organization is; a missing end alone takes its default. The range is cut into calendar
months clipped to it. A day's balance is the bank's end-of-day balance as
:mod:`kontobok.core.bank_balances` computes it from the balances the bank reported and the transactions
booked around them; ``incomes`` sums the day's inflows (≥ 0), ``expenses`` its outflows (≤ 0) and
``remains`` is their sum. A group's ``balance`` is that of its last day and ``n_overdraft`` counts its days
that ended below zero.

The top-level figures are in the bank account's own currency. ``currencies`` repeats them for every
currency the account has a transaction or a reported balance in, the account's currency first and the others
by code; a currency is never converted into another. ``daily_balances`` (in the account's currency) is sent
only when ``min_date`` or ``max_date`` was given, as Powens does. ``first_date`` and ``last_date`` are the
first and last day with a transaction or a reported balance in any currency (``null`` without either);
``result_min_date`` and ``result_max_date`` are the range answered. A range longer than
:data:`MAX_DAYS` days is refused rather than answered slowly.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema

from kontobok.api.as_of import AsOf
from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.powens.users import (
    Number,
    PowensCurrency,
    account_activity,
    check_order,
    currency_json,
    current_month,
    find_account,
    iso,
    parse_day,
    resolve_user,
)
from kontobok.api.scopes import BANK_ACCOUNT_READ
from kontobok.core.bank_balances import BalanceGroup, DailyBalance, monthly_groups
from kontobok.core.errors import ValidationFailed
from kontobok.core.money import to_decimal
from kontobok.core.periods import MAX_DAYS_PER_REPORT, inclusive_range
from kontobok.store.bank_history import daily_balances
from kontobok.store.database import committed_reads

# handlers answer with ExactJSONResponse; JSONResponse here only lets the OpenAPI document show the model
router = APIRouter(tags=["powens"], default_response_class=JSONResponse)

MAX_DAYS = MAX_DAYS_PER_REPORT


class DailyBalanceRead(BaseModel):
    date: dt.date
    balance: Number
    incomes: Number
    expenses: Number
    remains: Number


class BalanceCurrencyGroup(PowensCurrency):
    balance: Number
    incomes: Number
    expenses: Number
    remains: Number


class BalanceGroupRead(BaseModel):
    min_date: dt.date
    max_date: dt.date
    balance: Number
    incomes: Number
    expenses: Number
    remains: Number
    n_overdraft: int
    currencies: list[BalanceCurrencyGroup]
    # sent only when min_date or max_date was given; never null
    daily_balances: list[DailyBalanceRead] | SkipJsonSchema[None] = None


class BalanceGroupsList(BaseModel):
    balances: list[BalanceGroupRead]
    first_date: dt.date | None
    last_date: dt.date | None
    result_min_date: dt.date
    result_max_date: dt.date


def _figures(group: BalanceGroup | DailyBalance, currency: str) -> dict[str, Any]:
    return {
        "balance": to_decimal(group.balance, currency),
        "incomes": to_decimal(group.incomes, currency),
        "expenses": to_decimal(group.expenses, currency),
        "remains": to_decimal(group.remains, currency),
    }


def _group_json(
    index: int, groups: dict[str, list[BalanceGroup]], currency: str, *, daily: bool
) -> dict[str, Any]:
    group = groups[currency][index]
    body: dict[str, Any] = {
        "min_date": group.span.begin.isoformat(),
        "max_date": group.span.last_day.isoformat(),
        **_figures(group, currency),
        "n_overdraft": group.overdraft_days,
        "currencies": [
            {**currency_json(code), **_figures(by_currency[index], code)}
            for code, by_currency in groups.items()
        ],
    }
    if daily:
        body["daily_balances"] = [
            {"date": day.day.isoformat(), **_figures(day, currency)} for day in group.days
        ]
    return body


@router.get(
    "/users/{userId}/accounts/{accountId}/balances",
    summary="Get balances of an account",
    response_model=BalanceGroupsList,
)
def read_balances(
    principal: Annotated[Principal, require(BANK_ACCOUNT_READ)],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
    account_id: Annotated[str, Path(alias="accountId", description="The bank account's id.")],
    min_date: Annotated[str | None, Query(description="First day (inclusive), YYYY-MM-DD.")] = None,
    max_date: Annotated[str | None, Query(description="Last day (inclusive), YYYY-MM-DD.")] = None,
    as_of: AsOf = None,
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    first_default, last_default = current_month(organization)
    first = parse_day(min_date, "min_date") or first_default
    last = parse_day(max_date, "max_date") or last_default
    check_order(first, last, min_given=min_date is not None, max_given=max_date is not None)
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationFailed.single(
            "/max_date", "range", f"min_date..max_date may cover at most {MAX_DAYS} days"
        )
    span = inclusive_range(first, last)
    with committed_reads(engine_of(request)) as connection:
        account = find_account(connection, organization, account_id)
        activity = account_activity(connection, organization.organization_id, account)
        own = account.details.currency
        codes = [own, *sorted(activity.currencies - {own})]
        groups = {
            code: monthly_groups(
                span,
                daily_balances(
                    connection, organization.organization_id, account.bank_account_id, code, span, as_of
                ),
            )
            for code in codes
        }
    daily = min_date is not None or max_date is not None
    return ExactJSONResponse(
        {
            "balances": [_group_json(i, groups, own, daily=daily) for i in range(len(groups[own]))],
            "first_date": iso(activity.first_day),
            "last_date": iso(activity.last_day),
            "result_min_date": first.isoformat(),
            "result_max_date": last.isoformat(),
        }
    )
