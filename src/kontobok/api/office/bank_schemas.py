"""Request bodies of the Office v1 bank paths, after the vendor's ``BankAccountRequestPost``,
``BankAccountBalanceRequestPost`` and ``BankTransactionRequestPost``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    EmailStr,
    Field,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from kontobok.wire.bank_identifiers import checked_account_number, checked_bic, checked_organization_number
from kontobok.wire.office import JsonDate, JsonDateTime, JsonNumber, PositiveJsonNumber

CurrencyCode = Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]
NumberType = Literal["bban", "iban"]


def _format(check: Any) -> Any:
    """A validator that compacts an identifier with ``check`` or reports what is wrong with it."""

    def validate(value: str) -> str:
        try:
            return str(check(value))
        except ValueError as error:
            raise PydanticCustomError("format", str(error)) from None

    return AfterValidator(validate)


class Contact(BaseModel):
    name: Name
    email: EmailStr


class Owner(BaseModel):
    name: Name
    organizationNumber: Annotated[StrictStr, Field(max_length=20), _format(checked_organization_number)]  # noqa: N815
    contact: Contact


class ByNumber(BaseModel):
    number: Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]


class OpeningBalanceCurrency(BaseModel):
    code: CurrencyCode


class OpeningBalance(BaseModel):
    """The account's balance as given on creation, in the shape of the vendor's ``BankAccountBalance``:
    ``timestamp`` defaults to the creation instant, ``currency`` to the account's."""

    amount: JsonNumber
    timestamp: JsonDateTime | None = None
    currency: OpeningBalanceCurrency | None = None


class BankAccountCreate(BaseModel):
    """A bank account. ``currency`` is a kontobok addition (default: the organization's base currency), and
    so is ``balance``, the ``BankAccountBalance`` a bank account is read back with: when given, it is stored
    as the account's first reported balance."""

    type: NumberType
    number: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    bic: Annotated[StrictStr, Field(min_length=1, max_length=20), _format(checked_bic)]
    name: Name
    owner: Owner
    transactionType: ByNumber | None = None  # noqa: N815
    ledgerAccount: ByNumber | None = None  # noqa: N815
    currency: CurrencyCode | None = None
    balance: OpeningBalance | None = None

    @field_validator("number")
    @classmethod
    def _checked_number(cls, value: str, info: ValidationInfo) -> str:
        """An IBAN by its mod-97 check, a Norwegian BBAN by its mod-11 check digit."""
        number_type = info.data.get("type")
        if number_type is None:
            return value
        try:
            return checked_account_number(value, number_type)
        except ValueError as error:
            raise PydanticCustomError("format", str(error)) from None


class BalanceCurrency(BaseModel):
    code: CurrencyCode
    rate: JsonNumber | None = None


class BalanceCreate(BaseModel):
    """A balance as the bank reported it at ``timestamp`` (a timestamp without zone is UTC)."""

    amount: JsonNumber
    timestamp: JsonDateTime
    currency: BalanceCurrency


class BankAccountRef(BaseModel):
    id: Annotated[StrictStr, Field(max_length=64)]


class PaymentReference(BaseModel):
    type: Literal["text", "ocr", "invoiceRef"]
    value: Annotated[StrictStr, Field(max_length=1000)]


class TransactionCurrency(BaseModel):
    code: CurrencyCode


class TransactionAmount(BaseModel):
    value: PositiveJsonNumber
    currency: TransactionCurrency


class OtherAccount(BaseModel):
    number: Annotated[StrictStr, Field(max_length=64)] | None = None
    type: NumberType | None = "bban"


class TransactionCode(BaseModel):
    domainCode: Annotated[StrictStr, Field(max_length=35)] | None = None  # noqa: N815
    familyCode: Annotated[StrictStr, Field(max_length=35)] | None = None  # noqa: N815
    subFamilyCode: Annotated[StrictStr, Field(max_length=35)] | None = None  # noqa: N815


class BankTransactionCreate(BaseModel):
    bankTransactionReference: Annotated[StrictStr, Field(min_length=10, max_length=130)]  # noqa: N815
    type: Literal["inbound", "outbound"]
    bankAccount: BankAccountRef  # noqa: N815
    paymentReference: PaymentReference  # noqa: N815
    amount: TransactionAmount
    date: JsonDate
    fromBankAccount: OtherAccount | None = None  # noqa: N815
    toBankAccount: OtherAccount | None = None  # noqa: N815
    bankTransactionCode: TransactionCode | None = None  # noqa: N815
