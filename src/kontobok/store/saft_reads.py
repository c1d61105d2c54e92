"""What a SAF-T export of one fiscal year reads: the chart with its balances, the parties, and the ledger.

Balances come from the per-day totals by posting date (basis 0), the same cache the balance reports read. A
balance-sheet account opens the year with everything posted before it; a profit-and-loss account opens every
fiscal year at zero, so its closing balance is the year's movement alone. Lines of the incoming-balance type
(IB) dated inside the year are part of the opening balance, as ``/v1/accountbalances`` shows them by default,
and are left out of the general ledger entries: a SAF-T reader checks that opening plus the listed lines
gives the closing balance, and an importer turns the opening balances back into an IB voucher.

A customer's or supplier's balance is the sum of the lines that carry its id, per account, computed the same
way. The lines of the year are streamed, never loaded at once: the database hands them over in batches
(``yield_per``), ordered so that each voucher's lines arrive together, and they are grouped into one voucher
at a time.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.periods import DateRange
from kontobok.store.as_of import lines_recorded_after
from kontobok.store.clock import as_utc
from kontobok.store.journal import rows_as_of
from kontobok.store.posting import DATE_BASIS
from kontobok.store.schema import (
    account_daily_totals,
    accounts,
    customers,
    suppliers,
    transaction_lines,
    transaction_types,
    vouchers,
)

STREAM_BATCH_SIZE = 2000

_lines = transaction_lines.c


@dataclass(frozen=True)
class ChartAccount:
    """An account with its balance at the start and end of the year and the number of lines inside it."""

    account_id: int
    number: int
    name: str
    grouping_category: str | None
    grouping_code: str | None
    opening: int
    closing: int
    lines_in_year: int


@dataclass(frozen=True)
class PartyBalance:
    account_number: int
    opening: int
    closing: int
    lines_in_year: int


@dataclass(frozen=True)
class Party:
    """A customer or supplier; ``saft_id`` is its external id when it has one, else its own id."""

    party_id: int
    saft_id: str
    name: str
    organization_number: str | None
    balances: tuple[PartyBalance, ...]
    registered: bool = True


@dataclass(frozen=True)
class LedgerTotals:
    vouchers: int
    lines: int
    debit: int
    credit: int  # positive: the sum of the credit lines' absolute amounts


@dataclass(frozen=True)
class LedgerLine:
    line_number: int
    account_number: int
    day: date
    amount: int
    currency: str
    currency_amount: int
    rate: Decimal
    tax_number: int
    tax_rate_basis_points: int
    is_vat: bool
    comment: str | None
    invoice_number: str | None
    due_date: date | None
    remittance_reference: str | None
    customer_saft_id: str | None
    supplier_saft_id: str | None


@dataclass(frozen=True)
class LedgerVoucher:
    """A voucher with its lines dated inside the year (all of them, unless it spans two years)."""

    voucher_id: uuid.UUID
    transaction_type_number: int
    number: int
    day: date
    comment: str | None
    created_at: datetime
    lines: tuple[LedgerLine, ...]


def _opening_and_closing(number: int, before: int, inside: int) -> tuple[int, int]:
    opening = before if account_kind(number) is AccountKind.BALANCE_SHEET else 0
    return opening, opening + inside


def read_chart_with_balances(
    connection: sa.Connection, organization_id: int, *, year: DateRange, as_of: datetime | None = None
) -> list[ChartAccount]:
    """Every account of the chart, ordered by number, with its opening and closing balance of ``year``.

    With ``as_of``, as the books stood then: the accounts the journal had, named as they were, and without
    the lines recorded later.
    """
    totals = account_daily_totals.c
    in_year = totals.day >= year.begin
    sums = (
        sa.select(
            totals.account_id,
            sa.func.sum(sa.case((in_year, 0), else_=totals.movement)).label("before"),
            sa.func.sum(sa.case((in_year, totals.movement), else_=0)).label("inside"),
            sa.func.sum(sa.case((in_year, totals.incoming), else_=0)).label("incoming"),
            sa.func.sum(sa.case((in_year, totals.line_count), else_=0)).label("line_count"),
        )
        .where(
            (totals.organization_id == organization_id)
            & (totals.basis == DATE_BASIS)
            & (totals.day < year.end)
        )
        .group_by(totals.account_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(accounts, sums.c.before, sums.c.inside, sums.c.incoming, sums.c.line_count)
        .outerjoin(sums, sums.c.account_id == accounts.c.account_id)
        .where(accounts.c.organization_id == organization_id)
        .order_by(accounts.c.number)
    ).mappings()
    later = _later_sums(connection, organization_id, year, as_of)
    then = None if as_of is None else rows_as_of(connection, organization_id, accounts, as_of)
    chart: list[ChartAccount] = []
    for found in rows:
        row = dict(found)
        if then is not None:
            if (row["account_id"],) not in then:
                continue
            row.update({name: then[(row["account_id"],)][name] for name in _MUTABLE_ACCOUNT_COLUMNS})
        less = later.get(row["account_id"], (0, 0, 0, 0))
        incoming = int(row["incoming"] or 0) - less[2]
        opening, closing = _opening_and_closing(
            row["number"], int(row["before"] or 0) - less[0], int(row["inside"] or 0) - less[1]
        )
        opening += incoming
        chart.append(
            ChartAccount(
                account_id=row["account_id"],
                number=row["number"],
                name=row["name"],
                grouping_category=row["grouping_category"],
                grouping_code=row["grouping_code"],
                opening=opening,
                closing=closing,
                lines_in_year=int(row["line_count"] or 0) - less[3],
            )
        )
    return chart


_MUTABLE_ACCOUNT_COLUMNS = ("name", "grouping_category", "grouping_code")


def _later_sums(
    connection: sa.Connection, organization_id: int, year: DateRange, as_of: datetime | None
) -> dict[int, tuple[int, int, int, int]]:
    """Per account, what the lines recorded after ``as_of`` add: before the year, inside it, of it from
    incoming-balance vouchers, and how many lines inside it."""
    if as_of is None:
        return {}
    incoming_types = set(
        connection.execute(
            sa.select(transaction_types.c.number).where(
                (transaction_types.c.organization_id == organization_id)
                & transaction_types.c.is_incoming_balance
            )
        ).scalars()
    )
    sums: dict[int, tuple[int, int, int, int]] = {}
    for account_id, day, amount, kind in lines_recorded_after(
        connection, organization_id, as_of, basis=DATE_BASIS
    ):
        if day >= year.end:
            continue
        before, inside, incoming, count = sums.get(account_id, (0, 0, 0, 0))
        if day < year.begin:
            before += amount
        else:
            inside += amount
            incoming += amount if kind in incoming_types else 0
            count += 1
        sums[account_id] = (before, inside, incoming, count)
    return sums


def read_parties(
    connection: sa.Connection,
    organization_id: int,
    kind: str,
    *,
    year: DateRange,
    as_of: datetime | None = None,
) -> list[Party]:
    """Every customer (``kind="customer"``) or supplier with its balances per account, ordered by id.

    An id that lines carry but the register lacks is listed too, named after its id and not ``registered``,
    so that every id the ledger mentions is declared.
    """
    table, key, line_key = (
        (customers, customers.c.customer_id, _lines.customer_id)
        if kind == "customer"
        else (suppliers, suppliers.c.supplier_id, _lines.supplier_id)
    )
    in_year = _lines.line_date >= year.begin
    sums = connection.execute(
        sa.select(
            line_key,
            accounts.c.number,
            sa.func.sum(sa.case((in_year, 0), else_=_lines.amount)),
            sa.func.sum(sa.case((in_year, _lines.amount), else_=0)),
            sa.func.sum(sa.case((in_year, 1), else_=0)),
        )
        .join(
            accounts,
            (accounts.c.organization_id == _lines.organization_id)
            & (accounts.c.account_id == _lines.account_id),
        )
        .where(
            (_lines.organization_id == organization_id)
            & line_key.is_not(None)
            & (_lines.line_date < year.end)
            & _recorded_by(as_of)
        )
        .group_by(line_key, accounts.c.number)
        .order_by(line_key, accounts.c.number)
    )
    balances: dict[int, list[PartyBalance]] = {}
    for party_id, number, before, inside, count in sums:
        opening, closing = _opening_and_closing(number, int(before), int(inside))
        balances.setdefault(party_id, []).append(PartyBalance(number, opening, closing, int(count)))
    registered = connection.execute(
        sa.select(key, table.c.name, table.c.organization_number, table.c.external_id)
        .where(table.c.organization_id == organization_id)
        .order_by(key)
    )
    then = None if as_of is None else rows_as_of(connection, organization_id, table, as_of)
    parties = {
        party_id: Party(
            party_id, external_id or str(party_id), name, number, tuple(balances.get(party_id, ()))
        )
        for party_id, name, number, external_id in registered
        if then is None or (party_id,) in then
    }
    for party_id in balances.keys() - parties.keys():
        parties[party_id] = Party(
            party_id,
            str(party_id),
            f"{kind} {party_id} (not in the register)",
            None,
            tuple(balances[party_id]),
            registered=False,
        )
    return [parties[party_id] for party_id in sorted(parties)]


def _recorded_by(as_of: datetime | None) -> sa.ColumnElement[bool]:
    return sa.true() if as_of is None else _lines.created_at <= as_of


def _in_year(organization_id: int, year: DateRange, as_of: datetime | None) -> sa.ColumnElement[bool]:
    """The year's lines, without those of the incoming-balance type (they are the opening balances), and
    with ``as_of`` only those recorded by then."""
    incoming_types = sa.select(transaction_types.c.number).where(
        (transaction_types.c.organization_id == organization_id) & transaction_types.c.is_incoming_balance
    )
    return (
        (_lines.organization_id == organization_id)
        & (_lines.line_date >= year.begin)
        & (_lines.line_date < year.end)
        & _lines.transaction_type_number.not_in(incoming_types.scalar_subquery())
        & _recorded_by(as_of)
    )


def read_ledger_totals(
    connection: sa.Connection, organization_id: int, *, year: DateRange, as_of: datetime | None = None
) -> LedgerTotals:
    """How many vouchers and lines fall in ``year`` and the sums of their debits and credits."""
    row = connection.execute(
        sa.select(
            sa.func.count(sa.distinct(_lines.voucher_id)),
            sa.func.count(),
            sa.func.sum(sa.case((_lines.amount > 0, _lines.amount), else_=0)),
            sa.func.sum(sa.case((_lines.amount < 0, -_lines.amount), else_=0)),
        ).where(_in_year(organization_id, year, as_of))
    ).one()
    return LedgerTotals(int(row[0]), int(row[1]), int(row[2] or 0), int(row[3] or 0))


def iter_ledger_vouchers(
    connection: sa.Connection,
    organization_id: int,
    *,
    year: DateRange,
    batch_size: int = STREAM_BATCH_SIZE,
    as_of: datetime | None = None,
) -> Iterator[LedgerVoucher]:
    """The vouchers with lines in ``year``, by transaction type, then date and number, one at a time.

    Type comes first because a SAF-T file holds one journal per type and writes each journal whole. Only the
    lines dated inside the year come with a voucher. The rows arrive in batches of ``batch_size``.
    """
    customer_id = sa.func.coalesce(customers.c.external_id, sa.cast(_lines.customer_id, sa.String))
    supplier_id = sa.func.coalesce(suppliers.c.external_id, sa.cast(_lines.supplier_id, sa.String))
    statement = (
        sa.select(
            _lines.voucher_id, _lines.transaction_type_number, _lines.voucher_number,
            vouchers.c.voucher_date, vouchers.c.comment.label("voucher_comment"), vouchers.c.created_at,
            _lines.line_number, accounts.c.number.label("account_number"), _lines.line_date, _lines.amount,
            _lines.currency, _lines.currency_amount, _lines.rate, _lines.tax_number,
            _lines.tax_rate_basis_points, _lines.is_vat, _lines.comment, _lines.invoice_number,
            _lines.invoice_due_date, _lines.remittance_reference,
            customer_id.label("customer_saft_id"), supplier_id.label("supplier_saft_id"),
        )
        .join(vouchers, (vouchers.c.organization_id == _lines.organization_id)
              & (vouchers.c.voucher_id == _lines.voucher_id))
        .join(accounts, (accounts.c.organization_id == _lines.organization_id)
              & (accounts.c.account_id == _lines.account_id))
        .outerjoin(customers, (customers.c.organization_id == _lines.organization_id)
                   & (customers.c.customer_id == _lines.customer_id))
        .outerjoin(suppliers, (suppliers.c.organization_id == _lines.organization_id)
                   & (suppliers.c.supplier_id == _lines.supplier_id))
        .where(_in_year(organization_id, year, as_of))
        .order_by(
            _lines.transaction_type_number, vouchers.c.voucher_date, _lines.voucher_number,
            _lines.line_number,
        )
        .execution_options(yield_per=batch_size)
    )  # fmt: skip
    rows = connection.execute(statement).mappings()
    for _, group in itertools.groupby(rows, key=lambda row: row["voucher_id"]):
        voucher_rows = list(group)
        first = voucher_rows[0]
        yield LedgerVoucher(
            voucher_id=first["voucher_id"],
            transaction_type_number=first["transaction_type_number"],
            number=first["voucher_number"],
            day=first["voucher_date"],
            comment=first["voucher_comment"],
            created_at=as_utc(first["created_at"]),
            lines=tuple(_ledger_line(row) for row in voucher_rows),
        )


def _ledger_line(row: sa.RowMapping) -> LedgerLine:
    return LedgerLine(
        line_number=row["line_number"],
        account_number=row["account_number"],
        day=row["line_date"],
        amount=row["amount"],
        currency=row["currency"],
        currency_amount=row["currency_amount"],
        rate=Decimal(row["rate"]),
        tax_number=row["tax_number"],
        tax_rate_basis_points=row["tax_rate_basis_points"],
        is_vat=row["is_vat"],
        comment=row["comment"],
        invoice_number=row["invoice_number"],
        due_date=row["invoice_due_date"],
        remittance_reference=row["remittance_reference"],
        customer_saft_id=row["customer_saft_id"],
        supplier_saft_id=row["supplier_saft_id"],
    )
