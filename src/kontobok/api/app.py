"""The ASGI application: both API dialects, the vendor's headers and error body on every answer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

from kontobok import __version__
from kontobok.api import auth
from kontobok.api.errors import install_error_handlers
from kontobok.api.integrations import events, webhooks
from kontobok.api.json import ExactJSONResponse
from kontobok.api.limits import RequestLimitsMiddleware
from kontobok.api.middleware import VendorHeadersMiddleware
from kontobok.api.office import (
    accountbalances,
    accounts,
    bankaccounts,
    banktransactions,
    fiscalperiods,
    reference,
    transactionlines,
    transactions,
)
from kontobok.api.office.schemas import AccountBalancesHal
from kontobok.api.openapi import install_openapi
from kontobok.api.organization_cache import OrganizationCache
from kontobok.api.powens.router import router as powens_router
from kontobok.api.throttle import LoginThrottle

DESCRIPTION = """\
kontobok serves a general ledger and bank accounts through the Finago Office / 24SevenOffice REST API v1
(under `/v1`) and the Powens 2.0 API (under `/2.0`). Get a token with `POST /oauth/token`
(client credentials) and send it as `Authorization: Bearer <token>`.

Operations tagged **kontobok extensions** do what the vendor does in its user interface.
"""


def create_app(engine: sa.Engine, *, login_throttle: LoginThrottle | None = None) -> FastAPI:
    app = FastAPI(
        title="kontobok",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=ExactJSONResponse,
        openapi_tags=[
            {"name": "kontobok extensions", "description": "What the vendor offers in its user interface."}
        ],
    )
    app.state.engine = engine
    app.state.organizations = OrganizationCache(engine)
    app.state.login_throttle = login_throttle or LoginThrottle()
    install_error_handlers(app)
    # the last added is the outermost: the vendor's headers go on the size limits' refusals too
    app.add_middleware(RequestLimitsMiddleware)
    app.add_middleware(VendorHeadersMiddleware)
    app.include_router(auth.router)
    office = APIRouter(prefix="/v1")
    for module in (
        accountbalances,
        accounts,
        reference,
        fiscalperiods,
        transactionlines,
        transactions,
        bankaccounts,
        banktransactions,
        events,
        webhooks,
    ):
        office.include_router(module.router)
    app.include_router(office)
    app.include_router(powens_router)

    install_openapi(app, [AccountBalancesHal])

    @app.get("/health", tags=["operations"], summary="Liveness: answers without touching the database")
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return app
