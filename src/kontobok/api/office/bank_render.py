"""Writing the Office v1 bank shapes: ``BankAccountResponse``, ``BankAccountBalance`` and
``BankTransactionResponse``."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from kontobok.api.office.render import rate_number, timestamp
from kontobok.core.money import to_decimal
from kontobok.exchange_rates import cross_rate
from kontobok.store.bank_accounts import BankAccount, ReportedBalance
from kontobok.store.bank_transactions import StoredBankTransaction
from kontobok.store.organizations import Organization


def balance_json(balance: ReportedBalance, organization: Organization) -> dict[str, Any]:
    """A reported balance with the ECB rate of its local day into the base currency (1 for the base)."""
    day = balance.reported_at.astimezone(ZoneInfo(organization.time_zone)).date()
    currency: dict[str, Any] = {"code": balance.currency}
    rate = cross_rate(balance.currency, organization.base_currency, day)
    if rate is not None:
        currency["rate"] = rate_number(str(rate))
    return {
        "amount": to_decimal(balance.amount, balance.currency),
        "timestamp": timestamp(balance.reported_at),
        "currency": currency,
    }


def bank_account_json(
    account: BankAccount, organization: Organization, balance: ReportedBalance | None
) -> dict[str, Any]:
    details = account.details
    owner: dict[str, Any] = {
        "name": details.owner_name or organization.name,
        "organizationNumber": details.owner_organization_number or organization.organization_number,
    }
    if details.contact_name is not None or details.contact_email is not None:
        owner["contact"] = {"name": details.contact_name or "", "email": details.contact_email or ""}
    body: dict[str, Any] = {
        "id": str(account.bank_account_id),
        "number": details.number,
        "bic": details.bic or "",
        "type": details.number_type,
        "name": details.name,
        "currency": details.currency,
        "owner": owner,
        "createdAt": timestamp(account.created_at),
        "modifiedAt": timestamp(account.modified_at),
    }
    if details.transaction_type_number is not None:
        body["transactionType"] = {"number": details.transaction_type_number}
    if details.ledger_account_number is not None:
        body["ledgerAccount"] = {"number": details.ledger_account_number}
    if balance is not None:
        body["balance"] = balance_json(balance, organization)
    return body


def bank_transaction_json(stored: StoredBankTransaction) -> dict[str, Any]:
    item = stored.transaction
    body: dict[str, Any] = {
        "bankTransactionReference": item.reference,
        "type": item.direction,
        "bankAccount": {"id": str(item.bank_account_id)},
        "paymentReference": {"type": item.payment_reference_type, "value": item.payment_reference_value},
        "amount": {"value": to_decimal(abs(item.amount), item.currency), "currency": {"code": item.currency}},
        "date": item.booking_date.isoformat(),
        "status": item.status,
        "createdAt": timestamp(stored.created_at),
        "modifiedAt": timestamp(stored.modified_at),
    }
    if item.value_date is not None:
        body["valueDate"] = item.value_date.isoformat()
    if item.from_number is not None or item.from_type is not None:
        body["fromBankAccount"] = {"number": item.from_number, "type": item.from_type}
    if item.to_number is not None or item.to_type is not None:
        body["toBankAccount"] = {"number": item.to_number, "type": item.to_type}
    codes = {
        "domainCode": item.domain_code,
        "familyCode": item.family_code,
        "subFamilyCode": item.subfamily_code,
    }
    if any(value is not None for value in codes.values()):
        body["bankTransactionCode"] = codes
    return body
