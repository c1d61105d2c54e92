"""``GET /reports/trialbalance``, ``/balancesheet``, ``/incomestatement``, ``/vat``: kontobok extensions.

Each report answers JSON, or CSV with ``Accept: text/csv``. Dates are inclusive. ``asOf`` (an ISO 8601
instant) answers as the books stood at that instant (see :mod:`kontobok.store.as_of`). The rules and signs
of each report are in ``docs/reports.md`` and in the docstrings of :mod:`kontobok.services.reports`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from kontobok.api.as_of import AsOf
from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.office import report_schemas
from kontobok.api.scopes import ACCOUNT_BALANCE_READ, ACCOUNT_READ, TAX_READ, TRANSACTION_READ
from kontobok.services.reports import Interval, balance_sheet, income_statement, trial_balance, vat_report
from kontobok.store.database import read_transaction
from kontobok.wire import reports as wire
from kontobok.wire.office import JsonDate

router = APIRouter(prefix="/reports", tags=["kontobok extensions"])
BalanceReader = Annotated[Principal, require(ACCOUNT_BALANCE_READ, ACCOUNT_READ)]
LineReader = Annotated[Principal, require(TRANSACTION_READ, TAX_READ)]
DateFrom = Annotated[JsonDate, Query(alias="dateFrom", description="First day (inclusive).")]
DateTo = Annotated[JsonDate, Query(alias="dateTo", description="Last day (inclusive).")]
CSV_TYPE = "text/csv"
Report = TypeVar("Report")


def _documented(model: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "model": model,
            "content": {CSV_TYPE: {"schema": {"type": "string"}}},
        }
    }


def _answer(
    request: Request,
    report: Report,
    as_json: Callable[[Report], dict[str, Any]],
    as_csv: Callable[[Report], str],
) -> Response:
    """The report as CSV when the client asks for ``text/csv``, else as JSON."""
    if CSV_TYPE in request.headers.get("accept", ""):
        return Response(as_csv(report), media_type=f"{CSV_TYPE}; charset=utf-8")
    return ExactJSONResponse(as_json(report))


@router.get(
    "/trialbalance",
    summary="Trial balance: every account's opening, debits, credits and closing",
    responses=_documented(report_schemas.TrialBalanceReport, "The trial balance, ledger signs"),
)
def read_trial_balance(
    principal: BalanceReader, request: Request, date_from: DateFrom, date_to: DateTo, as_of: AsOf = None
) -> Response:
    """Ledger signs (debit positive, credit negative); the range lies inside one fiscal year."""
    with read_transaction(engine_of(request), snapshot=as_of is not None) as connection:
        report = trial_balance(connection, principal.organization, date_from, date_to, as_of=as_of)
    return _answer(request, report, wire.trial_balance_json, wire.trial_balance_csv)


@router.get(
    "/balancesheet",
    summary="Balance sheet at the end of a day, grouped after NS 4102",
    responses=_documented(report_schemas.BalanceSheetReport, "The balance sheet, both sides positive"),
)
def read_balance_sheet(
    principal: BalanceReader,
    request: Request,
    day: Annotated[JsonDate, Query(alias="date", description="The day whose end the balance sheet shows.")],
    as_of: AsOf = None,
) -> Response:
    with read_transaction(engine_of(request), snapshot=as_of is not None) as connection:
        report = balance_sheet(connection, principal.organization, day, as_of=as_of)
    return _answer(request, report, wire.balance_sheet_json, wire.balance_sheet_csv)


@router.get(
    "/incomestatement",
    summary="Income statement over a range of one fiscal year, grouped after NS 4102",
    responses=_documented(report_schemas.IncomeStatementReport, "The income statement, a profit positive"),
)
def read_income_statement(
    principal: BalanceReader,
    request: Request,
    date_from: DateFrom,
    date_to: DateTo,
    compare: Annotated[
        Literal["previousYear"] | None, Query(description="Add the same days a year earlier.")
    ] = None,
    interval: Annotated[
        Literal["month", "quarter"] | None, Query(description="Add a column per month or quarter.")
    ] = None,
    as_of: AsOf = None,
) -> Response:
    with read_transaction(engine_of(request), snapshot=as_of is not None) as connection:
        report = income_statement(
            connection,
            principal.organization,
            date_from,
            date_to,
            compare_previous_year=compare == "previousYear",
            interval=Interval(interval) if interval else None,
            as_of=as_of,
        )
    return _answer(request, report, wire.income_statement_json, wire.income_statement_csv)


@router.get(
    "/vat",
    summary="VAT return (mva-melding): basis and VAT per standard tax code, and the amount payable",
    responses=_documented(report_schemas.VatReportBody, "The VAT return of the term"),
)
def read_vat_report(
    principal: LineReader, request: Request, date_from: DateFrom, date_to: DateTo, as_of: AsOf = None
) -> Response:
    """Lines by posting date; the range lies inside one calendar year."""
    with read_transaction(engine_of(request), snapshot=as_of is not None) as connection:
        report = vat_report(connection, principal.organization, date_from, date_to, as_of=as_of)
    return _answer(request, report, wire.vat_report_json, wire.vat_report_csv)


__all__ = ["router"]
