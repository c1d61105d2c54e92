"""Which voucher closed a fiscal year: recorded when the year is closed, cleared when it is reopened.

The fiscal year's row is part of the books, so each change is journaled (in the same transaction). Closing
and reopening set the voucher first and then change the year's state, which journals the row once, whole:
one change of the books, one journal entry, one ``fiscalyear.closed`` or ``fiscalyear.opened`` event.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from kontobok.store.journal import record_rows
from kontobok.store.schema import fiscal_years


def _year(organization_id: int, year: int) -> sa.ColumnElement[bool]:
    return (fiscal_years.c.organization_id == organization_id) & (fiscal_years.c.year == year)


def closing_voucher_of(connection: sa.Connection, organization_id: int, year: int) -> uuid.UUID | None:
    found: uuid.UUID | None = connection.execute(
        sa.select(fiscal_years.c.closing_voucher_id).where(_year(organization_id, year))
    ).scalar_one_or_none()
    return found


def set_closing_voucher(
    connection: sa.Connection, organization_id: int, year: int, voucher_id: uuid.UUID | None
) -> None:
    """Set the year's closing voucher; the caller journals the row when it closes or opens the year."""
    connection.execute(
        fiscal_years.update().where(_year(organization_id, year)).values(closing_voucher_id=voucher_id)
    )


def record_closing_voucher(
    connection: sa.Connection, organization_id: int, year: int, voucher_id: uuid.UUID | None
) -> None:
    """Set the year's closing voucher and journal the row at once."""
    set_closing_voucher(connection, organization_id, year, voucher_id)
    record_rows(connection, fiscal_years, organization_id, fiscal_years.c.year == year)
