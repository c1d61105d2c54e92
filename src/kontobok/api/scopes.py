"""The vendor's OAuth2 scopes, plus the two that kontobok's extensions need."""

from __future__ import annotations

ACCOUNT_BALANCE_READ = "api.accounting.transaction.accountbalance:read"
ACCOUNT_READ = "api.accounting.account:read"
ACCOUNT_WRITE = "api.accounting.account:write"
FISCAL_PERIOD_READ = "api.accounting.fiscalperiod:read"
FISCAL_PERIOD_WRITE = "api.accounting.fiscalperiod:write"
TAX_READ = "api.accounting.tax:read"
TRANSACTION_READ = "api.accounting.transaction:read"
TRANSACTION_WRITE = "api.accounting.transaction:write"
TRANSACTION_TYPE_READ = "api.accounting.transactiontype:read"
BANK_ACCOUNT_READ = "api.bank.account:read"
BANK_ACCOUNT_WRITE = "api.bank.account:write"
BANK_TRANSACTION_READ = "api.bank.transaction:read"
BANK_TRANSACTION_WRITE = "api.bank.transaction:write"

ALL_SCOPES: frozenset[str] = frozenset(
    {
        ACCOUNT_BALANCE_READ,
        ACCOUNT_READ,
        ACCOUNT_WRITE,
        FISCAL_PERIOD_READ,
        FISCAL_PERIOD_WRITE,
        TAX_READ,
        TRANSACTION_READ,
        TRANSACTION_WRITE,
        TRANSACTION_TYPE_READ,
        BANK_ACCOUNT_READ,
        BANK_ACCOUNT_WRITE,
        BANK_TRANSACTION_READ,
        BANK_TRANSACTION_WRITE,
    }
)
