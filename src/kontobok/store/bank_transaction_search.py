"""Bank transactions of every account of an organization, filtered as Powens clients filter them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.store.bank_transactions import BankTransaction, StoredBankTransaction
from kontobok.store.clock import as_utc
from kontobok.store.schema import bank_transactions

_transactions = bank_transactions.c


@dataclass(frozen=True)
class TransactionSearch:
    """Every condition is optional; ``values`` are signed minor units per currency (any of them matches)."""

    first_day: date | None = None
    last_day: date | None = None
    income: bool | None = None
    wording: str | None = None
    values: dict[str, frozenset[int]] | None = None
    changed_after: datetime | None = None


def _stored(row: sa.RowMapping) -> StoredBankTransaction:
    fields = {name: row[name] for name in BankTransaction.__dataclass_fields__}
    return StoredBankTransaction(
        BankTransaction(**fields), as_utc(row["created_at"]), as_utc(row["modified_at"])
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(organization_id: int, search: TransactionSearch) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [_transactions.organization_id == organization_id]
    if search.first_day is not None:
        conditions.append(_transactions.booking_date >= search.first_day)
    if search.last_day is not None:
        conditions.append(_transactions.booking_date <= search.last_day)
    if search.income is not None:
        conditions.append(_transactions.amount > 0 if search.income else _transactions.amount < 0)
    if search.wording is not None:
        pattern = f"%{_escape_like(search.wording.lower())}%"
        conditions.append(sa.func.lower(_transactions.payment_reference_value).like(pattern, escape="\\"))
    if search.values is not None:
        matches = [
            (_transactions.currency == currency) & _transactions.amount.in_(sorted(amounts))
            for currency, amounts in search.values.items()
            if amounts
        ]
        conditions.append(sa.or_(*matches) if matches else sa.false())
    if search.changed_after is not None:
        conditions.append(_transactions.modified_at > search.changed_after)
    return conditions


def search_bank_transactions(
    connection: sa.Connection, organization_id: int, search: TransactionSearch, *, limit: int, offset: int
) -> tuple[list[StoredBankTransaction], int]:
    """One page by booking day and reference, and the number of matching transactions."""
    conditions = _conditions(organization_id, search)
    rows = connection.execute(
        sa.select(bank_transactions)
        .where(*conditions)
        .order_by(_transactions.booking_date, _transactions.reference)
        .limit(limit)
        .offset(offset)
    ).mappings()
    page = [_stored(row) for row in rows]
    total = connection.execute(sa.select(sa.func.count()).select_from(bank_transactions).where(*conditions))
    return page, int(total.scalar_one())


def booked_span(connection: sa.Connection, organization_id: int) -> tuple[date | None, date | None]:
    """The first and last booking day of any of the organization's transactions."""
    row = connection.execute(
        sa.select(sa.func.min(_transactions.booking_date), sa.func.max(_transactions.booking_date)).where(
            _transactions.organization_id == organization_id
        )
    ).one()
    return row[0], row[1]


def transaction_currencies(connection: sa.Connection, organization_id: int) -> list[str]:
    return list(
        connection.execute(
            sa.select(_transactions.currency)
            .where(_transactions.organization_id == organization_id)
            .distinct()
        ).scalars()
    )


def coming_sums(
    connection: sa.Connection, organization_id: int, after: date
) -> dict[tuple[object, str], int]:
    """Per bank account and currency, the sum of the transactions booked after the day ``after``."""
    rows = connection.execute(
        sa.select(_transactions.bank_account_id, _transactions.currency, sa.func.sum(_transactions.amount))
        .where((_transactions.organization_id == organization_id) & (_transactions.booking_date > after))
        .group_by(_transactions.bank_account_id, _transactions.currency)
    ).all()
    return {(row[0], row[1]): int(row[2]) for row in rows}
