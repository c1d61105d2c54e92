"""Compact, exact reads of the books for assistants (the MCP server): one read transaction each.

Every amount is a decimal string in its currency's units (``"1500.5"``, ``"-0.35"``): exact, and safe from
clients that would read a JSON number as a binary float. Days are ``YYYY-MM-DD``. Inputs are checked as the
API checks them: days between 1000-01-01 and 9998-12-31, a range at most ten years long, at most 200 lines
a page, search text at most 200 characters.

The trial balance is the report's (:mod:`kontobok.services.reports.trial_balance`): per account with
movement or a non-zero balance, the opening balance, the debits, the credits and the closing balance over
``[date_from, date_to]``, which lies inside one fiscal year as in ``/v1/reports/trialbalance``, and their
totals. The balances tool gives opening, change and closing over any range of at most ten years.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.balances import compute_balance_elements
from kontobok.core.errors import NotFound, Problem, ValidationFailed
from kontobok.core.money import to_decimal
from kontobok.core.periods import DateRange, fiscal_year_start, inclusive_range
from kontobok.services.reports import trial_balance as read_trial_balance
from kontobok.store.balances import read_account_totals
from kontobok.store.bank_accounts import latest_balances_before, list_bank_accounts
from kontobok.store.books import list_accounts
from kontobok.store.clock import utc_now
from kontobok.store.database import read_transaction
from kontobok.store.lines import LineFilter, list_lines
from kontobok.store.organizations import Organization, get_organization
from kontobok.store.posting import DATE_BASIS
from kontobok.store.reconciliation import reconcile

FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(9998, 12, 31)
MAX_DAYS = 3660
MAX_LINES = 200
MAX_TEXT = 200


def money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(to_decimal(minor, currency))


def parse_day(text: str, name: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.single(f"/{name}", "format", f"{name} must be a date YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed.single(
            f"/{name}", "range", f"{name} must lie between {FIRST_DAY} and {LAST_DAY}"
        )
    return day


def parse_span(date_from: str, date_to: str) -> DateRange:
    """The inclusive days ``[date_from, date_to]``, at most ten years."""
    first, last = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
    if first > last:
        raise ValidationFailed.single("/date_from", "range", "date_from must not be after date_to")
    if (last - first).days >= MAX_DAYS:
        raise ValidationFailed.single("/date_to", "range", f"a range is at most {MAX_DAYS} days")
    return inclusive_range(first, last)


def organization_facts(engine: sa.Engine, organization_id: int) -> dict[str, Any]:
    with read_transaction(engine) as connection:
        organization = get_organization(connection, organization_id)
    return {
        "id": organization.organization_id,
        "name": organization.name,
        "organizationNumber": organization.organization_number,
        "baseCurrency": organization.base_currency,
        "timeZone": organization.time_zone,
        "fiscalYearStartMonth": organization.fiscal_year_start_month,
    }


def chart_of_accounts(
    engine: sa.Engine, organization_id: int, query: str | None = None
) -> list[dict[str, Any]]:
    if query is not None and len(query) > MAX_TEXT:
        raise ValidationFailed.single("/query", "maxLength", f"query has at most {MAX_TEXT} characters")
    with read_transaction(engine) as connection:
        chart = list_accounts(connection, organization_id, query)
    return [
        {
            "number": account.number,
            "name": account.name,
            "taxNumber": account.tax_number,
            "kind": "balance sheet"
            if account_kind(account.number) is AccountKind.BALANCE_SHEET
            else "profit and loss",
        }
        for account in chart
    ]


def account_balances(
    engine: sa.Engine, organization_id: int, date_from: str, date_to: str, account_numbers: list[int] | None
) -> dict[str, Any]:
    """Per account: opening, change and closing over the range, the balances report's rules."""
    span = parse_span(date_from, date_to)
    if account_numbers is not None and len(account_numbers) > 100:
        raise ValidationFailed.single("/account_numbers", "maxItems", "at most 100 accounts")
    with read_transaction(engine) as connection:
        organization = get_organization(connection, organization_id)
        rows = _balances(connection, organization, span, account_numbers)
    return _report(organization.base_currency, date_from, date_to, rows)


