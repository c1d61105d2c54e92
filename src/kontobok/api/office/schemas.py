"""Request bodies and documented response shapes of the Office v1 dialect, after the vendor's OpenAPI.

Numbers in bodies arrive as ``int`` or ``Decimal`` (see :mod:`kontobok.api.json`); a JSON string, boolean or
float where the vendor's schema says *number* is refused, so nothing is accepted that the schema forbids.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field, StrictInt, StrictStr
from pydantic.json_schema import SkipJsonSchema

from kontobok.wire.office import Amount, JsonDate, TransactionInput

__all__ = ["TransactionInput"]

# any 32-bit integer is a well-formed id (an unknown one is a 404); beyond that the request is malformed
AccountId = Annotated[int, Path(ge=-(2**31), le=2**31 - 1, description="The account's id.")]


class TransactionCreated(BaseModel):
    transactionId: str  # noqa: N815
    number: int
    # a reversal names the voucher it reverses; left out otherwise, never null
    reverses: str | SkipJsonSchema[None] = None


class AccountRef(BaseModel):
    id: int
    number: int
    name: str


class AmountElement(BaseModel):
    date: dt.date
    opening: Amount
    closing: Amount
    change: Amount


class AggregationElement(BaseModel):
    account: AccountRef
    balances: list[AmountElement]


class Fiscal(BaseModel):
    startingDate: dt.date  # noqa: N815
    endingAt: dt.date  # noqa: N815


class AccountBalancesHal(BaseModel):
    embedded: dict[str, list[AggregationElement]] = Field(alias="_embedded")
    beginningAt: dt.date  # noqa: N815
    endingAt: dt.date  # noqa: N815
    fiscals: list[Fiscal]


class Account(BaseModel):
    id: int
    number: int
    name: str
    taxId: int  # noqa: N815


class AccountCreate(BaseModel):
    """Extension: a new account in the chart."""

    number: Annotated[StrictInt, Field(ge=1000, le=99999999)]
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    taxId: Annotated[StrictInt, Field(ge=0)] = 0  # noqa: N815


class CurrencyRead(BaseModel):
    code: str
    rate: Amount


class AccountingPeriod(BaseModel):
    id: str
    type: str
    startingDate: dt.date  # noqa: N815
    endingDate: dt.date  # noqa: N815
    isClosed: bool  # noqa: N815


class FiscalYearOpen(BaseModel):
    """Extension: open (or reopen) the fiscal year that starts in ``year``."""

    year: Annotated[StrictInt, Field(ge=1900, le=2999)]


class TaxRead(BaseModel):
    id: int
    number: int
    name: str
    rate: Amount


class TransactionTypeRead(BaseModel):
    id: int
    number: int
    name: str


class ReversalInput(BaseModel):
    """Extension: reverse a posted voucher, on ``date`` or on the original dates."""

    date: JsonDate | None = None
    comment: Annotated[StrictStr, Field(max_length=75)] | None = None


class VoucherRef(BaseModel):
    id: str
    number: int


class IdRef(BaseModel):
    id: int


class LineTax(BaseModel):
    id: int
    rate: Amount


class LineInvoice(BaseModel):
    """The invoice a line refers to; each member is left out when the line has none."""

    number: str | SkipJsonSchema[None] = None
    dueDate: dt.date | SkipJsonSchema[None] = None  # noqa: N815
    remittanceReference: str | SkipJsonSchema[None] = None  # noqa: N815


class LineDimension(BaseModel):
    dimensionType: int  # noqa: N815
    value: str
    name: str


class TransactionLineRead(BaseModel):
    """The vendor's ``Transaction`` (one transaction line). Optional members are left out, never null;
    ``dimensions`` is sent when ``includeDimensions=true`` (and always by ``/transactionlines/{id}``)."""

    id: str
    transaction: VoucherRef
    account: AccountRef
    transactionType: IdRef  # noqa: N815
    tax: LineTax
    amount: Amount
    baseAmount: Amount  # noqa: N815
    currency: CurrencyRead
    date: dt.date
    periodDate: dt.date  # noqa: N815
    createdAt: dt.datetime  # noqa: N815
    modifiedAt: dt.datetime  # noqa: N815
    comment: str | SkipJsonSchema[None] = None
    invoice: LineInvoice | SkipJsonSchema[None] = None
    customer: IdRef | SkipJsonSchema[None] = None
    documentId: int | SkipJsonSchema[None] = None  # noqa: N815
    dimensions: list[LineDimension] | SkipJsonSchema[None] = None
