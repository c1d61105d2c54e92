"""Rows written past SQLAlchemy's statement layer (COPY, raw executemany) are stored exactly as SQLAlchemy
would have stored them, and read back as the same values."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa

from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.posting import VOUCHER_COLUMNS, line_id_of
from kontobok.store.row_insert import insert_rows, time_ordered_uuid
from kontobok.store.schema import vouchers

COLUMNS = VOUCHER_COLUMNS


def test_rows_read_back_as_written(engine: sa.Engine, organization: Organization) -> None:
    voucher_id = time_ordered_uuid()
    created = datetime(2024, 3, 5, 6, 7, 8, 123456, tzinfo=UTC)
    row = (organization.organization_id, voucher_id, 6, 900001, date(2024, 2, 29), "Å ø", None, None, created)
    with write_transaction(engine) as connection:
        insert_rows(connection, vouchers, COLUMNS, [row])
    with read_transaction(engine) as connection:
        stored = connection.execute(
            sa.select(*(vouchers.c[name] for name in COLUMNS)).where(
                (vouchers.c.organization_id == organization.organization_id)
                & (vouchers.c.voucher_id == voucher_id)
            )
        ).one()
    assert stored[:8] == row[:8]
    assert stored[8].replace(tzinfo=UTC) == created


def test_sqlite_text_is_the_same_as_sqlalchemys(engine: sa.Engine, organization: Organization) -> None:
    """On SQLite, timestamps, dates and ids are text; it must be the text SQLAlchemy itself writes."""
    if engine.dialect.name != "sqlite":
        return
    voucher_id = time_ordered_uuid()
    row = (
        organization.organization_id,
        voucher_id,
        6,
        900002,
        date(2024, 1, 2),
        None,
        None,
        None,
        datetime.now(UTC),
    )
    with write_transaction(engine) as connection:
        insert_rows(connection, vouchers, COLUMNS, [row])
        written = connection.exec_driver_sql(
            "SELECT created_at, voucher_date, voucher_id FROM vouchers WHERE voucher_number = 900002 "
            f"AND organization_id = {organization.organization_id}"
        ).one()
        by_sqlalchemy = connection.exec_driver_sql(
            f"SELECT created_at FROM organizations WHERE organization_id = {organization.organization_id}"
        ).scalar_one()
    text_pattern = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
    assert text_pattern.match(by_sqlalchemy), by_sqlalchemy
    assert text_pattern.match(written[0]), written[0]
    assert written[1] == "2024-01-02"
    assert written[2] == voucher_id.hex


def test_time_ordered_ids_sort_in_creation_order() -> None:
    ids = [time_ordered_uuid() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(identifier.version == 7 for identifier in ids)


def test_line_ids_stay_with_their_voucher() -> None:
    voucher_id = time_ordered_uuid()
    line_ids = [line_id_of(voucher_id, number) for number in range(1, 1001)]
    assert len(set(line_ids)) == 1000
    assert all(isinstance(line_id, uuid.UUID) and line_id.version == 7 for line_id in line_ids)
    assert voucher_id not in line_ids