def _report(
    currency: str, date_from: str, date_to: str, rows: list[tuple[int, str, int, int]]
) -> dict[str, Any]:
    return {
        "currency": currency,
        "dateFrom": date_from,
        "dateTo": date_to,
        "accounts": [
            {
                "number": number,
                "name": name,
                "opening": money(opening, currency),
                "change": money(closing - opening, currency),
                "closing": money(closing, currency),
            }
            for number, name, opening, closing in rows
        ],
    }


def _balances(
    connection: sa.Connection, organization: Organization, span: DateRange, numbers: list[int] | None
) -> list[tuple[int, str, int, int]]:
    chart = list_accounts(connection, organization.organization_id)
    if numbers is not None:
        known = {account.number for account in chart}
        unknown = sorted(set(numbers) - known)
        if unknown:
            raise NotFound(f"account {unknown[0]} does not exist")
        chart = [account for account in chart if account.number in set(numbers)]
    start_month = organization.fiscal_year_start_month
    totals = read_account_totals(
        connection,
        organization.organization_id,
        span=span,
        fiscal_start=fiscal_year_start(span.begin, start_month),
        basis=DATE_BASIS,
        account_ids=[account.account_id for account in chart] if numbers is not None else None,
    )
    result = []
    for account in chart:
        found = totals.get(account.account_id)
        if found is None and numbers is None:
            continue
        kind = account_kind(account.number)
        carried_in = 0
        if found is not None:
            carried_in = (
                found.before_all_time
                if kind is AccountKind.BALANCE_SHEET
                else found.before_since_fiscal_start
            )
        element = compute_balance_elements(
            [span],
            carried_in=carried_in,
            day_totals=found.days if found else [],
            kind=kind,
            fiscal_start_month=start_month,
            keep_incoming=True,
        )[0]
        if numbers is None and element.opening == 0 and element.closing == 0 and not (found and found.days):
            continue
        result.append((account.number, account.name, element.opening, element.closing))
    return result


def trial_balance(engine: sa.Engine, organization_id: int, date_from: str, date_to: str) -> dict[str, Any]:
    """The trial balance of :func:`kontobok.services.reports.trial_balance`, the range rules of
    ``/v1/reports/trialbalance`` (inside one fiscal year): per account the opening, the debits, the credits
    and the closing, and their totals."""
    first, last = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
    with read_transaction(engine) as connection:
        organization = get_organization(connection, organization_id)
        try:
            report = read_trial_balance(connection, organization, first, last)
        except ValidationFailed as failure:
            raise ValidationFailed([_in_tool_terms(problem) for problem in failure.problems]) from None
    currency = report.currency
    return {
        "currency": currency,
        "dateFrom": date_from,
        "dateTo": date_to,
        "accounts": [
            {
                "number": row.number,
                "name": row.name,
                "opening": money(row.opening, currency),
                "debit": money(row.debit, currency),
                "credit": money(row.credit, currency),
                "closing": money(row.closing, currency),
            }
            for row in report.accounts
        ],
        "totals": {
            "opening": money(report.totals.opening, currency),
            "debit": money(report.totals.debit, currency),
            "credit": money(report.totals.credit, currency),
            "closing": money(report.totals.closing, currency),
        },
    }


def _in_tool_terms(problem: Problem) -> Problem:
    """A report's problem named with the tools' argument names (``date_from``, not ``dateFrom``)."""

    def renamed(text: str) -> str:
        return text.replace("dateFrom", "date_from").replace("dateTo", "date_to")

    return Problem(renamed(problem.path), problem.keyword, renamed(problem.message))


