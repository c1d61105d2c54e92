"""The vendor's wire formats that more than one door into kontobok reads.

``TransactionInput`` arrives through ``POST /v1/transactions`` and, one per line, through ``kontobok import
transactions``. Numbers arrive as ``int`` or ``Decimal`` (the API parses bodies with ``Decimal`` numbers);
a JSON string, boolean or float where the vendor's schema says *number* is refused, so nothing is accepted
that the schema forbids.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, PlainValidator, StrictInt, StrictStr, WithJsonSchema
from pydantic_core import PydanticCustomError

from kontobok.core.money import MAX_AMOUNT
from kontobok.core.voucher import InvoiceRef, LineDraft, VoucherDraft


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise PydanticCustomError("type", "must be a JSON number")
    return value


def _json_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("type", "must be a JSON string")
    return value


JsonNumber = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT),
    WithJsonSchema({"type": "number"}),
]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?")


def _iso_date(value: Any) -> Any:
    """Only ISO 8601 text is a date here (a bare number would otherwise pass as a Unix timestamp)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("format", "must be a date written YYYY-MM-DD")
    return value


def _iso_date_time(value: Any) -> Any:
    if not isinstance(value, str) or not _ISO_DATE_TIME.fullmatch(value):
        raise PydanticCustomError("format", "must be a date and time in ISO 8601, e.g. 2024-06-01T12:00:00Z")
    return value


JsonDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]
PositiveJsonNumber = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(gt=0, le=MAX_AMOUNT),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]
JsonDateTime = Annotated[
    datetime, BeforeValidator(_iso_date_time), WithJsonSchema({"type": "string", "format": "date-time"})
]
Amount = Annotated[Decimal, WithJsonSchema({"type": "number"})]


def _day_or_instant(value: Any) -> date | datetime:
    """A day ``YYYY-MM-DD`` or an ISO 8601 date and time; which day an instant is depends on the
    organization's time zone, so it is kept as it came (see :func:`kontobok.core.periods.local_day`)."""
    if isinstance(value, str):
        try:
            if _ISO_DATE.fullmatch(value):
                return date.fromisoformat(value)
            if _ISO_DATE_TIME.fullmatch(value):
                return datetime.fromisoformat(value.upper())
        except ValueError:
            pass
    raise PydanticCustomError(
        "format", "must be a date YYYY-MM-DD or an ISO 8601 date and time, e.g. 2024-06-01T12:00:00Z"
    )


JsonDayOrInstant = Annotated[
    date | datetime,
    PlainValidator(_day_or_instant),
    WithJsonSchema({"type": "string", "format": "date"}),
]


class CurrencyInput(BaseModel):
    code: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
    rate: Annotated[
        Decimal,
        BeforeValidator(_json_number),
        Field(gt=0, le=Decimal(1000000), decimal_places=10),
        WithJsonSchema({"type": "number", "minimum": 0, "exclusiveMinimum": True}),
    ]


class TransactionTax(BaseModel):
    number: Annotated[StrictInt, Field(ge=0, le=10000)]
    amount: JsonNumber | None = None
    baseRate: Annotated[StrictInt, Field(ge=0, le=100)] | None = None  # noqa: N815
    specificationNumber: StrictInt | None = None  # noqa: N815


class DimensionInput(BaseModel):
    dimensionType: StrictInt  # noqa: N815
    value: Annotated[StrictStr, Field(max_length=100)]


class InvoiceInput(BaseModel):
    dueDate: JsonDate | None = None  # noqa: N815
    number: Annotated[StrictStr, Field(max_length=50)] | None = None
    remittanceReference: Annotated[StrictStr, Field(max_length=32)] | None = None  # noqa: N815
    bankAccount: Annotated[StrictStr, Field(max_length=50)] | None = None  # noqa: N815


class TransactionLineInput(BaseModel):
    accountNumber: Annotated[StrictInt, Field(ge=0, le=99999999)]  # noqa: N815
    amount: JsonNumber
    tax: TransactionTax
    comment: Annotated[StrictStr, Field(max_length=75)] | None = None
    date: JsonDate | None = None
    periodDate: JsonDate | None = None  # noqa: N815
    currency: CurrencyInput | None = None
    dimensions: Annotated[list[DimensionInput], Field(max_length=10)] | None = None
    invoice: InvoiceInput | None = None


class TransactionInput(BaseModel):
    """The vendor's ``TransactionInput``: a voucher with its lines."""

    transactionTypeNumber: Annotated[StrictInt, Field(ge=1, le=1000000)]  # noqa: N815
    date: JsonDate
    comment: Annotated[StrictStr, Field(max_length=75)] | None = None
    documentId: Annotated[StrictInt, Field(ge=0, le=2**53)] | None = None  # noqa: N815
    lines: Annotated[list[TransactionLineInput], Field(max_length=1000)]


def to_voucher_draft(body: TransactionInput) -> VoucherDraft:
    """The core's view of a ``TransactionInput``."""
    return VoucherDraft(
        transaction_type_number=body.transactionTypeNumber,
        day=body.date,
        comment=body.comment,
        document_id=body.documentId,
        lines=tuple(_line_draft(line) for line in body.lines),
    )


def _line_draft(line: TransactionLineInput) -> LineDraft:
    invoice = line.invoice or InvoiceInput()
    return LineDraft(
        account_number=line.accountNumber,
        amount=line.amount,
        tax_number=line.tax.number,
        tax_amount=line.tax.amount,
        deduction_percent=line.tax.baseRate,
        day=line.date,
        period_date=line.periodDate,
        comment=line.comment,
        currency=line.currency.code if line.currency else None,
        rate=line.currency.rate if line.currency else None,
        dimensions=tuple((d.dimensionType, d.value) for d in line.dimensions or ()),
        invoice=InvoiceRef(invoice.number, invoice.dueDate, invoice.remittanceReference, invoice.bankAccount),
    )
