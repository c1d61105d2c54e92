"""Writing vouchers: lines, gapless voucher numbers and the per-day totals, in one database transaction.

Voucher numbers run per transaction type without gaps. The counter lives on the transaction type's row and is
advanced with an ``UPDATE … RETURNING``, which also serialises concurrent writers of the same type; a failed
transaction rolls the counter back with everything else, so no number is ever skipped.

The per-day totals are aggregated in memory for the whole batch and written with one upsert per account and
day, in key order so that concurrent writers always lock rows in the same order. A batch that would take any
per-day or per-month total outside the signed 64-bit range is refused and rolls back
(:mod:`kontobok.store.total_limits`).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kontobok.core.money import fits_stored_total
from kontobok.core.voucher import PostingLine, PostingVoucher, VoucherDraft, build_voucher
from kontobok.store.books import account_ids_by_number, list_transaction_types, load_ledger_context
from kontobok.store.clock import utc_now
from kontobok.store.journal import lock_books, record_vouchers
from kontobok.store.organizations import Organization
from kontobok.store.row_insert import Row, insert_rows, time_ordered_uuid, upsert_rows
from kontobok.store.schema import (
    account_daily_totals,
    daily_line_counts,
    transaction_lines,
    transaction_types,
    vouchers,
)
from kontobok.store.total_limits import check_all_written, check_deltas_fit, fits_after_adding, overflow

DATE_BASIS = 0
PERIOD_BASIS = 1
# The same sums per calendar month, keyed by the month's first day: a balance report reads what an account
# carried in, and whole months, from a row per month instead of a row per day.
MONTH_OF_DATE_BASIS = 2
MONTH_OF_PERIOD_BASIS = 3
MONTHLY_BASIS = {DATE_BASIS: MONTH_OF_DATE_BASIS, PERIOD_BASIS: MONTH_OF_PERIOD_BASIS}


def month_start(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True)
class PostedVoucher:
    voucher_id: uuid.UUID
    transaction_type_number: int
    voucher_number: int


@dataclass
class _Total:
    movement: int = 0
    incoming: int = 0
    line_count: int = 0
    debit: int = 0


def post_vouchers(
    connection: sa.Connection,
    organization_id: int,
    batch: Sequence[PostingVoucher],
    *,
    reverses: uuid.UUID | None = None,
) -> list[PostedVoucher]:
    """Store already-checked vouchers with their numbers, lines and per-day totals."""
    if not batch:
        return []
    lock_books(connection, organization_id)
    numbers = _allocate_numbers(connection, organization_id, batch)
    incoming_types = {
        kind.number
        for kind in list_transaction_types(connection, organization_id)
        if kind.is_incoming_balance
    }
    account_ids = account_ids_by_number(connection, organization_id)
    now = utc_now()
    posted: list[PostedVoucher] = []
    voucher_rows: list[Row] = []
    line_rows: list[Row] = []
    totals: dict[tuple[int, int, date], _Total] = defaultdict(_Total)
    for voucher, number in zip(batch, numbers, strict=True):
        voucher_id = time_ordered_uuid()
        posted.append(PostedVoucher(voucher_id, voucher.transaction_type_number, number))
        voucher_rows.append(
            (
                organization_id,
                voucher_id,
                voucher.transaction_type_number,
                number,
                voucher.day,
                voucher.comment,
                voucher.document_id,
                reverses,
                now,
            )
        )
        is_incoming = voucher.transaction_type_number in incoming_types
        for line in voucher.lines:
            account_id = account_ids[line.account_number]
            line_rows.append(_line_row(organization_id, voucher, voucher_id, number, line, account_id, now))
            for basis, day in ((DATE_BASIS, line.day), (PERIOD_BASIS, line.period_date)):
                total = totals[(account_id, basis, day)]
                total.movement += line.amount
                total.incoming += line.amount if is_incoming else 0
                total.line_count += 1
                total.debit += line.amount if line.amount > 0 and not is_incoming else 0
    all_totals = _with_monthly_sums(totals)
    describe = _total_namer(account_ids)
    _check_batch_fits(batch, all_totals, describe)
    insert_rows(connection, vouchers, VOUCHER_COLUMNS, voucher_rows)
    insert_rows(connection, transaction_lines, LINE_COLUMNS, line_rows)
    record_vouchers(connection, organization_id, VOUCHER_COLUMNS, voucher_rows, LINE_COLUMNS, line_rows)
    check_all_written(all_totals, _add_to_daily_totals(connection, organization_id, all_totals), describe)
    _add_to_line_counts(connection, organization_id, totals)
    return posted


def _allocate_numbers(
    connection: sa.Connection, organization_id: int, batch: Sequence[PostingVoucher]
) -> list[int]:
    needed: dict[int, int] = defaultdict(int)
    for voucher in batch:
        needed[voucher.transaction_type_number] += 1
    next_number: dict[int, int] = {}
    for type_number in sorted(needed):
        row = transaction_types.c
        after = connection.execute(
            transaction_types.update()
            .where((row.organization_id == organization_id) & (row.number == type_number))
            .values(next_voucher_number=row.next_voucher_number + needed[type_number])
            .returning(row.next_voucher_number)
        ).scalar_one()
        next_number[type_number] = after - needed[type_number]
    numbers: list[int] = []
    for voucher in batch:
        numbers.append(next_number[voucher.transaction_type_number])
        next_number[voucher.transaction_type_number] += 1
    return numbers


VOUCHER_COLUMNS = (
    "organization_id",
    "voucher_id",
    "transaction_type_number",
    "voucher_number",
    "voucher_date",
    "comment",
    "document_id",
    "reverses_voucher_id",
    "created_at",
)
LINE_COLUMNS = (
    "organization_id",
    "line_id",
    "voucher_id",
    "line_number",
    "transaction_type_number",
    "voucher_number",
    "account_id",
    "account_number",
    "line_date",
    "period_date",
    "amount",
    "currency",
    "currency_amount",
    "rate",
    "tax_number",
    "tax_rate_basis_points",
    "is_vat",
    "comment",
    "invoice_number",
    "invoice_due_date",
    "remittance_reference",
    "invoice_bank_account",
    "customer_id",
    "supplier_id",
    "dimensions",
    "created_at",
    "modified_at",
)


def line_id_of(voucher_id: uuid.UUID, line_number: int) -> uuid.UUID:
    """A line's id: its voucher's id with the line number mixed into the random low bits, so the lines of a
    voucher sort together and after the lines of every voucher posted before it."""
    return uuid.UUID(int=voucher_id.int ^ line_number)


def _line_row(
    organization_id: int,
    voucher: PostingVoucher,
    voucher_id: uuid.UUID,
    voucher_number: int,
    line: PostingLine,
    account_id: int,
    now: datetime,
) -> Row:
    invoice = line.invoice
    return (
        organization_id,
        line_id_of(voucher_id, line.line_number),
        voucher_id,
        line.line_number,
        voucher.transaction_type_number,
        voucher_number,
        account_id,
        line.account_number,
        line.day,
        line.period_date,
        line.amount,
        line.currency,
        line.currency_amount,
        str(line.rate),
        line.tax_number,
        line.tax_rate_basis_points,
        line.is_vat,
        line.comment,
        invoice.number,
        invoice.due_date,
        invoice.remittance_reference,
        invoice.bank_account,
        line.customer_id,
        line.supplier_id,
        json.dumps(line.dimensions) if line.dimensions else None,
        now,
        now,
    )


def _with_monthly_sums(
    totals: dict[tuple[int, int, date], _Total],
) -> dict[tuple[int, int, date], _Total]:
    """The batch's per-day totals and, summed from them, its per-month totals."""
    months: dict[tuple[int, int, date], _Total] = defaultdict(_Total)
    for (account_id, basis, day), total in totals.items():
        month = months[(account_id, MONTHLY_BASIS[basis], month_start(day))]
        month.movement += total.movement
        month.incoming += total.incoming
        month.line_count += total.line_count
        month.debit += total.debit
    return {**totals, **months}


