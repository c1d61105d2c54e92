"""Extensions ``/v1/webhooks`` and ``/v1/monitors``: signed webhook subscriptions and balance monitors.

A subscription delivers the change feed's events, so managing them needs the feed's scopes. The secret is in
the answer that creates a subscription and in no listing; a retry with the same ``Idempotency-Key`` replays
that answer (the secret is kept in the database anyway: deliveries are signed with it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.integrations.events import FEED_SCOPES
from kontobok.api.json import ExactJSONResponse, ExactJSONRoute
from kontobok.services.webhooks import (
    add_monitor_in,
    add_webhook_in,
    list_webhooks,
    monitors,
    remove_monitor,
    remove_webhook,
    webhook_log,
)

router = APIRouter(route_class=ExactJSONRoute, tags=["kontobok extensions"])
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255, description="Retries with the same key create one."),
]
Identifier = Annotated[str, Path(max_length=40, pattern=r"^[a-z]+_[0-9a-f]{1,32}$")]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2000)
    events: list[Annotated[str, Field(max_length=40)]] | None = Field(default=None, max_length=50)


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[str]
    createdAt: str  # noqa: N815 - the wire name
    secret: str | None = None


class MonitorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accountNumber: int = Field(ge=1, le=2**31 - 1)  # noqa: N815 - the wire name
    below: Annotated[Decimal, WithJsonSchema({"type": "number"})] = Field(allow_inf_nan=False)
    url: str | None = Field(default=None, min_length=1, max_length=2000)


class MonitorRead(BaseModel):
    id: str
    accountNumber: int  # noqa: N815 - the wire name
    below: Annotated[Decimal, WithJsonSchema({"type": "number"})]
    balance: Annotated[Decimal, WithJsonSchema({"type": "number"})]
    isBelow: bool  # noqa: N815 - the wire name
    webhookId: str | None  # noqa: N815 - the wire name
    webhook: WebhookRead | None = None


@router.post(
    "/webhooks", status_code=201, summary="Subscribe a URL to events", responses={201: {"model": WebhookRead}}
)
def create_webhook(
    principal: Annotated[Principal, require(*FEED_SCOPES)],
    request: Request,
    body: WebhookCreate,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        organization_id = principal.organization.organization_id
        return 201, add_webhook_in(connection, organization_id, body.url, body.events)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.get("/webhooks", summary="Read webhook subscriptions", responses={200: {"model": list[WebhookRead]}})
def read_webhooks(
    principal: Annotated[Principal, require(*FEED_SCOPES)], request: Request
) -> ExactJSONResponse:
    return ExactJSONResponse(list_webhooks(engine_of(request), principal.organization.organization_id))


@router.delete("/webhooks/{id}", status_code=204, summary="Remove a webhook subscription")
def delete_webhook(
    principal: Annotated[Principal, require(*FEED_SCOPES)], request: Request, id: Identifier
) -> Response:
    remove_webhook(engine_of(request), principal.organization.organization_id, id)
    return Response(status_code=204)


@router.get("/webhooks/{id}/deliveries", summary="Read a webhook's delivery log")
def read_deliveries(
    principal: Annotated[Principal, require(*FEED_SCOPES)],
    request: Request,
    id: Identifier,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> ExactJSONResponse:
    log: list[dict[str, Any]] = webhook_log(
        engine_of(request), principal.organization.organization_id, id, limit
    )
    return ExactJSONResponse(log)


@router.post(
    "/monitors",
    status_code=201,
    summary="Watch an account's balance",
    responses={201: {"model": MonitorRead}},
)
def create_monitor(
    principal: Annotated[Principal, require(*FEED_SCOPES)],
    request: Request,
    body: MonitorCreate,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        organization_id = principal.organization.organization_id
        return 201, add_monitor_in(connection, organization_id, body.accountNumber, body.below, body.url)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)


@router.get("/monitors", summary="Read balance monitors", responses={200: {"model": list[MonitorRead]}})
def read_monitors(
    principal: Annotated[Principal, require(*FEED_SCOPES)], request: Request
) -> ExactJSONResponse:
    return ExactJSONResponse(monitors(engine_of(request), principal.organization.organization_id))


@router.delete("/monitors/{id}", status_code=204, summary="Remove a balance monitor")
def delete_monitor(
    principal: Annotated[Principal, require(*FEED_SCOPES)], request: Request, id: Identifier
) -> Response:
    remove_monitor(engine_of(request), principal.organization.organization_id, id)
    return Response(status_code=204)
