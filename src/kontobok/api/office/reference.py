"""Reference lists: ``GET /taxes``, ``/taxes/{id}``, ``/transactiontypes`` and ``/currencies``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from kontobok.api.auth import Principal, engine_of, require
from kontobok.api.json import ExactJSONResponse
from kontobok.api.office import schemas
from kontobok.api.office.render import percent
from kontobok.api.scopes import TAX_READ, TRANSACTION_READ, TRANSACTION_TYPE_READ
from kontobok.core.errors import NotFound
from kontobok.core.taxes import TaxCode
from kontobok.exchange_rates import latest_rates_in
from kontobok.store.books import list_tax_codes_by_number, list_transaction_types
from kontobok.store.database import read_transaction

router = APIRouter()


def tax_json(code: TaxCode) -> dict[str, Any]:
    return {
        "id": code.number,
        "number": code.number,
        "name": code.name,
        "rate": percent(code.rate_basis_points),
    }


@router.get(
    "/taxes", tags=["Taxes"], summary="Read tax codes", responses={200: {"model": list[schemas.TaxRead]}}
)
def read_taxes(principal: Annotated[Principal, require(TAX_READ)], request: Request) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        codes = list_tax_codes_by_number(connection, principal.organization.organization_id)
    return ExactJSONResponse([tax_json(code) for code in codes.values()])


@router.get(
    "/taxes/{id}",
    tags=["Taxes"],
    summary="Read a tax code by ID",
    responses={200: {"model": schemas.TaxRead}},
)
def read_tax(
    principal: Annotated[Principal, require(TAX_READ)],
    request: Request,
    id: Annotated[int, Path(ge=0, le=2**31 - 1)],
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        codes = list_tax_codes_by_number(connection, principal.organization.organization_id)
    if id not in codes:
        raise NotFound(f"tax code {id} does not exist")
    return ExactJSONResponse(tax_json(codes[id]))


@router.get(
    "/transactiontypes",
    tags=["transactionTypes"],
    summary="Read transaction types",
    responses={200: {"model": list[schemas.TransactionTypeRead]}},
)
def read_transaction_types(
    principal: Annotated[Principal, require(TRANSACTION_TYPE_READ, TRANSACTION_READ)], request: Request
) -> ExactJSONResponse:
    with read_transaction(engine_of(request)) as connection:
        kinds = list_transaction_types(connection, principal.organization.organization_id)
    return ExactJSONResponse(
        [{"id": kind.number, "number": kind.number, "name": kind.name} for kind in kinds]
    )


@router.get(
    "/currencies",
    tags=["currencies"],
    summary="Read currencies",
    responses={200: {"model": list[schemas.CurrencyRead]}},
)
def read_currencies(principal: Annotated[Principal, require()]) -> ExactJSONResponse:
    """Every currency kontobok accepts, with the latest ECB reference rate in base-currency units per unit."""
    rates = latest_rates_in(principal.organization.base_currency)
    return ExactJSONResponse([{"code": code, "rate": rate} for code, rate in sorted(rates.items())])
