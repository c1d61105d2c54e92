"""Writing the Office v1 JSON shapes from stored rows, with amounts as exact numbers."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from kontobok.core.money import to_decimal
from kontobok.store.clock import as_utc


def percent(basis_points: int) -> Decimal | int:
    """A rate in hundredths of a percent as the percentage number the vendor writes (2500 → 25)."""
    return to_decimal(basis_points, "NOK")


def timestamp(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def rate_number(text: str) -> Decimal | int:
    rate = Decimal(text)
    return int(rate) if rate == rate.to_integral_value() else rate


def line_json(row: sa.RowMapping, base_currency: str, *, include_dimensions: bool) -> dict[str, Any]:
    """A stored transaction line in the vendor's ``Transaction`` shape."""
    body: dict[str, Any] = {
        "id": str(row["line_id"]),
        "transaction": {"id": str(row["voucher_id"]), "number": row["voucher_number"]},
        "account": {"id": row["account_id"], "number": row["account_number"], "name": row["account_name"]},
        "transactionType": {"id": row["transaction_type_number"]},
        "tax": {"id": row["tax_number"], "rate": percent(row["tax_rate_basis_points"])},
        "amount": to_decimal(row["currency_amount"], row["currency"]),
        "baseAmount": to_decimal(row["amount"], base_currency),
        "currency": {"code": row["currency"], "rate": rate_number(row["rate"])},
        "date": row["line_date"].isoformat(),
        "periodDate": row["period_date"].isoformat(),
        "createdAt": timestamp(row["created_at"]),
        "modifiedAt": timestamp(row["modified_at"]),
    }
    if row["comment"] is not None:
        body["comment"] = row["comment"]
    invoice = {
        key: value
        for key, value in (
            ("number", row["invoice_number"]),
            ("dueDate", row["invoice_due_date"].isoformat() if row["invoice_due_date"] else None),
            ("remittanceReference", row["remittance_reference"]),
        )
        if value is not None
    }
    if invoice:
        body["invoice"] = invoice
    if row["customer_id"] is not None:
        body["customer"] = {"id": row["customer_id"]}
    if row["document_id"] is not None:
        body["documentId"] = row["document_id"]
    if include_dimensions:
        body["dimensions"] = [
            {"dimensionType": kind, "value": value, "name": value}
            for kind, value in json.loads(row["dimensions"] or "[]")
        ]
    return body
