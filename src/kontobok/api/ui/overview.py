"""The overview page: bank and cash balances with their chart, income against expenses, the year's result."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.ui.web import CurrentViewer, render
from kontobok.core.money import exponent
from kontobok.services.overview import default_year, read_overview
from kontobok.store.books import list_fiscal_years
from kontobok.store.database import read_transaction

router = APIRouter()


@router.get("/")
def overview_page(
    request: Request, viewer: CurrentViewer, year: Annotated[int | None, Query(ge=1900, le=2999)] = None
) -> Response:
    engine = engine_of(request)
    organization = viewer.organization
    chosen = year if year is not None else default_year(engine, organization, date.today())
    overview = read_overview(engine, organization, chosen)
    with read_transaction(engine) as connection:
        years = sorted(
            {fiscal.year for fiscal in list_fiscal_years(connection, organization.organization_id)}
        )
    chart = {
        "days": [day.isoformat() for day in overview.days],
        "series": [
            {"label": f"{account.number} {account.name}", "minor": account.daily}
            for account in overview.cash_accounts
        ],
        "decimals": exponent(organization.base_currency),
        "months": [month.month.isoformat() for month in overview.months],
        "income": [month.income for month in overview.months],
        "expenses": [month.expenses for month in overview.months],
    }
    return render(
        request,
        "overview.html",
        viewer,
        overview=overview,
        years=years,
        chart=chart,
    )