def _total_namer(account_ids: dict[int, int]) -> Callable[[tuple[int, int, date]], str]:
    """A function that names a total in an error: its account's number and its day or month."""

    def describe(key: tuple[int, int, date]) -> str:
        account_id, basis, day = key
        number = next((n for n, i in account_ids.items() if i == account_id), account_id)
        if basis in MONTHLY_BASIS.values():
            return f"the total of account {number} for {day:%Y-%m}"
        return f"the total of account {number} on {day}"

    return describe


def _check_batch_fits(
    batch: Sequence[PostingVoucher],
    totals: dict[tuple[int, int, date], _Total],
    describe: Callable[[tuple[int, int, date]], str],
) -> None:
    """Refuse, before writing, a line or a batch sum that is itself outside the 64-bit range."""
    for voucher in batch:
        for line in voucher.lines:
            if not (fits_stored_total(line.amount) and fits_stored_total(line.currency_amount)):
                raise overflow(f"the amount of a line on account {line.account_number} on {line.day}")
    check_deltas_fit({key: (t.movement, t.incoming, t.debit) for key, t in totals.items()}, describe)


def _upsert(connection: sa.Connection) -> type[postgresql.Insert] | type[sqlite.Insert]:
    return postgresql.Insert if connection.dialect.name == "postgresql" else sqlite.Insert


