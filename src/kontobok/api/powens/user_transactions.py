"""``GET /2.0/users/{userId}/transactions`` across every account, ``/transactions/{id}``, ``/users/me``.

The list takes Powens' filters, all optional and ANDed: ``min_date`` and ``max_date`` (inclusive booking
days), ``income`` (``true``: money in, ``false``: money out), ``wording`` (contained in the wording, any
case), ``value`` and ``last_update``, and pages with ``offset`` (from 0) and ``limit`` (1–1000, default
50). ``all`` is accepted: kontobok neither disables nor deletes transactions, so every transaction is
always listed.

``value`` is an amount in the transaction's currency: ``XX`` matches exactly ``XX``, ``-XX`` exactly
``-XX``, and ``XX|-XX`` or ``±XX`` (``+-XX`` too) either of them. ``last_update`` lists what changed after an
instant, so a client that remembers when it last synchronised fetches only what is new: ``YYYY-MM-DD
HH:MM:SS`` in the organization's time zone (as every ``last_update`` is written), or ISO 8601 with an offset.

A transaction's id is the bank's reference; one that does not exist, or is another organization's, is a 404.
``/users/me`` answers ``{"id", "signin", "platform"}``: the organization's id, when it was created, and
``kontobok``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.powens.transactions import PowensTransaction, PowensTransactionsList, transaction_json
from kontobok.api.powens.users import check_order, iso, parse_day, powens_time, resolve_user, today_in
from kontobok.api.scopes import BANK_TRANSACTION_READ
from kontobok.core.errors import NotFound, Problem, ValidationFailed
from kontobok.core.money import to_minor_units
from kontobok.store.bank_transaction_search import (
    TransactionSearch,
    booked_span,
    search_bank_transactions,
    transaction_currencies,
)
from kontobok.store.bank_transactions import get_bank_transaction
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization, organization_created_at

router = APIRouter(tags=["powens"], default_response_class=JSONResponse)

_VALUE = re.compile(
    r"(?P<either>±|\+-)?(?P<sign>-)?(?P<amount>\d{1,15}(?:\.\d{1,4})?)(?:\|-(?P<other>\d{1,15}(?:\.\d{1,4})?))?"
)
_POWENS_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


class PowensUser(BaseModel):
    id: int
    signin: str
    platform: str


def parse_value(text: str | None) -> list[Decimal] | None:
    """The amounts a ``value`` filter accepts (see the module); a 400 for any other form."""
    if text is None:
        return None
    match = _VALUE.fullmatch(text.strip())
    if match is None or (match["other"] is not None and (match["either"] or match["sign"])):
        raise ValidationFailed.single("/value", "format", "value must be XX, -XX, XX|-XX or ±XX")
    amount = Decimal(match["amount"])
    if match["either"]:
        return [amount, -amount]
    if match["other"] is not None:
        return [amount, -Decimal(match["other"])]
    return [-amount if match["sign"] else amount]


def parse_instant(text: str | None, organization: Organization) -> datetime | None:
    """A ``last_update`` instant: Powens' local form in the organization's zone, or ISO 8601 with offset."""
    if text is None:
        return None
    try:
        if len(text) > 40:
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            if not _POWENS_TIME.fullmatch(text):
                raise ValueError(text)
            moment = moment.replace(tzinfo=ZoneInfo(organization.time_zone))
        if not 1000 <= moment.year <= 9998:
            raise ValueError(text)
    except ValueError:
        raise ValidationFailed.single(
            "/last_update", "format", "last_update must be YYYY-MM-DD HH:MM:SS or ISO 8601 with an offset"
        ) from None
    return moment.astimezone(UTC)


def _values_by_currency(amounts: list[Decimal], currencies: list[str]) -> dict[str, frozenset[int]]:
    """Each amount in minor units of each currency that can hold it exactly."""
    result: dict[str, frozenset[int]] = {}
    for currency in currencies:
        minors = set()
        for amount in amounts:
            minor = to_minor_units(amount, currency, path="/value")
            if not isinstance(minor, Problem) and abs(minor) < 2**63:
                minors.add(minor)
        result[currency] = frozenset(minors)
    return result


@router.get(
    "/users/{userId}/transactions",
    summary="List transactions of every account",
    response_model=PowensTransactionsList,
)
def read_user_transactions(
    principal: Annotated[Principal, require(BANK_TRANSACTION_READ)],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
    min_date: Annotated[str | None, Query(description="First booking day (inclusive), YYYY-MM-DD.")] = None,
    max_date: Annotated[str | None, Query(description="Last booking day (inclusive), YYYY-MM-DD.")] = None,
    income: Annotated[bool | None, Query(description="true: money in; false: money out.")] = None,
    wording: Annotated[str | None, Query(max_length=200, description="Contained in the wording.")] = None,
    value: Annotated[str | None, Query(max_length=40, description="XX, -XX, XX|-XX or ±XX.")] = None,
    last_update: Annotated[
        str | None, Query(max_length=40, description="Changed after this instant.")
    ] = None,
    all: Annotated[bool, Query(description="Also disabled and deleted ones (kontobok has none).")] = False,
    limit: Annotated[int, Query(ge=1, le=1000, description="Transactions per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1, description="Transactions to skip.")] = 0,
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    first = parse_day(min_date, "min_date")
    last = parse_day(max_date, "max_date")
    if first is not None and last is not None:
        check_order(first, last)
    amounts = parse_value(value)
    changed_after = parse_instant(last_update, organization)
    organization_id = organization.organization_id
    with read_transaction(engine_of(request)) as connection:
        values = (
            None
            if amounts is None
            else _values_by_currency(amounts, transaction_currencies(connection, organization_id))
        )
        search = TransactionSearch(first, last, income, wording, values, changed_after)
        page, total = search_bank_transactions(
            connection, organization_id, search, limit=limit, offset=offset
        )
        first_booked, last_booked = booked_span(connection, organization_id)
    today = today_in(organization)
    return ExactJSONResponse(
        {
            "transactions": [transaction_json(stored, organization, today) for stored in page],
            "first_date": iso(first_booked),
            "last_date": iso(last_booked),
            "result_min_date": iso(first or first_booked),
            "result_max_date": iso(last or last_booked),
            "total": total,
        }
    )


@router.get(
    "/users/{userId}/transactions/{transactionId}",
    summary="Read a transaction",
    response_model=PowensTransaction,
)
def read_user_transaction(
    principal: Annotated[Principal, require(BANK_TRANSACTION_READ)],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
    transaction_id: Annotated[
        str, Path(alias="transactionId", max_length=130, description="The bank's reference.")
    ],
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    with read_transaction(engine_of(request)) as connection:
        try:
            stored = get_bank_transaction(connection, organization.organization_id, transaction_id)
        except NotFound:
            raise NotFound(f"transaction {transaction_id} does not exist") from None
    return ExactJSONResponse(transaction_json(stored, organization, today_in(organization)))


@router.get("/users/{userId}", summary="Read the user", response_model=PowensUser)
def read_user(
    principal: Annotated[Principal, require()],
    request: Request,
    user_id: Annotated[str, Path(alias="userId", description="`me` or the organization's id.")],
) -> ExactJSONResponse:
    organization = resolve_user(principal.organization, user_id)
    with read_transaction(engine_of(request)) as connection:
        created_at = organization_created_at(connection, organization.organization_id)
    body: dict[str, Any] = {
        "id": organization.organization_id,
        "signin": powens_time(created_at, organization),
        "platform": "kontobok",
    }
    return ExactJSONResponse(body)
