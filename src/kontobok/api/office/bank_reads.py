"""What the Office v1 bank paths answer, after the vendor's ``BankAccountResponse``,
``BankAccountBalance`` and ``BankTransactionResponse``, and the reconciliation extension's report.

These models document the answers for the OpenAPI document; :mod:`kontobok.api.office.bank_render` writes
them. A member typed ``X | SkipJsonSchema[None] = None`` is *left out* of the answer when there is nothing
to say (an account without a reported balance has no ``balance``), never sent as ``null``; one typed
``X | None`` without a default is always sent and may be ``null``. Amounts are exact JSON numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema

from kontobok.wire.office import Amount

NumberType = Literal["bban", "iban"]


class BalanceCurrencyRead(BaseModel):
    code: str
    # base-currency units per unit on the balance's day; left out when no ECB rate covers the currency
    rate: Amount | SkipJsonSchema[None] = None


class BankAccountBalanceRead(BaseModel):
    """A balance as the bank reported it at ``timestamp`` (UTC)."""

    amount: Amount
    timestamp: dt.datetime
    currency: BalanceCurrencyRead


class ContactRead(BaseModel):
    name: str
    email: str


class OwnerRead(BaseModel):
    name: str
    organizationNumber: str  # noqa: N815
    contact: ContactRead | SkipJsonSchema[None] = None


class NumberRef(BaseModel):
    number: int


class BankAccountRead(BaseModel):
    id: str
    number: str
    bic: str
    type: NumberType
    name: str
    currency: str
    owner: OwnerRead
    createdAt: dt.datetime  # noqa: N815
    modifiedAt: dt.datetime  # noqa: N815
    transactionType: NumberRef | SkipJsonSchema[None] = None  # noqa: N815
    ledgerAccount: NumberRef | SkipJsonSchema[None] = None  # noqa: N815
    balance: BankAccountBalanceRead | SkipJsonSchema[None] = None


class BankAccountIdRead(BaseModel):
    id: str


class PaymentReferenceRead(BaseModel):
    type: str
    value: str


class CurrencyCodeRead(BaseModel):
    code: str


class TransactionAmountRead(BaseModel):
    """Always positive; the transaction's ``type`` gives the direction."""

    value: Amount
    currency: CurrencyCodeRead


class OtherAccountRead(BaseModel):
    number: str | None
    type: NumberType | None


class TransactionCodeRead(BaseModel):
    domainCode: str | None  # noqa: N815
    familyCode: str | None  # noqa: N815
    subFamilyCode: str | None  # noqa: N815


class BankTransactionRead(BaseModel):
    bankTransactionReference: str  # noqa: N815
    type: Literal["inbound", "outbound"]
    bankAccount: BankAccountIdRead  # noqa: N815
    paymentReference: PaymentReferenceRead  # noqa: N815
    amount: TransactionAmountRead
    date: dt.date
    status: str
    createdAt: dt.datetime  # noqa: N815
    modifiedAt: dt.datetime  # noqa: N815
    valueDate: dt.date | SkipJsonSchema[None] = None  # noqa: N815
    fromBankAccount: OtherAccountRead | SkipJsonSchema[None] = None  # noqa: N815
    toBankAccount: OtherAccountRead | SkipJsonSchema[None] = None  # noqa: N815
    bankTransactionCode: TransactionCodeRead | SkipJsonSchema[None] = None  # noqa: N815


class ReconciledAccount(BaseModel):
    id: str
    currency: str
    ledgerAccount: int | None  # noqa: N815


class ReconciledDay(BaseModel):
    """One day: the bank's end-of-day balance, its value in the base currency, the linked ledger account's
    balance and ``difference`` between the two (each ``null`` where it cannot be known)."""

    date: dt.date
    bankBalance: Amount | None  # noqa: N815
    rate: Amount | None
    bankBalanceInBaseCurrency: Amount | None  # noqa: N815
    ledgerBalance: Amount | None  # noqa: N815
    difference: Amount | None


class BalanceCheck(BaseModel):
    """A reported balance that disagrees with the previous one plus the transactions booked in between."""

    date: dt.date
    previousDate: dt.date  # noqa: N815
    reported: Amount
    computed: Amount
    difference: Amount


class ReconciliationRead(BaseModel):
    bankAccount: ReconciledAccount  # noqa: N815
    days: list[ReconciledDay]
    balanceChecks: list[BalanceCheck]  # noqa: N815
