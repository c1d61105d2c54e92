"""What every Powens 2.0 operation shares: the user in the path, the bank account it names, currencies as
Powens writes them, and the ``min_date``/``max_date`` pair.

Powens aggregates bank data for many users of one client application, so its paths name a user, and ``me``
names the user the token belongs to. In kontobok the token is bound to one organization, which is therefore
the only user: ``userId`` is ``me`` or that organization's id written as a decimal number. Anything else is
a 404, the answer for a user that does not exist, so that nothing tells whether another organization has
that id. A bank account id is kontobok's UUID; a malformed one is a 404 too, since to Powens clients an
account id is an opaque string.

Dates are ``YYYY-MM-DD`` days. They must lie between 1000-01-01 and 9998-12-31, so that the day before
and the month after every answered day are real dates.

Two reads the store does not offer yet live here (see :func:`account_activity`): the days and
currencies of an account's reported balances, next to those of its transactions.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel, WithJsonSchema

from kontobok.core.errors import NotFound, ValidationFailed
from kontobok.core.periods import ONE_DAY, add_months
from kontobok.store.bank_accounts import BankAccount, get_bank_account
from kontobok.store.bank_history import activity_and_reported_spans
from kontobok.store.organizations import Organization

FIRST_SUPPORTED_DAY = date(1000, 1, 1)
LAST_SUPPORTED_DAY = date(9998, 12, 31)
_DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

# Display symbols of the currencies kontobok knows; any other code is its own symbol.
_SYMBOLS = {
    "AUD": "A$", "BGN": "лв", "BRL": "R$", "CAD": "CA$", "CHF": "CHF", "CNY": "¥", "CZK": "Kč",
    "DKK": "kr", "EUR": "€", "GBP": "£", "HKD": "HK$", "HUF": "Ft", "IDR": "Rp", "ILS": "₪", "INR": "₹",
    "ISK": "kr", "JPY": "¥", "KRW": "₩", "MXN": "MX$", "MYR": "RM", "NOK": "kr", "NZD": "NZ$", "PHP": "₱",
    "PLN": "zł", "RON": "lei", "SEK": "kr", "SGD": "S$", "THB": "฿", "TRY": "₺", "USD": "$", "ZAR": "R",
}  # fmt: skip

# an exact amount, written as a JSON number (see kontobok.api.json)
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class PowensCurrency(BaseModel):
    id: str
    symbol: str


def currency_json(code: str) -> dict[str, Any]:
    """Powens' short currency object: the ISO code as ``id`` and its display symbol."""
    return {"id": code, "symbol": _SYMBOLS.get(code, code)}


def resolve_user(organization: Organization, user_id: str) -> Organization:
    """The organization a ``userId`` names: ``me`` or the token's own organization id, else a 404."""
    if user_id not in ("me", str(organization.organization_id)):
        raise NotFound(f"user {user_id} does not exist")
    return organization


def find_account(connection: sa.Connection, organization: Organization, account_id: str) -> BankAccount:
    """This organization's bank account with id ``account_id``; a 404 for any other string."""
    try:
        parsed = uuid.UUID(account_id)
    except ValueError:
        raise NotFound(f"account {account_id} does not exist") from None
    try:
        return get_bank_account(connection, organization.organization_id, parsed)
    except NotFound:
        raise NotFound(f"account {account_id} does not exist") from None


def today_in(organization: Organization) -> date:
    """Today's date where the organization is."""
    return datetime.now(ZoneInfo(organization.time_zone)).date()


def current_month(organization: Organization) -> tuple[date, date]:
    """The first and the last day of the current month in the organization's time zone."""
    first = today_in(organization).replace(day=1)
    return first, add_months(first, 1) - ONE_DAY


def parse_day(text: str | None, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter, ``None`` when absent; a 400 (invalidValue) when it is no such day."""
    if text is None:
        return None
    try:
        if not _DAY_PATTERN.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.single(f"/{name}", "format", f"{name} must be a date YYYY-MM-DD") from None
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        raise ValidationFailed.single(
            f"/{name}", "range", f"{name} must lie between {FIRST_SUPPORTED_DAY} and {LAST_SUPPORTED_DAY}"
        )
    return day


def check_order(first: date, last: date, *, min_given: bool = True, max_given: bool = True) -> None:
    """``min_date`` must not be after ``max_date``; when one of them took its current-month default, the one
    the client gave is named, with the default it is compared to."""
    if first <= last:
        return
    if not min_given:
        raise ValidationFailed.single(
            "/max_date",
            "range",
            f"max_date {last} is before {first}, the first day of the current month, which min_date takes"
            " when it is not given; give min_date too",
        )
    if not max_given:
        raise ValidationFailed.single(
            "/min_date",
            "range",
            f"min_date {first} is after {last}, the last day of the current month, which max_date takes"
            " when it is not given; give max_date too",
        )
    raise ValidationFailed.single("/min_date", "range", "min_date must not be after max_date")


@dataclass(frozen=True)
class AccountActivity:
    """The days and currencies an account has data in: transactions and balances its bank reported."""

    first_day: date | None
    last_day: date | None
    transaction_currencies: frozenset[str]
    balance_currencies: frozenset[str]

    @property
    def currencies(self) -> frozenset[str]:
        return self.transaction_currencies | self.balance_currencies


def account_activity(
    connection: sa.Connection, organization_id: int, account: BankAccount
) -> AccountActivity:
    """What :class:`AccountActivity` says, from the per-day totals and the reported balances."""
    booked, reported = activity_and_reported_spans(connection, organization_id, account.bank_account_id)
    first_booked, last_booked, booked_in = booked
    first_reported, last_reported, reported_in = reported
    firsts = [day for day in (first_booked, first_reported) if day is not None]
    lasts = [day for day in (last_booked, last_reported) if day is not None]
    return AccountActivity(
        min(firsts, default=None), max(lasts, default=None), frozenset(booked_in), frozenset(reported_in)
    )


def powens_time(moment: datetime, organization: Organization) -> str:
    """An instant as Powens writes one: ``YYYY-MM-DD HH:MM:SS`` in the organization's time zone."""
    return moment.astimezone(ZoneInfo(organization.time_zone)).strftime("%Y-%m-%d %H:%M:%S")


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
