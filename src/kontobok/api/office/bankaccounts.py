"""``/bankaccounts``: bank accounts with their last reported balance, and new balances as the bank reports
them; extensions for the balance checks and the day-by-day reconciliation with the ledger.

``before=YYYY-MM-DD`` picks each account's last balance reported strictly before the start of that day in
the organization's time zone; without it, the latest one up to now. An account without such a balance has
no ``balance`` object.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from fastapi import APIRouter, Header, Path, Query, Request

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.json import ExactJSONResponse, ExactJSONRoute
from kontobok.api.office import bank_schemas
from kontobok.api.office.bank_reads import BankAccountBalanceRead, BankAccountRead, ReconciliationRead
from kontobok.api.office.bank_render import balance_json, bank_account_json
from kontobok.api.office.render import rate_number
from kontobok.api.scopes import BANK_ACCOUNT_READ, BANK_ACCOUNT_WRITE
from kontobok.core.errors import NotFound, Problem, ValidationFailed
from kontobok.core.money import KNOWN_CURRENCIES, to_decimal, to_minor_units
from kontobok.core.periods import MAX_DAYS_PER_REPORT, inclusive_range
from kontobok.store.bank_accounts import (
    BankAccountDetails,
    add_reported_balance,
    create_bank_account,
    get_bank_account,
    latest_balances_before,
    list_bank_accounts,
)
from kontobok.store.books import account_ids_by_number, list_transaction_types
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization
from kontobok.store.reconciliation import reconcile
from kontobok.wire.office import JsonDate

router = APIRouter(route_class=ExactJSONRoute, tags=["bankAccounts"])
Reader = Annotated[Principal, require(BANK_ACCOUNT_READ)]
Writer = Annotated[Principal, require(BANK_ACCOUNT_WRITE)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]
Before = Annotated[
    JsonDate | None, Query(description="Last balance strictly before this day (organization's time zone).")
]
BankAccountIdPath = Annotated[str, Path(max_length=64, description="The bank account's id.")]
MAX_RECONCILIATION_DAYS = MAX_DAYS_PER_REPORT


def parse_bank_account_id(text: str) -> uuid.UUID:
    """A bank account id; anything that is not one of ours is simply not found."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFound(f"bank account {text} does not exist") from None


def balance_moment(organization: Organization, before: date | None) -> datetime:
    if before is None:
        return datetime.now(UTC)
    if not date(1000, 1, 2) <= before <= date(9998, 12, 31):
        raise ValidationFailed.single("/before", "range", "before must lie between 1000-01-02 and 9998-12-31")
    return datetime.combine(before, time.min, tzinfo=ZoneInfo(organization.time_zone)).astimezone(UTC)


@router.get("/bankaccounts", summary="Read bank accounts", responses={200: {"model": list[BankAccountRead]}})
def read_bank_accounts(principal: Reader, request: Request, before: Before = None) -> ExactJSONResponse:
    organization = principal.organization
    with read_transaction(engine_of(request)) as connection:
        accounts = list_bank_accounts(connection, organization.organization_id)
        balances = latest_balances_before(
            connection, organization.organization_id, balance_moment(organization, before)
        )
    return ExactJSONResponse(
        [bank_account_json(a, organization, balances.get(a.bank_account_id)) for a in accounts]
    )


@router.get(
    "/bankaccounts/{id}", summary="Read a bank account by ID", responses={200: {"model": BankAccountRead}}
)
def read_bank_account(
    principal: Reader,
    request: Request,
    id: BankAccountIdPath,
    before: Before = None,
) -> ExactJSONResponse:
    organization = principal.organization
    with read_transaction(engine_of(request)) as connection:
        account = get_bank_account(connection, organization.organization_id, parse_bank_account_id(id))
        balances = latest_balances_before(
            connection, organization.organization_id, balance_moment(organization, before)
        )
    return ExactJSONResponse(bank_account_json(account, organization, balances.get(account.bank_account_id)))


def _reported(
    organization: Organization, amount: Decimal, currency: str, at: datetime | None, prefix: str
) -> tuple[int, str, datetime | None]:
    """A reported balance's amount in minor units, its currency and its instant in UTC (a timestamp without
    zone is UTC); a 400 under ``prefix`` for an unknown currency, too many decimals or a far timestamp."""
    if currency not in KNOWN_CURRENCIES:
        raise ValidationFailed.single(f"{prefix}/currency/code", "enum", f"unknown currency {currency}")
    minor = to_minor_units(amount, currency, path=f"{prefix}/amount")
    if isinstance(minor, Problem):
        raise ValidationFailed([minor])
    if at is None:
        return minor, currency, None
    reported_at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if not datetime(1000, 1, 2, tzinfo=UTC) <= reported_at <= datetime(9998, 12, 31, tzinfo=UTC):
        raise ValidationFailed.single(f"{prefix}/timestamp", "range", "the timestamp is out of range")
    return minor, currency, reported_at.astimezone(UTC)


