"""``GET /fiscalperiods``: fiscal years and their monthly periods; extensions to open and close a year.

A fiscal year is open or closed. Lines may be posted only on days of an open year. Closing a year moves its
result to equity with a closing voucher and locks it; reopening it (the same call as opening) reverses the
closing voucher and unlocks it again (see :mod:`kontobok.services.closing`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Header, Path, Query, Request

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.json import ExactJSONResponse, ExactJSONRoute
from kontobok.api.office import schemas
from kontobok.api.scopes import FISCAL_PERIOD_READ, FISCAL_PERIOD_WRITE
from kontobok.core.periods import monthly_cuts
from kontobok.services.closing import (
    DEFAULT_EQUITY_ACCOUNT,
    DEFAULT_RESULT_ACCOUNT,
    ClosingAccounts,
    close_year,
    open_year,
)
from kontobok.store.books import FiscalYear, list_fiscal_years
from kontobok.store.database import read_transaction

router = APIRouter(route_class=ExactJSONRoute)
Writer = Annotated[Principal, require(FISCAL_PERIOD_WRITE)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def year_json(year: FiscalYear) -> dict[str, Any]:
    return {
        "id": year.fiscal_year_id,
        "type": "Year",
        "startingDate": year.span.begin.isoformat(),
        "endingDate": year.span.last_day.isoformat(),
        "isClosed": year.is_closed,
    }


def periods_json(year: FiscalYear) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid5(uuid.UUID(year.fiscal_year_id), month.begin.isoformat())),
            "type": "Period",
            "startingDate": month.begin.isoformat(),
            "endingDate": month.last_day.isoformat(),
            "isClosed": year.is_closed,
        }
        for month in monthly_cuts(year.span)
    ]


@router.get(
    "/fiscalperiods",
    tags=["fiscalPeriods"],
    summary="Read fiscal periods",
    responses={200: {"model": list[schemas.AccountingPeriod]}},
)
def read_fiscal_periods(
    principal: Annotated[Principal, require(FISCAL_PERIOD_READ)],
    request: Request,
    kind: Annotated[Literal["Year", "Period", "All"], Query(alias="type")] = "Year",
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        years = list_fiscal_years(connection, principal.organization.organization_id)
    body: list[dict[str, Any]] = []
    for year in years:
        if kind in ("Year", "All"):
            body.append(year_json(year))
        if kind in ("Period", "All"):
            body.extend(periods_json(year))
    return ExactJSONResponse(body)


def _year_answer(connection: sa.Connection, organization_id: int, year: int) -> dict[str, Any]:
    return next(year_json(y) for y in list_fiscal_years(connection, organization_id) if y.year == year)


@router.post(
    "/fiscalyears",
    tags=["kontobok extensions"],
    status_code=201,
    summary="Open a fiscal year (create it, or reopen a closed one)",
    responses={201: {"model": schemas.AccountingPeriod}},
)
def open_fiscal_year(
    principal: Writer, request: Request, body: schemas.FiscalYearOpen, idempotency_key: IdempotencyKey = None
) -> Any:
    """Open the fiscal year that starts in calendar year ``year`` (on the organization's start month); a
    closed year is reopened and the voucher that closed it is reversed."""
    organization = principal.organization

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        open_year(connection, organization, body.year)
        return 201, _year_answer(connection, organization.organization_id, body.year)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.post(
    "/fiscalyears/{year}/close",
    tags=["kontobok extensions"],
    summary="Close a fiscal year: move its result to equity, then nothing more can be posted into it",
    responses={200: {"model": schemas.AccountingPeriod}},
)
def close_fiscal_year(
    principal: Writer,
    request: Request,
    year: Annotated[int, Path(ge=1900, le=2999)],
    result_account: Annotated[
        int,
        Query(
            alias="resultAccount", ge=1000, le=99999999, description="Profit-and-loss account for the result."
        ),
    ] = DEFAULT_RESULT_ACCOUNT,
    equity_account: Annotated[
        int,
        Query(
            alias="equityAccount", ge=1000, le=99999999, description="Equity account (20xx) that receives it."
        ),
    ] = DEFAULT_EQUITY_ACCOUNT,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """A voucher of type 11 (Årsavslutning) on the year's last day moves the year's result from the
    profit-and-loss accounts to equity (``resultAccount`` against ``equityAccount``), so that the year's
    profit-and-loss accounts sum to zero; then the year is locked. A closed year is left as it is."""
    organization = principal.organization
    accounts = ClosingAccounts(result_account, equity_account)

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        close_year(connection, organization, year, accounts)
        return 200, _year_answer(connection, organization.organization_id, year)

    body = {"close": year, "resultAccount": result_account, "equityAccount": equity_account}
    return run_idempotent(request, principal, idempotency_key, body, write)
