"""Reversing a posted voucher.

Posted vouchers are never edited. A mistake is corrected by a reversal: a new voucher of the same transaction
type whose lines repeat the original's with every amount negated, referencing the original. A voucher is
reversed at most once.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from kontobok.core.errors import Conflict, NotFound, ValidationFailed
from kontobok.core.voucher import InvoiceRef, PostingLine, PostingVoucher, reversal_of
from kontobok.store.books import load_ledger_context
from kontobok.store.database import serialize_on
from kontobok.store.lines import voucher_lines
from kontobok.store.organizations import Organization
from kontobok.store.posting import PostedVoucher, post_vouchers
from kontobok.store.schema import vouchers


def reverse_voucher(
    connection: sa.Connection,
    organization: Organization,
    voucher_id: uuid.UUID,
    *,
    day: date | None,
    comment: str | None,
) -> PostedVoucher:
    organization_id = organization.organization_id
    original = (
        connection.execute(
            sa.select(vouchers).where(
                (vouchers.c.organization_id == organization_id) & (vouchers.c.voucher_id == voucher_id)
            )
        )
        .mappings()
        .one_or_none()
    )
    if original is None:
        raise NotFound(f"transaction {voucher_id} does not exist")
    serialize_on(connection, organization_id, f"reversal of {voucher_id}")
    already = connection.execute(
        sa.select(vouchers.c.voucher_id).where(
            (vouchers.c.organization_id == organization_id) & (vouchers.c.reverses_voucher_id == voucher_id)
        )
    ).first()
    if already is not None:
        raise Conflict(f"transaction {voucher_id} is reversed already by {already.voucher_id}")
    lines = reversal_of(
        [_stored_line(row) for row in voucher_lines(connection, organization_id, voucher_id)],
        day=day,
        comment=comment,
    )
    context = load_ledger_context(connection, organization)
    closed = sorted({line.day for line in lines if not context.is_open(line.day)})
    if closed:
        raise ValidationFailed.single(
            "/date", "openFiscalYear", f"{closed[0].isoformat()} is not in an open fiscal year"
        )
    reversal = PostingVoucher(
        transaction_type_number=original["transaction_type_number"],
        day=day or original["voucher_date"],
        comment=comment if comment is not None else original["comment"],
        document_id=original["document_id"],
        lines=tuple(lines),
    )
    return post_vouchers(connection, organization_id, [reversal], reverses=voucher_id)[0]


def _stored_line(row: sa.RowMapping) -> PostingLine:
    return PostingLine(
        line_number=row["line_number"],
        account_number=row["account_number"],
        day=row["line_date"],
        period_date=row["period_date"],
        amount=row["amount"],
        currency=row["currency"],
        currency_amount=row["currency_amount"],
        rate=Decimal(row["rate"]),
        tax_number=row["tax_number"],
        tax_rate_basis_points=row["tax_rate_basis_points"],
        comment=row["comment"],
        is_vat=row["is_vat"],
        invoice=InvoiceRef(
            row["invoice_number"],
            row["invoice_due_date"],
            row["remittance_reference"],
            row["invoice_bank_account"],
        ),
        customer_id=row["customer_id"],
        supplier_id=row["supplier_id"],
    )
