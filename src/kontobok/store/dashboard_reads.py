"""Small reads the dashboard needs beside the API's: the last day with lines, and a voucher's head."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.store.schema import daily_line_counts, transaction_types, vouchers


def latest_line_day(connection: sa.Connection, organization_id: int) -> date | None:
    """The last day that has a transaction line, from the per-day line counts."""
    counts = daily_line_counts.c
    day: date | None = connection.execute(
        sa.select(sa.func.max(counts.day)).where(
            (counts.organization_id == organization_id) & (counts.line_count > 0)
        )
    ).scalar_one()
    return day


def get_voucher_head(connection: sa.Connection, organization_id: int, voucher_id: uuid.UUID) -> sa.RowMapping:
    """A voucher's number, type, date and comment, and the voucher it reverses, if any."""
    types = transaction_types.c
    row = (
        connection.execute(
            sa.select(vouchers, types.name.label("transaction_type_name"))
            .outerjoin(
                transaction_types,
                (types.organization_id == vouchers.c.organization_id)
                & (types.number == vouchers.c.transaction_type_number),
            )
            .where((vouchers.c.organization_id == organization_id) & (vouchers.c.voucher_id == voucher_id))
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"voucher {voucher_id} does not exist")
    return row
