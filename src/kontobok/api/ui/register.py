"""The chart of accounts, an account's register and a voucher.

The register lists every line of one account in the listing order of ``/v1/transactionlines`` (date,
voucher number, line), 50 a page, filtered by a date range and a text found in the line's comment or invoice
number. Without a text filter each line shows the running balance after it: the account's balance at the
start of the first line's day (from the per-day totals), plus the lines of that day before it, plus each
line in turn. A profit-and-loss account's balance starts again at zero at every fiscal year's start.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.ui.web import CurrentViewer, not_found, render
from kontobok.core.errors import NotFound
from kontobok.core.periods import ONE_DAY, DateRange, fiscal_year_range, fiscal_year_start
from kontobok.services.overview import default_year
from kontobok.store.balances import read_account_totals
from kontobok.store.books import get_account, list_accounts
from kontobok.store.dashboard_reads import get_voucher_head
from kontobok.store.database import read_transaction
from kontobok.store.lines import LineFilter, amount_before_line, list_lines, voucher_lines
from kontobok.store.organizations import Organization
from kontobok.store.posting import DATE_BASIS

router = APIRouter()

PAGE_SIZE = 50
FIRST_PROFIT_AND_LOSS_ACCOUNT = 3000
EARLIEST = date(1900, 1, 1)
MAX_ID = 2**31 - 1
LATEST = date(2999, 12, 31)


@dataclass(frozen=True)
class RegisterLine:
    line: sa.RowMapping
    balance: int | None


@router.get("/accounts")
def accounts_page(
    request: Request, viewer: CurrentViewer, year: Annotated[int | None, Query(ge=1900, le=2999)] = None
) -> Response:
    """Every account with its balance at the start and end of a fiscal year, linking to its register."""
    engine = engine_of(request)
    organization = viewer.organization
    chosen = year if year is not None else default_year(engine, organization, date.today())
    span = fiscal_year_range(chosen, organization.fiscal_year_start_month)
    with read_transaction(engine) as connection:
        accounts = list_accounts(connection, organization.organization_id)
        totals = read_account_totals(
            connection,
            organization.organization_id,
            span=span,
            fiscal_start=span.begin,
            basis=DATE_BASIS,
            by_month=True,
        )
    rows = []
    for account in accounts:
        found = totals.get(account.account_id)
        if found is None:
            continue
        opening = found.before_all_time if account.number < FIRST_PROFIT_AND_LOSS_ACCOUNT else 0
        movement = sum(month.movement for month in found.days)
        if opening == 0 and movement == 0 and not found.days:
            continue
        rows.append((account, opening, movement, opening + movement))
    return render(request, "accounts.html", viewer, rows=rows, year=chosen, span=span)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


@router.get("/accounts/{account_id}")
def register_page(
    request: Request,
    viewer: CurrentViewer,
    account_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    text: Annotated[str | None, Query(alias="q", max_length=75)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    organization = viewer.organization
    first = _day(date_from) or EARLIEST
    last = _day(date_to) or LATEST
    if last < first:
        first, last = last, first
    search = (text or "").strip() or None
    where = LineFilter(DateRange(first, last + ONE_DAY), account_id=account_id, text=search)
    with read_transaction(engine_of(request)) as connection:
        try:
            account = get_account(connection, organization.organization_id, account_id)
        except NotFound:
            return not_found(request, viewer, "account")
        found = list_lines(
            connection,
            organization.organization_id,
            where,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        lines = found[:PAGE_SIZE]
        balance = None
        if lines and search is None:
            balance = _balance_before(connection, organization, account.number, lines[0])
    register = []
    opening = balance
    profit_and_loss = account.number >= FIRST_PROFIT_AND_LOSS_ACCOUNT
    year_start = (
        fiscal_year_start(lines[0]["line_date"], organization.fiscal_year_start_month) if lines else None
    )
    for line in lines:
        if balance is not None:
            if profit_and_loss and year_start is not None:
                starts = fiscal_year_start(line["line_date"], organization.fiscal_year_start_month)
                if starts != year_start:
                    balance, year_start = 0, starts
            balance += int(line["amount"])
        register.append(RegisterLine(line, balance))
    filters = {
        key: value
        for key, value in (("from", date_from or ""), ("to", date_to or ""), ("q", search or ""))
        if value
    }

    def page_link(number: int) -> str:
        return f"/ui/accounts/{account_id}?" + urlencode({**filters, "page": number})

    context: dict[str, Any] = {
        "account": account,
        "register": register,
        "page": page,
        "previous_link": page_link(page - 1) if page > 1 else None,
        "next_link": page_link(page + 1) if len(found) > PAGE_SIZE else None,
        "filters": filters,
        "show_balance": search is None,
        "opening": opening,
    }
    template = "register_table.html" if request.headers.get("HX-Request") == "true" else "register.html"
    return render(request, template, viewer, **context)


def _balance_before(
    connection: sa.Connection, organization: Organization, number: int, line: sa.RowMapping
) -> int:
    """The account's balance just before ``line``: its day's opening plus that day's earlier lines."""
    day: date = line["line_date"]
    fiscal_start = fiscal_year_start(day, organization.fiscal_year_start_month)
    totals = read_account_totals(
        connection,
        organization.organization_id,
        span=DateRange(day, day + ONE_DAY),
        fiscal_start=fiscal_start,
        basis=DATE_BASIS,
        account_ids=[line["account_id"]],
    ).get(line["account_id"])
    carried = 0
    if totals is not None:
        carried = (
            totals.before_since_fiscal_start
            if number >= FIRST_PROFIT_AND_LOSS_ACCOUNT
            else totals.before_all_time
        )
    return carried + amount_before_line(connection, organization.organization_id, line)


@router.get("/vouchers/{voucher_id}")
def voucher_page(request: Request, viewer: CurrentViewer, voucher_id: str) -> Response:
    organization = viewer.organization
    try:
        key = uuid.UUID(voucher_id)
    except ValueError:
        return not_found(request, viewer, "voucher")
    with read_transaction(engine_of(request)) as connection:
        try:
            head = get_voucher_head(connection, organization.organization_id, key)
        except NotFound:
            return not_found(request, viewer, "voucher")
        lines = voucher_lines(connection, organization.organization_id, key)
        names = {
            account.account_id: account.name
            for account in list_accounts(connection, organization.organization_id)
        }
    debit = sum(int(line["amount"]) for line in lines if line["amount"] > 0)
    return render(request, "voucher.html", viewer, head=head, lines=lines, names=names, debit=debit)