def _details(
    connection: sa.Connection, organization: Organization, body: bank_schemas.BankAccountCreate
) -> BankAccountDetails:
    """The bank account's details, once its references into the books are checked (the identifiers were
    checked with the body)."""
    problems: list[Problem] = []
    currency = body.currency or organization.base_currency
    if currency not in KNOWN_CURRENCIES:
        problems.append(Problem("/currency", "enum", f"unknown currency {currency}"))
    organization_id = organization.organization_id
    if body.ledgerAccount and body.ledgerAccount.number not in account_ids_by_number(
        connection, organization_id
    ):
        problems.append(
            Problem("/ledgerAccount/number", "exists", f"account {body.ledgerAccount.number} does not exist")
        )
    known_types = {kind.number for kind in list_transaction_types(connection, organization_id)}
    if body.transactionType and body.transactionType.number not in known_types:
        problems.append(
            Problem(
                "/transactionType/number",
                "exists",
                f"transaction type {body.transactionType.number} does not exist",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return BankAccountDetails(
        number=body.number,
        number_type=body.type,
        name=body.name,
        currency=currency,
        bic=body.bic,
        owner_name=body.owner.name,
        owner_organization_number=body.owner.organizationNumber,
        contact_name=body.owner.contact.name,
        contact_email=str(body.owner.contact.email),
        transaction_type_number=body.transactionType.number if body.transactionType else None,
        ledger_account_number=body.ledgerAccount.number if body.ledgerAccount else None,
    )


@router.post(
    "/bankaccounts",
    status_code=201,
    summary="Create a bank account",
    responses={201: {"model": BankAccountRead}},
)
def post_bank_account(
    principal: Writer,
    request: Request,
    body: bank_schemas.BankAccountCreate,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """IBAN, Norwegian BBAN (mod 11), BIC and the owner's organization number are checked; a bad one is a
    400 naming the field. A number the organization has already is a 409."""
    organization = principal.organization
    opening = body.balance
    first = None
    if opening is not None:
        code = opening.currency.code if opening.currency else body.currency or organization.base_currency
        first = _reported(organization, opening.amount, code, opening.timestamp, "/balance")

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        account = create_bank_account(
            connection, organization.organization_id, _details(connection, organization, body)
        )
        balance = None
        if first is not None:
            # the balance given on creation is the account's first reported balance, in the same transaction
            amount, currency, reported_at = first
            at = reported_at or account.created_at
            balance = add_reported_balance(
                connection,
                organization.organization_id,
                account.bank_account_id,
                reported_at=at,
                day=at.astimezone(ZoneInfo(organization.time_zone)).date(),
                amount=amount,
                currency=currency,
                source="api",
            )
        return 201, bank_account_json(account, organization, balance)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.post(
    "/bankaccounts/{id}/balances",
    status_code=201,
    summary="Create a new bank account balance",
    responses={201: {"model": BankAccountBalanceRead}},
)
def post_bank_account_balance(
    principal: Writer,
    request: Request,
    id: BankAccountIdPath,
    body: bank_schemas.BalanceCreate,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Record a balance the bank reported at ``timestamp``. It covers every transaction booked on or before
    the timestamp's day in the organization's time zone."""
    organization = principal.organization
    bank_account_id = parse_bank_account_id(id)
    amount, currency, reported_at = _reported(
        organization, body.amount, body.currency.code, body.timestamp, ""
    )
    assert reported_at is not None  # the body requires a timestamp
    day = reported_at.astimezone(ZoneInfo(organization.time_zone)).date()

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        get_bank_account(connection, organization.organization_id, bank_account_id)
        balance = add_reported_balance(
            connection,
            organization.organization_id,
            bank_account_id,
            reported_at=reported_at.astimezone(UTC),
            day=day,
            amount=amount,
            currency=currency,
            source="api",
        )
        return 201, balance_json(balance, organization)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.get(
    "/bankaccounts/{id}/reconciliation",
    tags=["kontobok extensions"],
    summary="The bank's end-of-day balance beside the ledger account's, day by day",
    responses={200: {"model": ReconciliationRead}},
)
def read_reconciliation(
    principal: Reader,
    request: Request,
    id: BankAccountIdPath,
    date_from: Annotated[JsonDate, Query(alias="dateFrom")],
    date_to: Annotated[JsonDate, Query(alias="dateTo")],
) -> ExactJSONResponse:
    """Per day: the bank's balance, its value in the base currency, the linked ledger account's balance and
    the difference; and every reported balance that disagrees with the previous one plus the transactions
    booked in between (``balanceChecks``, with ``difference = reported - computed``)."""
    if date_from > date_to:
        raise ValidationFailed.single("/dateFrom", "range", "dateFrom must not be after dateTo")
    if (date_to - date_from).days >= MAX_RECONCILIATION_DAYS or date_to.year > 9998 or date_from.year < 1000:
        raise ValidationFailed.single("/dateTo", "range", f"at most {MAX_RECONCILIATION_DAYS} days")
    organization = principal.organization
    with read_transaction(engine_of(request)) as connection:
        report = reconcile(
            connection, organization, parse_bank_account_id(id), inclusive_range(date_from, date_to)
        )
    currency, base = report.account.details.currency, organization.base_currency

    def money(value: int | None, in_currency: str) -> Any:
        return None if value is None else to_decimal(value, in_currency)

    return ExactJSONResponse(
        {
            "bankAccount": {
                "id": id,
                "currency": currency,
                "ledgerAccount": report.account.details.ledger_account_number,
            },
            "days": [
                {
                    "date": day.day.isoformat(),
                    "bankBalance": money(day.bank_balance, currency),
                    "rate": None if day.rate is None else rate_number(str(day.rate)),
                    "bankBalanceInBaseCurrency": money(day.bank_balance_in_base, base),
                    "ledgerBalance": money(day.ledger_balance, base),
                    "difference": money(day.difference, base),
                }
                for day in report.days
            ],
            "balanceChecks": [
                {
                    "date": check.snapshot.day.isoformat(),
                    "previousDate": check.previous.day.isoformat(),
                    "reported": to_decimal(check.snapshot.amount, currency),
                    "computed": to_decimal(check.computed, currency),
                    "difference": to_decimal(check.difference, currency),
                }
                for check in report.differing_checks
            ],
        }
    )
