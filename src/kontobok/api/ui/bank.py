"""The bank page: each bank account's balance as the bank reports it and as the books have it, day by day.

For a chosen month, every bank account shows per day the bank's end-of-day balance (from the statements'
reported balances and the bank transactions, :mod:`kontobok.store.bank_history`), the balance of the ledger
account it is linked to (e.g. 1920), and the difference, highlighted when it is not zero, as
``kontobok reconcile`` reports them. Below, every reported balance that disagrees with the previous one plus
the transactions in between.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.ui.web import CurrentViewer, render
from kontobok.core.periods import DateRange, add_months, first_of_month
from kontobok.store.bank_accounts import list_bank_accounts, reported_span
from kontobok.store.database import read_transaction
from kontobok.store.reconciliation import reconcile

router = APIRouter()


def _month(text: str | None) -> date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


@router.get("/bank")
def bank_page(
    request: Request,
    viewer: CurrentViewer,
    month: Annotated[str | None, Query(max_length=7)] = None,
) -> Response:
    organization = viewer.organization
    with read_transaction(engine_of(request)) as connection:
        accounts = list_bank_accounts(connection, organization.organization_id)
        chosen = _month(month)
        if chosen is None:
            last_days = [
                reported_span(connection, organization.organization_id, account.bank_account_id)[1]
                for account in accounts
            ]
            known = [day for day in last_days if day is not None]
            chosen = first_of_month(max(known) if known else date.today())
        span = DateRange(chosen, add_months(chosen, 1))
        reports = [
            reconcile(connection, organization, account.bank_account_id, span, checks_within_span=True)
            for account in accounts
        ]
    return render(
        request,
        "bank.html",
        viewer,
        reports=reports,
        month=chosen,
        previous_month=add_months(chosen, -1),
        next_month=add_months(chosen, 1),
    )
