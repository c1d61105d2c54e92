"""Customers and suppliers known by the id another system gave them (their SAF-T CustomerID/SupplierID)."""

from __future__ import annotations

import sqlalchemy as sa

from kontobok.store.journal import record_rows
from kontobok.store.schema import customers, suppliers


def party_ids_by_external_id(connection: sa.Connection, organization_id: int, kind: str) -> dict[str, int]:
    table = customers if kind == "customer" else suppliers
    key = table.c.customer_id if kind == "customer" else table.c.supplier_id
    rows = connection.execute(
        sa.select(table.c.external_id, key).where(
            (table.c.organization_id == organization_id) & table.c.external_id.is_not(None)
        )
    )
    return {str(row[0]): int(row[1]) for row in rows}


def add_party(
    connection: sa.Connection,
    organization_id: int,
    kind: str,
    *,
    external_id: str,
    name: str,
    organization_number: str | None,
) -> int:
    """Register a customer or supplier; its id is its external id when that is a free number."""
    table = customers if kind == "customer" else suppliers
    key = table.c.customer_id if kind == "customer" else table.c.supplier_id
    taken = connection.execute(
        sa.select(key).where((table.c.organization_id == organization_id) & (key == _as_id(external_id)))
    ).first()
    party_id = _as_id(external_id)
    if taken is not None or party_id == 0:
        party_id = connection.execute(
            sa.select(sa.func.coalesce(sa.func.max(key), 0) + 1).where(
                table.c.organization_id == organization_id
            )
        ).scalar_one()
    connection.execute(
        table.insert().values(
            organization_id=organization_id,
            **{key.name: party_id},
            name=name[:200] or external_id,
            organization_number=(organization_number or None) and organization_number[:20],
            external_id=external_id,
        )
    )
    record_rows(connection, table, organization_id, key == party_id)
    return int(party_id)


def _as_id(external_id: str) -> int:
    return (
        int(external_id)
        if external_id.isascii()
        and external_id.isdigit()
        and len(external_id) <= 10
        and 0 < int(external_id) < 2**31
        else 0
    )
