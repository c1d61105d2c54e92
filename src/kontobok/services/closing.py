"""Year-end closing (årsavslutning): the year's result moves to equity, then the year is locked.

Profit-and-loss accounts measure one fiscal year; the year's result belongs to the owners, in equity. The
usual Norwegian closing posts it on account 8800 *Årsresultat* against 2050 *Annen egenkapital* (for a loss,
2080 *Udekket tap* is common: pass it as the equity account). kontobok posts one voucher of the closing
transaction type (11, Årsavslutning) dated the year's last day:

- the result account is debited with the year's profit (credited with a loss): the sum of every
  profit-and-loss account over the year, negated, so that the year's profit-and-loss accounts, the result
  account included, sum to zero;
- the equity account is credited with the profit (debited with a loss), and carries it into every later year,
  while the profit-and-loss accounts start the next year at zero as always.

A year with a result of zero gets no voucher. Closing a closed year changes nothing. Reopening the year
reverses the closing voucher (same date, same type), so that posting corrections and closing again move the
corrected result.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.errors import NotFound, ValidationFailed
from kontobok.core.money import to_decimal
from kontobok.core.transaction_types import CLOSING_TYPE_NAME, CLOSING_TYPE_NUMBER
from kontobok.core.voucher import LineDraft, VoucherDraft
from kontobok.services.balances import read_balances
from kontobok.store.books import FiscalYear, account_ids_by_number, list_fiscal_years
from kontobok.store.closings import closing_voucher_of, record_closing_voucher, set_closing_voucher
from kontobok.store.organizations import Organization, close_fiscal_year, open_fiscal_year
from kontobok.store.posting import post_drafts
from kontobok.store.reversal import reverse_voucher

DEFAULT_RESULT_ACCOUNT = 8800
DEFAULT_EQUITY_ACCOUNT = 2050


@dataclass(frozen=True)
class ClosingAccounts:
    """The accounts the result moves between: a profit-and-loss account and an equity account."""

    result_account: int = DEFAULT_RESULT_ACCOUNT
    equity_account: int = DEFAULT_EQUITY_ACCOUNT


def _fiscal_year(connection: sa.Connection, organization: Organization, year: int) -> FiscalYear:
    found = next(
        (y for y in list_fiscal_years(connection, organization.organization_id) if y.year == year), None
    )
    if found is None:
        raise NotFound(f"fiscal year {year} does not exist")
    return found


def _check_accounts(connection: sa.Connection, organization: Organization, accounts: ClosingAccounts) -> None:
    chart = account_ids_by_number(connection, organization.organization_id)
    problems = []
    if (
        accounts.result_account not in chart
        or account_kind(accounts.result_account) is not AccountKind.PROFIT_AND_LOSS
    ):
        problems.append(
            ("/resultAccount", f"account {accounts.result_account} is not a profit-and-loss account")
        )
    if accounts.equity_account not in chart or str(accounts.equity_account)[:2] != "20":
        problems.append(
            ("/equityAccount", f"account {accounts.equity_account} is not an equity account (20xx)")
        )
    if problems:
        path, message = problems[0]
        raise ValidationFailed.single(path, "exists", message)


def year_result(connection: sa.Connection, organization: Organization, fiscal_year: FiscalYear) -> int:
    """The sum of every profit-and-loss account over the year (ledger signs: a profit is negative)."""
    span = fiscal_year.span
    return sum(
        found.elements[-1].closing
        for found in read_balances(connection, organization, span=span, cuts=[span])
        if account_kind(found.account.number) is AccountKind.PROFIT_AND_LOSS
    )


def close_year(
    connection: sa.Connection, organization: Organization, year: int, accounts: ClosingAccounts | None = None
) -> None:
    """Move the year's result to equity with a closing voucher, then close the year."""
    accounts = accounts or ClosingAccounts()
    fiscal_year = _fiscal_year(connection, organization, year)
    _check_accounts(connection, organization, accounts)
    if fiscal_year.is_closed:
        return
    result = year_result(connection, organization, fiscal_year)
    voucher_id = None
    if result != 0:
        currency = organization.base_currency
        draft = VoucherDraft(
            transaction_type_number=CLOSING_TYPE_NUMBER,
            day=fiscal_year.span.last_day,
            comment=f"{CLOSING_TYPE_NAME} {year}",
            lines=(
                LineDraft(accounts.result_account, to_decimal(-result, currency)),
                LineDraft(accounts.equity_account, to_decimal(result, currency)),
            ),
        )
        voucher_id = post_drafts(connection, organization, [draft])[0].voucher_id
    set_closing_voucher(connection, organization.organization_id, year, voucher_id)
    close_fiscal_year(connection, organization, year)


def open_year(connection: sa.Connection, organization: Organization, year: int) -> bool:
    """Open the year (create it if needed); a closed year is reopened and its closing voucher reversed.

    False when the year was open already."""
    closing = closing_voucher_of(connection, organization.organization_id, year)
    if closing is not None:
        set_closing_voucher(connection, organization.organization_id, year, None)
    changed = open_fiscal_year(connection, organization, year)
    if closing is not None:
        if not changed:  # an open year that still named a closing voucher: journal the cleared row
            record_closing_voucher(connection, organization.organization_id, year, None)
        reverse_voucher(connection, organization, closing, day=None, comment=f"Gjenåpning {year}")
    return changed
