"""``GET /accounts``, ``/accounts/{id}``; extension ``POST /accounts`` to add an account to the chart."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Request

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.idempotency import run_idempotent
from kontobok.api.json import ExactJSONResponse, ExactJSONRoute
from kontobok.api.office import schemas
from kontobok.api.scopes import ACCOUNT_READ, ACCOUNT_WRITE
from kontobok.store.books import Account, create_account, get_account, list_accounts
from kontobok.store.database import read_transaction

router = APIRouter(route_class=ExactJSONRoute)


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "number": account.number,
        "name": account.name,
        "taxId": account.tax_number,
    }


@router.get(
    "/accounts", tags=["accounts"], summary="Read accounts", responses={200: {"model": list[schemas.Account]}}
)
def read_accounts(
    principal: Annotated[Principal, require(ACCOUNT_READ)],
    request: Request,
    query: Annotated[
        str | None, Query(max_length=200, description="Keep accounts whose name or number contains it.")
    ] = None,
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        chart = list_accounts(connection, principal.organization.organization_id, query)
    return ExactJSONResponse([account_json(account) for account in chart])


@router.get(
    "/accounts/{id}",
    tags=["accounts"],
    summary="Read an account by ID",
    responses={200: {"model": schemas.Account}},
)
def read_account(
    principal: Annotated[Principal, require(ACCOUNT_READ)],
    request: Request,
    id: schemas.AccountId,
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        account = get_account(connection, principal.organization.organization_id, id)
    return ExactJSONResponse(account_json(account))


@router.post(
    "/accounts",
    tags=["kontobok extensions"],
    status_code=201,
    summary="Create an account in the chart of accounts",
    responses={201: {"model": schemas.Account}},
)
def create_chart_account(
    principal: Annotated[Principal, require(ACCOUNT_WRITE)],
    request: Request,
    body: schemas.AccountCreate,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> Any:
    """Add an account. Classes 1 and 2 are balance-sheet accounts, 3 to 8 profit and loss (NS 4102)."""

    def write(connection: sa.Connection) -> tuple[int, dict[str, Any]]:
        account = create_account(
            connection,
            principal.organization.organization_id,
            number=body.number,
            name=body.name,
            tax_number=body.taxId,
        )
        return 201, account_json(account)

    return run_idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), write)
