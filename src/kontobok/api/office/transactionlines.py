"""``GET /transactionlines`` and ``/transactionlines/{id}``.

``dateFrom`` is inclusive and ``dateTo`` exclusive. Filters are ANDed. Lines come in a stable order (date,
voucher number, line number), a page at a time; the ``link`` header (RFC 8288) points to the first, previous
and next pages, and the last page has no ``next``.

``limit`` is, in the vendor's words, "the maximum number of transactions to retrieve", with no upper bound.
kontobok answers at most :data:`MAX_LINES_PER_PAGE` lines a page: a larger ``limit`` is served as that many,
and the ``link`` header then names the limit applied, so a client that follows ``next`` gets every line,
each exactly once, where a 400 would break a client generated from the vendor's document.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from kontobok.api.as_of import AsOf
from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.office import schemas
from kontobok.api.office.render import line_json
from kontobok.api.scopes import TRANSACTION_READ
from kontobok.core.errors import ValidationFailed
from kontobok.core.periods import exclusive_range
from kontobok.store.database import committed_reads
from kontobok.store.lines import LineFilter, get_line, list_lines
from kontobok.wire.office import JsonDate, JsonDateTime

router = APIRouter(tags=["transactionLines"])
Reader = Annotated[Principal, require(TRANSACTION_READ)]
MAX_PAGE = 10_000_000
MAX_LINES_PER_PAGE = 1000


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.single("/createdFrom", "range", "the timestamp is out of range") from None


def page_links(
    request: Request, page: int, has_next: bool, *, with_self: bool = False, limit: int | None = None
) -> str:
    """The RFC 8288 ``link`` header for ``page``; with ``limit``, the links carry it in place of the
    request's own."""

    def url(number: int) -> str:
        if limit is not None:
            return str(request.url.include_query_params(page=number, limit=limit))
        return str(request.url.include_query_params(page=number))

    links = [f'<{url(1)}>; rel="first"']
    if with_self:
        links.append(f'<{url(page)}>; rel="self"')
    if page > 1:
        links.append(f'<{url(page - 1)}>; rel="prev"')
    if has_next:
        links.append(f'<{url(page + 1)}>; rel="next"')
    return ", ".join(links)


@router.get(
    "/transactionlines",
    summary="Read transaction lines",
    responses={200: {"model": list[schemas.TransactionLineRead]}},
)
def read_transaction_lines(
    principal: Reader,
    request: Request,
    date_from: Annotated[JsonDate, Query(alias="dateFrom", description="First day (inclusive).")],
    date_to: Annotated[JsonDate, Query(alias="dateTo", description="End day (exclusive).")],
    created_from: Annotated[JsonDateTime | None, Query(alias="createdFrom")] = None,
    created_after: Annotated[JsonDateTime | None, Query(alias="createdAfter", deprecated=True)] = None,
    modified_from: Annotated[JsonDateTime | None, Query(alias="modifiedFrom")] = None,
    modified_after: Annotated[JsonDateTime | None, Query(alias="modifiedAfter", deprecated=True)] = None,
    transaction_number: Annotated[int | None, Query(alias="transactionNumber", ge=0, le=2**31 - 1)] = None,
    transaction_type_id: Annotated[
        int | None, Query(alias="transactionTypeId", ge=-(2**31), le=2**31 - 1)
    ] = None,
    customer_id: Annotated[int | None, Query(alias="customerId", ge=-(2**31), le=2**31 - 1)] = None,
    account_id: Annotated[int | None, Query(alias="accountId", ge=-(2**31), le=2**31 - 1)] = None,
    account_number: Annotated[int | None, Query(alias="accountNumber", ge=-(2**31), le=2**31 - 1)] = None,
    invoice_number: Annotated[str | None, Query(alias="invoiceNumber", max_length=50)] = None,
    currency_code: Annotated[str | None, Query(alias="currencyCode", max_length=5)] = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=2**31 - 1,
            description=f"Lines per page; at most {MAX_LINES_PER_PAGE} are answered, whatever the limit.",
        ),
    ] = 50,
    include_dimensions: Annotated[bool, Query(alias="includeDimensions")] = False,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    as_of: AsOf = None,
) -> ExactJSONResponse:
    if date_from > date_to:
        raise ValidationFailed.single("/dateFrom", "range", "dateFrom must not be after dateTo")
    where = LineFilter(
        span=exclusive_range(date_from, date_to),
        created_from=_utc(created_from or created_after),
        created_to=as_of,
        modified_from=_utc(modified_from or modified_after),
        transaction_number=transaction_number,
        transaction_type_number=transaction_type_id,
        customer_id=customer_id,
        account_id=account_id,
        account_number=account_number,
        invoice_number=invoice_number,
        currency=currency_code,
    )
    per_page = min(limit, MAX_LINES_PER_PAGE)
    organization = principal.organization
    with committed_reads(engine_of(request)) as connection:
        rows = list_lines(
            connection, organization.organization_id, where, limit=per_page + 1, offset=(page - 1) * per_page
        )
    body = [
        line_json(row, organization.base_currency, include_dimensions=include_dimensions)
        for row in rows[:per_page]
    ]
    applied = per_page if per_page != limit else None
    return ExactJSONResponse(
        body, headers={"link": page_links(request, page, len(rows) > per_page, limit=applied)}
    )


@router.get(
    "/transactionlines/{id}",
    summary="Read a transaction line by ID",
    responses={200: {"model": schemas.TransactionLineRead}},
)
def read_transaction_line(
    principal: Reader,
    request: Request,
    id: uuid.UUID,
) -> ExactJSONResponse:
    organization = principal.organization
    with committed_reads(engine_of(request)) as connection:
        row = get_line(connection, organization.organization_id, id)
    return ExactJSONResponse(line_json(row, organization.base_currency, include_dimensions=True))
