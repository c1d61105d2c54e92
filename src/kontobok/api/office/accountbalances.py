"""``GET /accountbalances`` and ``/accountbalances/{id}``: opening, closing and change per month or period.

``dateFrom`` and ``dateTo`` are both inclusive. The answer has one element per calendar month that meets the
range, clipped to it, or one per cut when ``periods`` is given. ``type=Period`` groups lines by their
accounting-period date instead of their posting date. With ``Accept: application/hal`` the list comes wrapped
with the range and the fiscal years it meets.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from kontobok.api.as_of import AsOf
from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.office import schemas
from kontobok.api.scopes import ACCOUNT_BALANCE_READ, ACCOUNT_READ
from kontobok.core.errors import ValidationFailed
from kontobok.core.money import to_decimal
from kontobok.core.periods import (
    MAX_MONTHS_PER_REPORT,
    DateRange,
    custom_cuts,
    fiscal_years_meeting,
    inclusive_range,
    monthly_cuts,
    months_meeting,
)
from kontobok.services.balances import read_balances
from kontobok.store.books import Account, get_account
from kontobok.store.database import committed_reads
from kontobok.store.posting import DATE_BASIS, PERIOD_BASIS
from kontobok.wire.office import JsonDate

router = APIRouter(tags=["accountbalances"])

PERIODS_PATTERN = r"^\d{4}-\d{2}-\d{2}Z?(,\d{4}-\d{2}-\d{2}Z?)*$"
HAL_TYPES = ("application/hal", "application/hal+json")
# the fiscal years around a range must be representable dates
FIRST_SUPPORTED_DAY = date(1000, 1, 1)
LAST_SUPPORTED_DAY = date(9998, 12, 31)
Scope = Annotated[Principal, require(ACCOUNT_BALANCE_READ, ACCOUNT_READ)]
_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Balances per account",
        "model": list[schemas.AggregationElement],
        "content": {"application/hal": {"schema": {"$ref": "#/components/schemas/AccountBalancesHal"}}},
    }
}


def parse_cut_days(text: str | None, span: DateRange) -> list[date]:
    """The days of ``periods``: increasing, inside the range; else a 400 naming what is wrong."""
    if text is None:
        return []
    if not re.fullmatch(PERIODS_PATTERN, text):
        raise ValidationFailed.single(
            "/periods", "pattern", "periods must be dates YYYY-MM-DD separated by commas"
        )
    days: list[date] = []
    for part in text.split(","):
        try:
            day = date.fromisoformat(part.rstrip("Z"))
        except ValueError:
            raise ValidationFailed.single("/periods", "format", f"{part} is not a date") from None
        if day not in span:
            raise ValidationFailed.single("/periods", "range", f"{day} is outside dateFrom..dateTo")
        if days and day <= days[-1]:
            raise ValidationFailed.single("/periods", "order", "periods must be in increasing order")
        days.append(day)
    if len(days) >= MAX_MONTHS_PER_REPORT:
        raise ValidationFailed.single(
            "/periods", "maxItems", f"periods gives at most {MAX_MONTHS_PER_REPORT} elements"
        )
    return days


def _span(date_from: date, date_to: date) -> DateRange:
    if date_from > date_to:
        raise ValidationFailed.single("/dateFrom", "range", "dateFrom must not be after dateTo")
    if date_from < FIRST_SUPPORTED_DAY or date_to > LAST_SUPPORTED_DAY:
        raise ValidationFailed.single(
            "/dateTo" if date_to > LAST_SUPPORTED_DAY else "/dateFrom",
            "range",
            f"dates must lie between {FIRST_SUPPORTED_DAY} and {LAST_SUPPORTED_DAY}",
        )
    return inclusive_range(date_from, date_to)


def _check_months(span: DateRange) -> None:
    """Refuse a monthly report of more than :data:`MAX_MONTHS_PER_REPORT` elements before building it."""
    months = months_meeting(span)
    if months > MAX_MONTHS_PER_REPORT:
        raise ValidationFailed.single(
            "/dateTo",
            "range",
            f"dateFrom..dateTo meets {months} calendar months; a report has at most"
            f" {MAX_MONTHS_PER_REPORT} monthly elements (100 years): ask for a shorter range or use periods",
        )


def _balances(
    principal: Principal,
    request: Request,
    account_id: int | None,
    *,
    date_from: date,
    date_to: date,
    periods: str | None,
    kind: str,
    keep_incoming: bool,
    as_of: datetime | None,
) -> ExactJSONResponse:
    """The answer; an account asked for by id is looked up first (a 404 before any 400 on the range), on
    the connection that then reads the balances (no transaction: see :func:`committed_reads`)."""
    organization = principal.organization
    currency = organization.base_currency
    with committed_reads(engine_of(request)) as connection:
        accounts_wanted: list[Account] | None = None
        if account_id is not None:
            accounts_wanted = [get_account(connection, organization.organization_id, account_id)]
        span = _span(date_from, date_to)
        cut_days = parse_cut_days(periods, span)
        if not cut_days:
            _check_months(span)
        cuts = custom_cuts(span, cut_days) if cut_days else monthly_cuts(span)
        balances = read_balances(
            connection,
            organization,
            span=span,
            cuts=cuts,
            basis=PERIOD_BASIS if kind == "Period" else DATE_BASIS,
            keep_incoming=keep_incoming,
            accounts=accounts_wanted,
            as_of=as_of,
        )
    records: list[dict[str, Any]] = [
        {
            "account": {
                "id": found.account.account_id,
                "number": found.account.number,
                "name": found.account.name,
            },
            "balances": [
                {
                    "date": element.first_day.isoformat(),
                    "opening": to_decimal(element.opening, currency),
                    "closing": to_decimal(element.closing, currency),
                    "change": to_decimal(element.change, currency),
                }
                for element in found.elements
            ],
        }
        for found in balances
    ]
    if not any(media in request.headers.get("accept", "") for media in HAL_TYPES):
        return ExactJSONResponse(records)
    hal = {
        "_embedded": {"records": records},
        "beginningAt": date_from.isoformat(),
        "endingAt": date_to.isoformat(),
        "fiscals": [
            {"startingDate": year.begin.isoformat(), "endingAt": year.last_day.isoformat()}
            for year in fiscal_years_meeting(span, organization.fiscal_year_start_month)
        ],
    }
    return ExactJSONResponse(hal, media_type="application/hal+json")


DateFrom = Annotated[JsonDate, Query(alias="dateFrom", description="First day (inclusive).")]
DateTo = Annotated[JsonDate, Query(alias="dateTo", description="Last day (inclusive).")]
Periods = Annotated[str | None, Query(description="Cut days d1,d2,…: elements [dateFrom,d1], (d1,d2], …")]
Kind = Annotated[Literal["Date", "Period"], Query(alias="type")]
KeepIncoming = Annotated[bool, Query(alias="keepIncoming")]


@router.get("/accountbalances", summary="Read account balances", responses=_DOCUMENTED)
def read_account_balances(
    principal: Scope,
    request: Request,
    date_from: DateFrom,
    date_to: DateTo,
    periods: Periods = None,
    kind: Kind = "Date",
    keep_incoming: KeepIncoming = False,
    as_of: AsOf = None,
) -> ExactJSONResponse:
    """Every account with movement or a non-zero balance in the range, ordered by number."""
    return _balances(
        principal, request, None,
        date_from=date_from, date_to=date_to, periods=periods, kind=kind, keep_incoming=keep_incoming,
        as_of=as_of,
    )  # fmt: skip


@router.get("/accountbalances/{id}", summary="Read an account balance by ID", responses=_DOCUMENTED)
def read_account_balance(
    principal: Scope,
    request: Request,
    id: schemas.AccountId,
    date_from: DateFrom,
    date_to: DateTo,
    periods: Periods = None,
    kind: Kind = "Date",
    keep_incoming: KeepIncoming = False,
    as_of: AsOf = None,
) -> ExactJSONResponse:
    return _balances(
        principal, request, id,
        date_from=date_from, date_to=date_to, periods=periods, kind=kind, keep_incoming=keep_incoming,
        as_of=as_of,
    )  # fmt: skip


__all__ = ["router", "schemas"]
