"""Bank transactions and their per-day inflow and outflow totals, written together.

A bank transaction is keyed by the bank's own reference, unique per organization. Imports skip references
they already hold, so importing a statement twice adds nothing; the per-day totals count only what was
actually inserted.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kontobok.core.bank_balances import DayFlow
from kontobok.core.errors import NotFound
from kontobok.core.periods import DateRange
from kontobok.store.clock import as_utc, utc_now
from kontobok.store.journal import lock_books, record_inserted
from kontobok.store.schema import bank_daily_totals, bank_transactions
from kontobok.store.total_limits import check_all_written, check_deltas_fit, fits_after_adding

_transactions = bank_transactions.c
_totals = bank_daily_totals.c


@dataclass(frozen=True)
class BankTransaction:
    """``amount`` is signed: positive for money in (inbound), negative for money out (outbound)."""

    reference: str
    bank_account_id: uuid.UUID
    amount: int
    currency: str
    booking_date: date
    payment_reference_type: str = "text"
    payment_reference_value: str = ""
    value_date: date | None = None
    from_number: str | None = None
    from_type: str | None = None
    to_number: str | None = None
    to_type: str | None = None
    domain_code: str | None = None
    family_code: str | None = None
    subfamily_code: str | None = None
    status: str = "created"
    statement_identity: str | None = None

    @property
    def direction(self) -> str:
        return "inbound" if self.amount >= 0 else "outbound"


_FIELDS = tuple(field.name for field in fields(BankTransaction))


@dataclass(frozen=True)
class StoredBankTransaction:
    transaction: BankTransaction
    created_at: datetime
    modified_at: datetime


def _insert(connection: sa.Connection) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if connection.dialect.name == "postgresql" else sqlite.Insert


def add_bank_transactions(
    connection: sa.Connection, organization_id: int, items: Sequence[BankTransaction]
) -> list[BankTransaction]:
    """Insert the transactions whose reference is new and add them to the per-day totals; return those."""
    if not items:
        return []
    lock_books(connection, organization_id)
    now = utc_now()
    statement = _insert(connection)(bank_transactions)
    rows = [
        {
            "organization_id": organization_id,
            "direction": item.direction,
            "created_at": now,
            "modified_at": now,
            **{name: getattr(item, name) for name in _FIELDS},
        }
        for item in items
    ]
    inserted = set(
        connection.execute(
            statement.on_conflict_do_nothing(index_elements=["organization_id", "reference"]).returning(
                _transactions.reference
            ),
            rows,
        ).scalars()
    )
    added = [item for item in items if item.reference in inserted]
    record_inserted(
        connection, bank_transactions, organization_id, [row for row in rows if row["reference"] in inserted]
    )
    _add_to_daily_totals(connection, organization_id, added)
    return added


def _add_to_daily_totals(
    connection: sa.Connection, organization_id: int, added: Sequence[BankTransaction]
) -> None:
    sums: dict[tuple[uuid.UUID, str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in added:
        entry = sums[(item.bank_account_id, item.currency, item.booking_date)]
        entry[0 if item.amount >= 0 else 1] += item.amount
        entry[2] += 1
    if not sums:
        return

    def describe(key: tuple[uuid.UUID, str, date]) -> str:
        return f"the {key[1]} total of bank account {key[0]} on {key[2]}"

    check_deltas_fit({key: entry[:2] for key, entry in sums.items()}, describe)
    statement = _insert(connection)(bank_daily_totals)
    written = connection.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "bank_account_id", "currency", "day"],
            set_={
                "inflow": _totals.inflow + statement.excluded.inflow,
                "outflow": _totals.outflow + statement.excluded.outflow,
                "transaction_count": _totals.transaction_count + statement.excluded.transaction_count,
            },
            where=fits_after_adding(_totals.inflow, statement.excluded.inflow)
            & fits_after_adding(_totals.outflow, statement.excluded.outflow),
        ).returning(_totals.bank_account_id, _totals.currency, _totals.day),
        [
            {
                "organization_id": organization_id,
                "bank_account_id": account,
                "currency": currency,
                "day": day,
                "inflow": inflow,
                "outflow": outflow,
                "transaction_count": count,
            }
            for (account, currency, day), (inflow, outflow, count) in sorted(sums.items(), key=str)
        ],
    )
    check_all_written(sums, [(account, currency, day) for account, currency, day in written], describe)


def _stored(row: sa.RowMapping) -> StoredBankTransaction:
    fields = {name: row[name] for name in BankTransaction.__dataclass_fields__}
    return StoredBankTransaction(
        BankTransaction(**fields), as_utc(row["created_at"]), as_utc(row["modified_at"])
    )


def get_bank_transaction(
    connection: sa.Connection, organization_id: int, reference: str
) -> StoredBankTransaction:
    row = (
        connection.execute(
            sa.select(bank_transactions).where(
                (_transactions.organization_id == organization_id) & (_transactions.reference == reference)
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"bank transaction {reference} does not exist")
    return _stored(row)


def list_bank_transactions(
    connection: sa.Connection,
    organization_id: int,
    span: DateRange,
    *,
    bank_account_id: uuid.UUID | None,
    limit: int,
    offset: int,
    as_of: datetime | None = None,
) -> list[StoredBankTransaction]:
    """Transactions booked in ``span``, by booking date and reference; recorded by ``as_of`` if given."""
    condition = (
        (_transactions.organization_id == organization_id)
        & (_transactions.booking_date >= span.begin)
        & (_transactions.booking_date < span.end)
    )
    if bank_account_id is not None:
        condition = condition & (_transactions.bank_account_id == bank_account_id)
    if as_of is not None:
        condition = condition & (_transactions.created_at <= as_of)
    rows = connection.execute(
        sa.select(bank_transactions)
        .where(condition)
        .order_by(_transactions.booking_date, _transactions.reference)
        .limit(limit)
        .offset(offset)
    ).mappings()
    return [_stored(row) for row in rows]


_DAY_FLOWS = sa.select(_totals.day, _totals.inflow, _totals.outflow).where(
    (_totals.organization_id == sa.bindparam("organization"))
    & (_totals.bank_account_id == sa.bindparam("account"))
    & (_totals.currency == sa.bindparam("currency"))
    & (_totals.day >= sa.bindparam("begin"))
    & (_totals.day < sa.bindparam("end"))
)


def day_flows(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    currency: str,
    span: DateRange,
) -> dict[date, DayFlow]:
    """The per-day inflow and outflow of one account in one currency, for the days of ``span``."""
    rows = connection.execute(
        _DAY_FLOWS,
        {
            "organization": organization_id,
            "account": bank_account_id,
            "currency": currency,
            "begin": span.begin,
            "end": span.end,
        },
    )
    return {day: DayFlow(int(inflow), int(outflow)) for day, inflow, outflow in rows}


def flow_before(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID, currency: str, day: date
) -> int:
    """The net of every transaction of the account in ``currency`` booked before ``day``."""
    total = connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(_totals.inflow + _totals.outflow), 0)).where(
            (_totals.organization_id == organization_id)
            & (_totals.bank_account_id == bank_account_id)
            & (_totals.currency == currency)
            & (_totals.day < day)
        )
    ).scalar_one()
    return int(total)


def activity_span(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID
) -> tuple[date | None, date | None, set[str]]:
    """The first and last day with a transaction, and the currencies transactions were booked in."""
    rows = connection.execute(
        sa.select(_totals.currency, sa.func.min(_totals.day), sa.func.max(_totals.day))
        .where((_totals.organization_id == organization_id) & (_totals.bank_account_id == bank_account_id))
        .group_by(_totals.currency)
    ).all()
    if not rows:
        return None, None, set()
    return min(row[1] for row in rows), max(row[2] for row in rows), {row[0] for row in rows}


def count_bank_transactions(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID, span: DateRange
) -> int:
    """How many transactions the account has booked in ``span``, from the per-day _totals."""
    count = connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(_totals.transaction_count), 0)).where(
            (_totals.organization_id == organization_id)
            & (_totals.bank_account_id == bank_account_id)
            & (_totals.day >= span.begin)
            & (_totals.day < span.end)
        )
    ).scalar_one()
    return int(count)
