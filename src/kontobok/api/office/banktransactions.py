"""``/banktransactions``: transactions the bank booked, keyed by the bank's own reference.

``amount.value`` is positive; ``type`` gives the direction (inbound adds to the account, outbound takes
from it). A reference is unique per organization: posting it again is a 409 and stores nothing. The bank
account's own number fills ``fromBankAccount`` on outbound and ``toBankAccount`` on inbound transactions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Path, Query, Request

from kontobok.api.as_of import AsOf
from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.json import ExactJSONResponse, ExactJSONRoute
from kontobok.api.office import bank_schemas
from kontobok.api.office.bank_reads import BankTransactionRead
from kontobok.api.office.bank_render import bank_transaction_json
from kontobok.api.office.transactionlines import page_links
from kontobok.api.scopes import BANK_TRANSACTION_READ, BANK_TRANSACTION_WRITE
from kontobok.core.errors import Conflict, NotFound, Problem, ValidationFailed
from kontobok.core.money import KNOWN_CURRENCIES, to_minor_units
from kontobok.core.periods import inclusive_range, local_day
from kontobok.store.bank_accounts import BankAccount, get_bank_account
from kontobok.store.bank_transactions import (
    BankTransaction,
    add_bank_transactions,
    get_bank_transaction,
    list_bank_transactions,
)
from kontobok.store.database import read_transaction
from kontobok.wire.office import JsonDayOrInstant

router = APIRouter(route_class=ExactJSONRoute, tags=["bankTransactions"])
Reader = Annotated[Principal, require(BANK_TRANSACTION_READ)]
Writer = Annotated[Principal, require(BANK_TRANSACTION_WRITE)]


def _latest_allowed_end(date_from: date) -> date:
    """Two years after ``date_from`` (29 February falls back to the 28th)."""
    try:
        return date_from.replace(year=date_from.year + 2)
    except ValueError:
        return date_from.replace(year=date_from.year + 2, day=28)


def _booking_day(value: date | datetime, principal: Principal, path: str) -> date:
    """The vendor accepts ISO 8601 here: a date-time stands for its day in the organization's time zone."""
    try:
        return local_day(value, principal.organization.time_zone)
    except ValueError as error:
        raise ValidationFailed.single(path, "range", str(error)) from None


@router.get(
    "/banktransactions",
    summary="Read bank transactions",
    responses={200: {"model": list[BankTransactionRead]}},
)
def read_bank_transactions(
    principal: Reader,
    request: Request,
    date_from_given: Annotated[
        JsonDayOrInstant,
        Query(
            alias="dateFrom",
            description="First booking day (inclusive); a date-time means its day in the organization's"
            " time zone.",
        ),
    ],
    date_to_given: Annotated[
        JsonDayOrInstant,
        Query(
            alias="dateTo",
            description="Last booking day (inclusive); a date-time means its day in the organization's"
            " time zone.",
        ),
    ],
    bank_account_id: Annotated[uuid.UUID | None, Query(alias="bankAccountId")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    as_of: AsOf = None,
) -> ExactJSONResponse:
    date_from = _booking_day(date_from_given, principal, "/dateFrom")
    date_to = _booking_day(date_to_given, principal, "/dateTo")
    if date_from > date_to:
        raise ValidationFailed.single("/dateFrom", "range", "dateFrom must not be after dateTo")
    if date_from.year > 9997 or date_to > _latest_allowed_end(date_from):
        raise ValidationFailed.single("/dateTo", "range", "the range cannot span more than two years")
    organization_id = principal.organization.organization_id
    with read_transaction(engine_of(request)) as connection:
        found = list_bank_transactions(
            connection,
            organization_id,
            inclusive_range(date_from, date_to),
            bank_account_id=bank_account_id,
            limit=limit + 1,
            offset=(page - 1) * limit,
            as_of=as_of,
        )
    links = page_links(request, page, len(found) > limit, with_self=True)
    return ExactJSONResponse([bank_transaction_json(item) for item in found[:limit]], headers={"link": links})


@router.get(
    "/banktransactions/{bankTransactionReference}",
    summary="Read a bank transaction by reference",
    responses={200: {"model": BankTransactionRead}},
)
def read_bank_transaction(
    principal: Reader,
    request: Request,
    reference: Annotated[str, Path(alias="bankTransactionReference", max_length=130)],
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        stored = get_bank_transaction(connection, principal.organization.organization_id, reference)
    return ExactJSONResponse(bank_transaction_json(stored))


def _transaction(body: bank_schemas.BankTransactionCreate, account: BankAccount) -> BankTransaction:
    currency = body.amount.currency.code
    if currency not in KNOWN_CURRENCIES:
        raise ValidationFailed.single("/amount/currency/code", "enum", f"unknown currency {currency}")
    minor = to_minor_units(body.amount.value, currency, path="/amount/value")
    if isinstance(minor, Problem):
        raise ValidationFailed([minor])
    own = (account.details.number, account.details.number_type)
    outbound = body.type == "outbound"
    other = body.toBankAccount if outbound else body.fromBankAccount
    other_number, other_type = (other.number, other.type) if other else (None, None)
    from_number, from_type = own if outbound else (other_number, other_type)
    to_number, to_type = (other_number, other_type) if outbound else own
    codes = body.bankTransactionCode or bank_schemas.TransactionCode()
    return BankTransaction(
        reference=body.bankTransactionReference,
        bank_account_id=account.bank_account_id,
        amount=-minor if outbound else minor,
        currency=currency,
        booking_date=body.date,
        payment_reference_type=body.paymentReference.type,
        payment_reference_value=body.paymentReference.value,
        from_number=from_number,
        from_type=from_type,
        to_number=to_number,
        to_type=to_type,
        domain_code=codes.domainCode,
        family_code=codes.familyCode,
        subfamily_code=codes.subFamilyCode,
    )


@router.post(
    "/banktransactions",
    status_code=201,
    summary="Create a new bank transaction",
    responses={201: {"model": BankTransactionRead}},
)
def post_bank_transaction(
    principal: Writer,
    request: Request,
    body: bank_schemas.BankTransactionCreate,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> Any:
    organization_id = principal.organization.organization_id

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        try:
            account = get_bank_account(connection, organization_id, uuid.UUID(body.bankAccount.id))
        except (ValueError, NotFound):
            raise ValidationFailed.single(
                "/bankAccount/id", "exists", f"bank account {body.bankAccount.id} does not exist"
            ) from None
        if not add_bank_transactions(connection, organization_id, [_transaction(body, account)]):
            raise Conflict(f"bank transaction {body.bankTransactionReference} exists already")
        return 201, bank_transaction_json(
            get_bank_transaction(connection, organization_id, body.bankTransactionReference)
        )

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)