def search_transaction_lines(
    engine: sa.Engine,
    organization_id: int,
    date_from: str,
    date_to: str,
    *,
    account_number: int | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Lines in ``[date_from, date_to]``, optionally of one account and whose comment contains ``text``."""
    span = parse_span(date_from, date_to)
    if not 1 <= limit <= MAX_LINES:
        raise ValidationFailed.single("/limit", "maximum", f"limit must be between 1 and {MAX_LINES}")
    if not 0 <= offset <= 100_000:
        raise ValidationFailed.single("/offset", "maximum", "offset must be between 0 and 100000")
    if text is not None and len(text) > MAX_TEXT:
        raise ValidationFailed.single("/text", "maxLength", f"text has at most {MAX_TEXT} characters")
    needle = text.casefold() if text else None
    found: list[dict[str, Any]] = []
    with read_transaction(engine) as connection:
        currency = get_organization(connection, organization_id).base_currency
        where = LineFilter(span=span, account_number=account_number)
        skipped, page = 0, 0
        while len(found) < limit:
            rows = list_lines(connection, organization_id, where, limit=500, offset=page * 500)
            for row in rows:
                if needle is not None and needle not in (row["comment"] or "").casefold():
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                found.append(_line(row, currency))
                if len(found) == limit:
                    break
            if len(rows) < 500 or page >= 40:
                break
            page += 1
    return {"currency": currency, "lines": found}


def _line(row: sa.RowMapping, currency: str) -> dict[str, Any]:
    line: dict[str, Any] = {
        "transactionId": str(row["voucher_id"]),
        "transactionNumber": row["voucher_number"],
        "transactionTypeNumber": row["transaction_type_number"],
        "lineNumber": row["line_number"],
        "date": row["line_date"].isoformat(),
        "accountNumber": row["account_number"],
        "accountName": row["account_name"],
        "amount": money(row["amount"], currency),
    }
    if row["currency"] != currency:
        line["currency"] = row["currency"]
        line["currencyAmount"] = money(row["currency_amount"], row["currency"])
    if row["comment"]:
        line["comment"] = row["comment"]
    return line


def bank_balances(engine: sa.Engine, organization_id: int) -> list[dict[str, Any]]:
    """Each bank account with the last balance its bank reported."""
    with read_transaction(engine) as connection:
        accounts = list_bank_accounts(connection, organization_id)
        latest = latest_balances_before(connection, organization_id, utc_now())
    result = []
    for account in accounts:
        item: dict[str, Any] = {
            "id": str(account.bank_account_id),
            "name": account.details.name,
            "number": account.details.number,
            "currency": account.details.currency,
            "ledgerAccountNumber": account.details.ledger_account_number,
        }
        reported = latest.get(account.bank_account_id)
        if reported is not None:
            item["balance"] = money(reported.amount, reported.currency)
            item["balanceCurrency"] = reported.currency
            item["reportedAt"] = reported.reported_at.isoformat()
        result.append(item)
    return result


def reconciliation(
    engine: sa.Engine, organization_id: int, bank_account_id: str, date_from: str, date_to: str
) -> dict[str, Any]:
    """Day by day, the bank's balance beside the linked ledger account's, and the days they differ."""
    span = parse_span(date_from, date_to)
    try:
        parsed = uuid.UUID(bank_account_id)
    except ValueError:
        raise NotFound(f"bank account {bank_account_id} does not exist") from None
    with read_transaction(engine) as connection:
        organization = get_organization(connection, organization_id)
        report = reconcile(connection, organization, parsed, span)
    currency, base = report.account.details.currency, organization.base_currency
    return {
        "bankAccountId": bank_account_id,
        "currency": currency,
        "ledgerAccountNumber": report.account.details.ledger_account_number,
        "days": [
            {
                "date": day.day.isoformat(),
                "bankBalance": money(day.bank_balance, currency),
                "ledgerBalance": money(day.ledger_balance, base),
                "difference": money(day.difference, base),
            }
            for day in report.days
            if day.difference != 0
        ],
        "differingDaysOnly": True,
        "balanceChecks": [
            {
                "date": check.snapshot.day.isoformat(),
                "reported": money(check.snapshot.amount, currency),
                "computed": money(check.computed, currency),
                "difference": money(check.difference, currency),
            }
            for check in report.differing_checks
        ],
    }
