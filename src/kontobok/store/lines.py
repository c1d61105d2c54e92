"""Reading transaction lines, with the vendor's filters and a stable order: date, voucher number, line."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.core.periods import DateRange
from kontobok.store.schema import accounts, transaction_lines, vouchers

_lines = transaction_lines.c


@dataclass(frozen=True)
class LineFilter:
    span: DateRange
    created_from: datetime | None = None
    modified_from: datetime | None = None
    transaction_number: int | None = None
    transaction_type_number: int | None = None
    customer_id: int | None = None
    account_id: int | None = None
    account_number: int | None = None
    invoice_number: str | None = None
    currency: str | None = None


def _select_lines() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        transaction_lines, accounts.c.name.label("account_name"), vouchers.c.reverses_voucher_id,
        vouchers.c.document_id,
    ).join(
        accounts,
        (accounts.c.organization_id == _lines.organization_id) & (accounts.c.account_id == _lines.account_id),
    ).join(
        vouchers,
        (vouchers.c.organization_id == _lines.organization_id) & (vouchers.c.voucher_id == _lines.voucher_id),
    )  # fmt: skip


def list_lines(
    connection: sa.Connection, organization_id: int, where: LineFilter, *, limit: int, offset: int
) -> list[sa.RowMapping]:
    """One page of lines matching every filter, ordered by date, voucher number and line number."""
    conditions = [
        _lines.organization_id == organization_id,
        _lines.line_date >= where.span.begin,
        _lines.line_date < where.span.end,
    ]
    equal_to = [
        (_lines.voucher_number, where.transaction_number),
        (_lines.transaction_type_number, where.transaction_type_number),
        (_lines.customer_id, where.customer_id),
        (_lines.account_id, where.account_id),
        (_lines.account_number, where.account_number),
        (_lines.invoice_number, where.invoice_number),
        (_lines.currency, where.currency),
    ]
    conditions.extend(column == value for column, value in equal_to if value is not None)
    if where.created_from is not None:
        conditions.append(_lines.created_at >= where.created_from)
    if where.modified_from is not None:
        conditions.append(_lines.modified_at >= where.modified_from)
    statement = (
        _select_lines()
        .where(*conditions)
        .order_by(_lines.line_date, _lines.voucher_number, _lines.voucher_id, _lines.line_number)
        .limit(limit)
        .offset(offset)
    )
    return list(connection.execute(statement).mappings())


def get_line(connection: sa.Connection, organization_id: int, line_id: uuid.UUID) -> sa.RowMapping:
    row = (
        connection.execute(
            _select_lines().where((_lines.organization_id == organization_id) & (_lines.line_id == line_id))
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"transaction line {line_id} does not exist")
    return row


def voucher_lines(
    connection: sa.Connection, organization_id: int, voucher_id: uuid.UUID
) -> list[sa.RowMapping]:
    return list(
        connection.execute(
            sa.select(transaction_lines)
            .where((_lines.organization_id == organization_id) & (_lines.voucher_id == voucher_id))
            .order_by(_lines.line_number)
        ).mappings()
    )
