"""Bank accounts and the balances their bank reported (snapshots)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.core.bank_balances import Snapshot
from kontobok.core.errors import Conflict, NotFound
from kontobok.store.clock import as_utc, utc_now
from kontobok.store.database import serialize_on
from kontobok.store.journal import record_rows
from kontobok.store.schema import bank_accounts, bank_balances

_accounts = bank_accounts.c
_balances = bank_balances.c


@dataclass(frozen=True)
class BankAccountDetails:
    """What describes a bank account; everything but the number and its type may be unknown."""

    number: str
    number_type: str
    name: str
    currency: str
    bic: str | None = None
    owner_name: str | None = None
    owner_organization_number: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    transaction_type_number: int | None = None
    ledger_account_number: int | None = None


@dataclass(frozen=True)
class BankAccount:
    bank_account_id: uuid.UUID
    details: BankAccountDetails
    created_at: datetime
    modified_at: datetime


@dataclass(frozen=True)
class ReportedBalance:
    bank_account_id: uuid.UUID
    position: int
    reported_at: datetime
    day: date
    amount: int
    currency: str
    source: str

    def snapshot(self) -> Snapshot:
        return Snapshot(self.day, self.position, self.amount)


def _account(row: sa.RowMapping) -> BankAccount:
    details = BankAccountDetails(
        number=row["number"],
        number_type=row["number_type"],
        name=row["name"],
        currency=row["currency"],
        bic=row["bic"],
        owner_name=row["owner_name"],
        owner_organization_number=row["owner_organization_number"],
        contact_name=row["contact_name"],
        contact_email=row["contact_email"],
        transaction_type_number=row["transaction_type_number"],
        ledger_account_number=row["ledger_account_number"],
    )
    return BankAccount(row["bank_account_id"], details, as_utc(row["created_at"]), as_utc(row["modified_at"]))


def create_bank_account(
    connection: sa.Connection, organization_id: int, details: BankAccountDetails
) -> BankAccount:
    serialize_on(connection, organization_id, "bank accounts")
    if find_bank_account_by_number(connection, organization_id, details.number) is not None:
        raise Conflict(f"bank account {details.number} exists already")
    now = utc_now()
    bank_account_id = uuid.uuid4()
    connection.execute(
        bank_accounts.insert().values(
            organization_id=organization_id,
            bank_account_id=bank_account_id,
            created_at=now,
            modified_at=now,
            **details.__dict__,
        )
    )
    record_rows(connection, bank_accounts, organization_id, _accounts.bank_account_id == bank_account_id)
    return BankAccount(bank_account_id, details, now, now)


def list_bank_accounts(connection: sa.Connection, organization_id: int) -> list[BankAccount]:
    rows = connection.execute(
        sa.select(bank_accounts)
        .where(_accounts.organization_id == organization_id)
        .order_by(_accounts.created_at, _accounts.number)
    ).mappings()
    return [_account(row) for row in rows]


def get_bank_account(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID
) -> BankAccount:
    row = (
        connection.execute(
            sa.select(bank_accounts).where(
                (_accounts.organization_id == organization_id)
                & (_accounts.bank_account_id == bank_account_id)
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"bank account {bank_account_id} does not exist")
    return _account(row)


def find_bank_account_by_number(
    connection: sa.Connection, organization_id: int, number: str
) -> BankAccount | None:
    row = (
        connection.execute(
            sa.select(bank_accounts).where(
                (_accounts.organization_id == organization_id) & (_accounts.number == number)
            )
        )
        .mappings()
        .one_or_none()
    )
    return None if row is None else _account(row)


def owner_of_bank_account(connection: sa.Connection, bank_account_id: uuid.UUID) -> int | None:
    """The organization that holds a bank account: for operator commands given only the account's id."""
    return connection.execute(
        sa.select(_accounts.organization_id).where(_accounts.bank_account_id == bank_account_id)
    ).scalar_one_or_none()


def add_reported_balance(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    *,
    reported_at: datetime,
    day: date,
    amount: int,
    currency: str,
    source: str,
    statement_identity: str | None = None,
) -> ReportedBalance:
    """Record a balance the bank reported; later reports of the same day come after earlier ones."""
    position = connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(_balances.position), 0) + 1).where(
            (_balances.organization_id == organization_id) & (_balances.bank_account_id == bank_account_id)
        )
    ).scalar_one()
    connection.execute(
        bank_balances.insert().values(
            organization_id=organization_id,
            bank_account_id=bank_account_id,
            position=position,
            reported_at=reported_at,
            day=day,
            amount=amount,
            currency=currency,
            source=source,
            statement_identity=statement_identity,
            created_at=utc_now(),
        )
    )
    record_rows(
        connection,
        bank_balances,
        organization_id,
        (_balances.bank_account_id == bank_account_id) & (_balances.position == position),
    )
    return ReportedBalance(bank_account_id, position, reported_at, day, amount, currency, source)


def _balance(row: sa.RowMapping) -> ReportedBalance:
    return ReportedBalance(
        row["bank_account_id"],
        row["position"],
        as_utc(row["reported_at"]),
        row["day"],
        row["amount"],
        row["currency"],
        row["source"],
    )


def latest_balances_before(
    connection: sa.Connection, organization_id: int, moment: datetime
) -> dict[uuid.UUID, ReportedBalance]:
    """Per bank account, the last balance reported strictly before ``moment``."""
    ranked = (
        sa.select(
            bank_balances,
            sa.func.row_number()
            .over(
                partition_by=_balances.bank_account_id,
                order_by=(_balances.reported_at.desc(), _balances.position.desc()),
            )
            .label("rank"),
        )
        .where((_balances.organization_id == organization_id) & (_balances.reported_at < moment))
        .subquery()
    )
    rows = connection.execute(sa.select(ranked).where(ranked.c.rank == 1)).mappings()
    return {row["bank_account_id"]: _balance(row) for row in rows}


def reported_balances(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID, currency: str | None = None
) -> list[ReportedBalance]:
    """Every balance reported for the account (in one currency when given), in day and report order."""
    condition = (_balances.organization_id == organization_id) & (
        _balances.bank_account_id == bank_account_id
    )
    if currency is not None:
        condition = condition & (_balances.currency == currency)
    rows = connection.execute(
        sa.select(bank_balances).where(condition).order_by(_balances.day, _balances.position)
    ).mappings()
    return [_balance(row) for row in rows]


def reported_span(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID
) -> tuple[date | None, date | None, set[str]]:
    """The first and last day with a reported balance, and the currencies reported in."""
    columns = bank_balances.c
    rows = connection.execute(
        sa.select(columns.currency, sa.func.min(columns.day), sa.func.max(columns.day))
        .where((columns.organization_id == organization_id) & (columns.bank_account_id == bank_account_id))
        .group_by(columns.currency)
    ).all()
    if not rows:
        return None, None, set()
    return min(row[1] for row in rows), max(row[2] for row in rows), {row[0] for row in rows}
