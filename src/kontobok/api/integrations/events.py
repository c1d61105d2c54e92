"""Extension ``GET /v1/events``: the organization's change feed (see :mod:`kontobok.services.events`).

The feed tells both ledger and bank changes, so a token needs both ``api.accounting.transaction:read`` and
``api.bank.transaction:read`` to read it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.scopes import BANK_TRANSACTION_READ, TRANSACTION_READ
from kontobok.services.events import DEFAULT_LIMIT, MAX_LIMIT, read_feed

router = APIRouter()
FEED_SCOPES = (TRANSACTION_READ, BANK_TRANSACTION_READ)


class EventRead(BaseModel):
    id: str
    type: str
    occurred_at: str = Field(alias="occurredAt")
    data: dict[str, Any]


class EventPage(BaseModel):
    """A page of events in the order they were recorded, and the cursor to ask for the next page with."""

    events: list[EventRead]
    next: str


@router.get(
    "/events",
    tags=["kontobok extensions"],
    summary="Read the change feed",
    responses={200: {"model": EventPage}},
)
def read_events(
    principal: Annotated[Principal, require(*FEED_SCOPES)],
    request: Request,
    after: Annotated[
        str | None, Query(max_length=64, description="The `next` of the previous page; none for the start.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Events per page.")] = DEFAULT_LIMIT,
) -> ExactJSONResponse:
    page = read_feed(engine_of(request), principal.organization.organization_id, after, limit)
    return ExactJSONResponse(page.as_json())
