"""Bank reconciliation: the bank's end-of-day balance beside the linked ledger account's, day by day.

A bank account may be tied to a ledger account (``ledgerAccount``, e.g. 1920). On every day the ledger's
balance of that account should equal what the bank says the account holds; a difference is a posting
missing on one side, a timing difference, or an error. For a bank account in a foreign currency the bank's
balance is converted at the ECB rate of that day (or the last business day before it) for the comparison,
since the ledger holds base-currency amounts. The report also lists every reported balance that disagrees
with the previous one plus the transactions in between.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from kontobok.core.bank_balances import SnapshotCheck
from kontobok.core.money import convert_to_base
from kontobok.core.periods import DateRange
from kontobok.exchange_rates import cross_rate
from kontobok.store.balances import read_account_totals
from kontobok.store.bank_accounts import BankAccount, get_bank_account
from kontobok.store.bank_history import daily_balances, snapshot_checks
from kontobok.store.books import account_ids_by_number
from kontobok.store.organizations import Organization
from kontobok.store.posting import DATE_BASIS


@dataclass(frozen=True)
class ReconciledDay:
    day: date
    bank_balance: int
    rate: Decimal | None
    bank_balance_in_base: int | None
    ledger_balance: int | None

    @property
    def difference(self) -> int | None:
        """Bank (in the base currency) minus ledger; None when either side is unknown."""
        if self.bank_balance_in_base is None or self.ledger_balance is None:
            return None
        return self.bank_balance_in_base - self.ledger_balance


@dataclass(frozen=True)
class Reconciliation:
    account: BankAccount
    days: list[ReconciledDay]
    checks: list[SnapshotCheck]

    @property
    def differing_checks(self) -> list[SnapshotCheck]:
        return [check for check in self.checks if check.difference != 0]


def ledger_day_balances(
    connection: sa.Connection, organization: Organization, account_number: int, span: DateRange
) -> dict[date, int] | None:
    """End-of-day balances of a balance-sheet ledger account, from the per-day totals."""
    account_id = account_ids_by_number(connection, organization.organization_id).get(account_number)
    if account_id is None:
        return None
    totals = read_account_totals(
        connection,
        organization.organization_id,
        span=span,
        fiscal_start=span.begin,
        basis=DATE_BASIS,
        account_ids=[account_id],
    ).get(account_id)
    balance = totals.before_all_time if totals else 0
    movements = {total.day: total.movement for total in totals.days} if totals else {}
    result: dict[date, int] = {}
    for day in span.days():
        balance += movements.get(day, 0)
        result[day] = balance
    return result


def reconcile(
    connection: sa.Connection,
    organization: Organization,
    bank_account_id: uuid.UUID,
    span: DateRange,
    *,
    checks_within_span: bool = False,
) -> Reconciliation:
    """The reconciliation of ``span``; its balance checks cover all time unless ``checks_within_span``."""
    account = get_bank_account(connection, organization.organization_id, bank_account_id)
    currency = account.details.currency
    bank_days = daily_balances(connection, organization.organization_id, bank_account_id, currency, span)
    ledger = (
        ledger_day_balances(connection, organization, account.details.ledger_account_number, span)
        if account.details.ledger_account_number is not None
        else None
    )
    days = []
    for bank_day in bank_days:
        rate = cross_rate(currency, organization.base_currency, bank_day.day)
        in_base = (
            None
            if rate is None
            else convert_to_base(bank_day.balance, currency, rate, organization.base_currency)
        )
        days.append(
            ReconciledDay(
                bank_day.day,
                bank_day.balance,
                rate,
                in_base,
                None if ledger is None else ledger[bank_day.day],
            )
        )
    checks = snapshot_checks(
        connection,
        organization.organization_id,
        bank_account_id,
        currency,
        within=span if checks_within_span else None,
    )
    return Reconciliation(account, days, checks)
