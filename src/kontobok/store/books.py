"""The organization's reference data: chart of accounts, tax codes, transaction types and fiscal years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from kontobok.core.errors import Conflict, NotFound
from kontobok.core.periods import DateRange
from kontobok.core.taxes import TaxCode, VatTreatment
from kontobok.core.voucher import LedgerContext
from kontobok.store.clock import utc_now
from kontobok.store.database import serialize_on
from kontobok.store.journal import record_rows
from kontobok.store.organizations import Organization
from kontobok.store.schema import accounts, fiscal_years, tax_codes, transaction_types


@dataclass(frozen=True)
class Account:
    account_id: int
    number: int
    name: str
    tax_number: int


@dataclass(frozen=True)
class TransactionType:
    number: int
    name: str
    is_incoming_balance: bool


@dataclass(frozen=True)
class FiscalYear:
    fiscal_year_id: str
    year: int
    span: DateRange
    is_closed: bool


def _account(row: sa.RowMapping) -> Account:
    return Account(row["account_id"], row["number"], row["name"], row["tax_number"])


_CHART = (accounts.c.account_id, accounts.c.number, accounts.c.name, accounts.c.tax_number)
_WHOLE_CHART = (
    sa.select(*_CHART)
    .where(accounts.c.organization_id == sa.bindparam("organization"))
    .order_by(accounts.c.number)
)


def list_accounts(connection: sa.Connection, organization_id: int, query: str | None = None) -> list[Account]:
    """The chart of accounts ordered by number; ``query`` keeps those whose number or name contains it, as
    plain text: ``%`` and ``_`` in it are escaped, not LIKE wildcards."""
    statement = _WHOLE_CHART
    if query:
        text = query.lower()
        statement = statement.where(
            sa.func.lower(accounts.c.name).contains(text, autoescape=True)
            | sa.cast(accounts.c.number, sa.String).contains(text, autoescape=True)
        )
    rows = connection.execute(statement, {"organization": organization_id})
    return [Account(account_id, number, name, tax_number) for account_id, number, name, tax_number in rows]


def get_account(connection: sa.Connection, organization_id: int, account_id: int) -> Account:
    row = (
        connection.execute(
            sa.select(accounts).where(
                (accounts.c.organization_id == organization_id) & (accounts.c.account_id == account_id)
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"account {account_id} does not exist")
    return _account(row)


def create_account(
    connection: sa.Connection, organization_id: int, *, number: int, name: str, tax_number: int
) -> Account:
    """Add an account to the chart; its number must be new and its tax code must exist."""
    serialize_on(connection, organization_id, "chart of accounts")
    taken = connection.execute(
        sa.select(accounts.c.account_id).where(
            (accounts.c.organization_id == organization_id) & (accounts.c.number == number)
        )
    ).first()
    if taken is not None:
        raise Conflict(f"account number {number} exists already")
    if tax_number not in list_tax_codes_by_number(connection, organization_id):
        raise NotFound(f"tax code {tax_number} does not exist")
    next_id = connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(accounts.c.account_id), 1000000) + 1).where(
            accounts.c.organization_id == organization_id
        )
    ).scalar_one()
    connection.execute(
        accounts.insert().values(
            organization_id=organization_id,
            account_id=next_id,
            number=number,
            name=name,
            tax_number=tax_number,
            created_at=utc_now(),
        )
    )
    record_rows(connection, accounts, organization_id, accounts.c.account_id == next_id)
    return Account(next_id, number, name, tax_number)


def list_tax_codes_by_number(connection: sa.Connection, organization_id: int) -> dict[int, TaxCode]:
    rows = connection.execute(
        sa.select(tax_codes)
        .where(tax_codes.c.organization_id == organization_id)
        .order_by(tax_codes.c.number)
    ).mappings()
    return {
        row["number"]: TaxCode(
            row["number"],
            row["name"],
            row["rate_basis_points"],
            VatTreatment(row["treatment"]),
            row["vat_account"],
        )
        for row in rows
    }


def list_transaction_types(connection: sa.Connection, organization_id: int) -> list[TransactionType]:
    rows = connection.execute(
        sa.select(transaction_types)
        .where(transaction_types.c.organization_id == organization_id)
        .order_by(transaction_types.c.number)
    ).mappings()
    return [TransactionType(row["number"], row["name"], row["is_incoming_balance"]) for row in rows]


def list_fiscal_years(connection: sa.Connection, organization_id: int) -> list[FiscalYear]:
    rows = connection.execute(
        sa.select(fiscal_years)
        .where(fiscal_years.c.organization_id == organization_id)
        .order_by(fiscal_years.c.year)
    ).mappings()
    return [
        FiscalYear(
            str(row["fiscal_year_id"]),
            row["year"],
            DateRange(row["begins_on"], row["ends_before"]),
            row["is_closed"],
        )
        for row in rows
    ]


def account_ids_by_number(connection: sa.Connection, organization_id: int) -> dict[int, int]:
    rows = connection.execute(
        sa.select(accounts.c.number, accounts.c.account_id).where(
            accounts.c.organization_id == organization_id
        )
    )
    return {int(row.number): int(row.account_id) for row in rows}


def load_ledger_context(connection: sa.Connection, organization: Organization) -> LedgerContext:
    """Everything :func:`kontobok.core.voucher.build_voucher` checks a voucher against."""
    organization_id = organization.organization_id
    return LedgerContext(
        base_currency=organization.base_currency,
        account_numbers=frozenset(account_ids_by_number(connection, organization_id)),
        tax_codes=list_tax_codes_by_number(connection, organization_id),
        transaction_type_numbers=frozenset(
            kind.number for kind in list_transaction_types(connection, organization_id)
        ),
        open_years=tuple(
            year.span for year in list_fiscal_years(connection, organization_id) if not year.is_closed
        ),
    )


def is_day_open(connection: sa.Connection, organization_id: int, day: date) -> bool:
    return any(
        day in year.span and not year.is_closed for year in list_fiscal_years(connection, organization_id)
    )
