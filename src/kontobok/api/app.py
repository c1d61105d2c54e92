"""The ASGI application: both API dialects, the vendor's headers and error body on every answer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, FastAPI

from kontobok import __version__
from kontobok.api import auth
from kontobok.api.docs_page import install_docs
from kontobok.api.errors import install_error_handlers
from kontobok.api.integrations import events, webhooks
from kontobok.api.json import ExactJSONResponse
from kontobok.api.limits import RequestLimitsMiddleware
from kontobok.api.middleware import VendorHeadersMiddleware, configured_origins
from kontobok.api.office import (
    accountbalances,
    accounts,
    bankaccounts,
    banktransactions,
    fiscalperiods,
    reference,
    reports,
    transactionlines,
    transactions,
)
from kontobok.api.office.schemas import AccountBalancesHal
from kontobok.api.openapi import install_openapi
from kontobok.api.powens.router import router as powens_router
from kontobok.api.server_secret import load_server_secret
from kontobok.api.throttle import LoginThrottle
from kontobok.api.ui.routes import install_ui

DESCRIPTION = """\
kontobok serves a general ledger and bank accounts through the Finago Office / 24SevenOffice REST API v1
(under `/v1`) and the Powens 2.0 API (under `/2.0`). Get a token with `POST /oauth/token`
(client credentials) and send it as `Authorization: Bearer <token>`.

Operations tagged **kontobok extensions** do what the vendor does in its user interface.
"""


def create_app(
    engine: sa.Engine,
    *,
    login_throttle: LoginThrottle | None = None,
    server_secret: bytes | None = None,
    cors_origins: frozenset[str] | None = None,
) -> FastAPI:
    """The application on ``engine``.

    ``server_secret`` defaults to the one configured for the database
    (:func:`~kontobok.api.server_secret.load_server_secret`), ``cors_origins`` to ``KONTOBOK_CORS_ORIGINS``.
    """
    app = FastAPI(
        title="kontobok",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=ExactJSONResponse,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "kontobok extensions", "description": "What the vendor offers in its user interface."}
        ],
    )
    app.state.engine = engine
    app.state.server_secret = server_secret or load_server_secret(engine.url)
    app.state.login_throttle = login_throttle or LoginThrottle()
    install_error_handlers(app)
    # the last added is the outermost: the vendor's headers go on the size limits' refusals too
    app.add_middleware(RequestLimitsMiddleware)
    app.add_middleware(
        VendorHeadersMiddleware,
        cors_origins=configured_origins() if cors_origins is None else cors_origins,
    )
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
        reports,
        events,
        webhooks,
    ):
        office.include_router(module.router)
    app.include_router(office)
    app.include_router(powens_router)

    install_openapi(app, [AccountBalancesHal])
    install_docs(app)
    install_ui(app)

    @app.get("/health", tags=["operations"], summary="Liveness: answers without touching the database")
    def health() -> dict[str, Any]:
        return {"status": "ok"}

    return app
