"""Checking a live database against the ledger's invariants.

Two things must always hold: every voucher's lines sum to zero on each date (in the base currency), and the
stored per-day totals equal a full recomputation from the lines, on both the posting-date and the
period-date basis, as do the organization's per-day line counts and the debit sums the trial balance reads
(a mismatch of those is reported as ``(debit, 0)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from kontobok.store.balances import recompute_daily_totals, stored_daily_totals
from kontobok.store.posting import DATE_BASIS, MONTHLY_BASIS, PERIOD_BASIS, month_start
from kontobok.store.schema import (
    account_daily_totals,
    daily_line_counts,
    transaction_lines,
    transaction_types,
)

_lines = transaction_lines.c


@dataclass(frozen=True)
class Unbalanced:
    voucher_id: str
    day: date
    total: int


@dataclass(frozen=True)
class TotalMismatch:
    basis: str
    account_id: int
    day: date
    stored: tuple[int, int]
    recomputed: tuple[int, int]


@dataclass
class VerificationReport:
    vouchers_checked: int = 0
    lines_checked: int = 0
    unbalanced: list[Unbalanced] = field(default_factory=list)
    mismatches: list[TotalMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unbalanced and not self.mismatches


def verify_books(connection: sa.Connection, organization_id: int) -> VerificationReport:
    report = VerificationReport()
    counts = connection.execute(
        sa.select(sa.func.count(sa.distinct(_lines.voucher_id)), sa.func.count()).where(
            _lines.organization_id == organization_id
        )
    ).one()
    report.vouchers_checked, report.lines_checked = int(counts[0]), int(counts[1])
    rows = connection.execute(
        sa.select(_lines.voucher_id, _lines.line_date, sa.func.sum(_lines.amount))
        .where(_lines.organization_id == organization_id)
        .group_by(_lines.voucher_id, _lines.line_date)
        .having(sa.func.sum(_lines.amount) != 0)
    )
    report.unbalanced = [Unbalanced(str(voucher_id), day, int(total)) for voucher_id, day, total in rows]
    for basis, name in ((DATE_BASIS, "date"), (PERIOD_BASIS, "period")):
        stored = stored_daily_totals(connection, organization_id, basis=basis)
        recomputed = recompute_daily_totals(connection, organization_id, basis=basis)
        for key in sorted(stored.keys() | recomputed.keys()):
            found, expected = stored.get(key, (0, 0)), recomputed.get(key, (0, 0))
            if found != expected:
                report.mismatches.append(TotalMismatch(name, key[0], key[1], found, expected))
        stored_months = stored_daily_totals(connection, organization_id, basis=MONTHLY_BASIS[basis])
        recomputed_months: dict[tuple[int, date], tuple[int, int]] = {}
        for (account_id, day), (movement, count) in recomputed.items():
            month = (account_id, month_start(day))
            before = recomputed_months.get(month, (0, 0))
            recomputed_months[month] = (before[0] + movement, before[1] + count)
        for key in sorted(stored_months.keys() | recomputed_months.keys()):
            found, expected = stored_months.get(key, (0, 0)), recomputed_months.get(key, (0, 0))
            if found != expected:
                report.mismatches.append(TotalMismatch(f"{name} month", key[0], key[1], found, expected))
    report.mismatches.extend(_line_count_mismatches(connection, organization_id))
    report.mismatches.extend(_debit_mismatches(connection, organization_id))
    return report


def _debit_mismatches(connection: sa.Connection, organization_id: int) -> list[TotalMismatch]:
    """The stored debit sums per account and day (and month) against the positive amounts of the lines that
    are not incoming balance."""
    incoming_types = sa.select(transaction_types.c.number).where(
        (transaction_types.c.organization_id == organization_id) & transaction_types.c.is_incoming_balance
    )
    totals = account_daily_totals.c
    mismatches: list[TotalMismatch] = []
    for basis, name, day_column in (
        (DATE_BASIS, "date debit", _lines.line_date),
        (PERIOD_BASIS, "period debit", _lines.period_date),
    ):
        rows = connection.execute(
            sa.select(_lines.account_id, day_column, sa.func.sum(_lines.amount))
            .where(
                (_lines.organization_id == organization_id)
                & (_lines.amount > 0)
                & _lines.transaction_type_number.not_in(incoming_types.scalar_subquery())
            )
            .group_by(_lines.account_id, day_column)
        )
        recomputed = {(account_id, day): int(debit) for account_id, day, debit in rows}
        by_month: dict[tuple[int, date], int] = {}
        for (account_id, day), debit in recomputed.items():
            key = (account_id, month_start(day))
            by_month[key] = by_month.get(key, 0) + debit
        checks = ((basis, recomputed, name), (MONTHLY_BASIS[basis], by_month, f"{name} month"))
        for stored_basis, expected, label in checks:
            stored = {
                (account_id, day): int(debit)
                for account_id, day, debit in connection.execute(
                    sa.select(totals.account_id, totals.day, totals.debit).where(
                        (totals.organization_id == organization_id) & (totals.basis == stored_basis)
                    )
                )
            }
            mismatches.extend(
                TotalMismatch(label, key[0], key[1], (stored.get(key, 0), 0), (expected.get(key, 0), 0))
                for key in sorted(stored.keys() | expected.keys())
                if stored.get(key, 0) != expected.get(key, 0)
            )
    return mismatches


def _line_count_mismatches(connection: sa.Connection, organization_id: int) -> list[TotalMismatch]:
    counted = connection.execute(
        sa.select(_lines.line_date, sa.func.count())
        .where(_lines.organization_id == organization_id)
        .group_by(_lines.line_date)
    )
    recomputed = {day: int(count) for day, count in counted}
    stored_rows = connection.execute(
        sa.select(daily_line_counts.c.day, daily_line_counts.c.line_count).where(
            daily_line_counts.c.organization_id == organization_id
        )
    )
    stored = {day: int(count) for day, count in stored_rows}
    return [
        TotalMismatch("line count", 0, day, (0, stored.get(day, 0)), (0, recomputed.get(day, 0)))
        for day in sorted(stored.keys() | recomputed.keys())
        if stored.get(day, 0) != recomputed.get(day, 0)
    ]
