"""The report pages: balance sheet, income statement and VAT, drawn from :mod:`kontobok.services.reports`.

Each account in a report links to its register for the report's period, so a reader can follow a figure
down to the lines and vouchers behind it. Norway's VAT return (mva-melding) is filed per two-month term
(January–February, …, November–December); the VAT page shows one term at a time.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.ui.register import EARLIEST, LATEST
from kontobok.api.ui.web import CurrentViewer, render
from kontobok.core.errors import ValidationFailed
from kontobok.core.periods import add_months, fiscal_year_range
from kontobok.services.overview import default_year
from kontobok.services.reports import balance_sheet, income_statement, vat_report
from kontobok.store.dashboard_reads import latest_line_day
from kontobok.store.database import read_transaction

router = APIRouter()

VAT_TERMS = 6
TERM_NAMES = ("January–February", "March–April", "May–June", "July–August", "September–October",
              "November–December")  # fmt: skip


def _day(text: str | None) -> date | None:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None


@router.get("/balancesheet")
def balance_sheet_page(
    request: Request,
    viewer: CurrentViewer,
    day: Annotated[str | None, Query(alias="date", max_length=10)] = None,
) -> Response:
    organization = viewer.organization
    with read_transaction(engine_of(request)) as connection:
        chosen = _day(day) or latest_line_day(connection, organization.organization_id) or date.today()
        try:
            report = balance_sheet(connection, organization, chosen)
        except ValidationFailed as failure:
            return render(request, "report_error.html", viewer, status_code=400, failure=failure)
    year_start = fiscal_year_range(chosen.year, organization.fiscal_year_start_month).begin
    if year_start > chosen:
        year_start = fiscal_year_range(chosen.year - 1, organization.fiscal_year_start_month).begin
    return render(request, "balancesheet.html", viewer, report=report, year_start=year_start)


@router.get("/incomestatement")
def income_statement_page(
    request: Request,
    viewer: CurrentViewer,
    year: Annotated[int | None, Query(ge=1901, le=2999)] = None,
) -> Response:
    organization = viewer.organization
    engine = engine_of(request)
    chosen = year if year is not None else default_year(engine, organization, date.today())
    span = fiscal_year_range(chosen, organization.fiscal_year_start_month)
    with read_transaction(engine) as connection:
        try:
            report = income_statement(
                connection, organization, span.begin, span.last_day, compare_previous_year=True
            )
        except ValidationFailed as failure:
            return render(request, "report_error.html", viewer, status_code=400, failure=failure)
    return render(request, "incomestatement.html", viewer, report=report, year=chosen, span=span)


@router.get("/vat")
def vat_page(
    request: Request,
    viewer: CurrentViewer,
    year: Annotated[int | None, Query(ge=1901, le=2999)] = None,
    term: Annotated[int | None, Query(ge=1, le=VAT_TERMS)] = None,
) -> Response:
    organization = viewer.organization
    with read_transaction(engine_of(request)) as connection:
        last = latest_line_day(connection, organization.organization_id) or date.today()
        chosen_year = year if year is not None else last.year
        chosen_term = (
            term if term is not None else ((last.month - 1) // 2 + 1 if chosen_year == last.year else 1)
        )
        first = date(chosen_year, 2 * chosen_term - 1, 1)
        last_day = date.fromordinal(add_months(first, 2).toordinal() - 1)
        try:
            report = vat_report(connection, organization, first, last_day)
        except ValidationFailed as failure:
            return render(request, "report_error.html", viewer, status_code=400, failure=failure)
    return render(
        request,
        "vat.html",
        viewer,
        report=report,
        year=chosen_year,
        term=chosen_term,
        terms=list(enumerate(TERM_NAMES, 1)),
    )