def _add_to_line_counts(
    connection: sa.Connection, organization_id: int, totals: dict[tuple[int, int, date], _Total]
) -> None:
    per_day: dict[date, int] = defaultdict(int)
    for (_, basis, day), total in totals.items():
        if basis == DATE_BASIS:
            per_day[day] += total.line_count
    statement = _upsert(connection)(daily_line_counts)
    upsert_rows(
        connection,
        statement.on_conflict_do_update(
            index_elements=["organization_id", "day"],
            set_={"line_count": daily_line_counts.c.line_count + statement.excluded.line_count},
        ),
        [
            {"organization_id": organization_id, "day": day, "line_count": count}
            for day, count in sorted(per_day.items())
        ],
    )


def _add_to_daily_totals(
    connection: sa.Connection, organization_id: int, totals: dict[tuple[int, int, date], _Total]
) -> list[tuple[int, int, date]]:
    """Add the batch's sums to the stored totals; return the keys written (those that stay in range)."""
    rows = [
        {
            "organization_id": organization_id,
            "account_id": account_id,
            "basis": basis,
            "day": day,
            "movement": total.movement,
            "incoming": total.incoming,
            "line_count": total.line_count,
            "debit": total.debit,
        }
        for (account_id, basis, day), total in sorted(totals.items())
    ]
    statement = _upsert(connection)(account_daily_totals)
    table = account_daily_totals.c
    written = connection.execute(
        statement.on_conflict_do_update(
            index_elements=["organization_id", "account_id", "basis", "day"],
            set_={
                "movement": table.movement + statement.excluded.movement,
                "incoming": table.incoming + statement.excluded.incoming,
                "line_count": table.line_count + statement.excluded.line_count,
                "debit": table.debit + statement.excluded.debit,
            },
            where=fits_after_adding(table.movement, statement.excluded.movement)
            & fits_after_adding(table.incoming, statement.excluded.incoming)
            & fits_after_adding(table.debit, statement.excluded.debit),
        ).returning(table.account_id, table.basis, table.day),
        rows,
    )
    return [(account_id, basis, day) for account_id, basis, day in written]


def post_drafts(
    connection: sa.Connection, organization: Organization, drafts: Sequence[VoucherDraft]
) -> list[PostedVoucher]:
    """Check vouchers as clients sent them against the books and store them; raise before storing any."""
    context = load_ledger_context(connection, organization)
    return post_vouchers(
        connection, organization.organization_id, [build_voucher(draft, context) for draft in drafts]
    )
