"""Customers, referenced by transaction lines (``customer.id``) and filtered on by ``customerId``."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from kontobok.store.journal import record_rows
from kontobok.store.schema import customers


def add_customers(connection: sa.Connection, organization_id: int, named: Iterable[tuple[int, str]]) -> None:
    rows = [{"organization_id": organization_id, "customer_id": cid, "name": name} for cid, name in named]
    if rows:
        connection.execute(customers.insert(), rows)
        record_rows(
            connection,
            customers,
            organization_id,
            customers.c.customer_id.in_([row["customer_id"] for row in rows]),
        )
