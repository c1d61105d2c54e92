"""CORS: only configured origins are granted anything; an arbitrary origin is never reflected.

Every answer carries ``Access-Control-Allow-Origin`` and ``Access-Control-Allow-Credentials``, as the
vendor's do. An origin listed in ``KONTOBOK_CORS_ORIGINS`` gets itself and ``true``; any other request
gets ``null`` and ``false``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.api.middleware import CORS_ORIGINS_ENV, configured_origins
from tests.factories import Api

ALLOWED = "https://books.example.no"
EVIL = "https://evil.example.com"


@pytest.fixture
def configured(engine: sa.Engine, api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """``api``'s token on an app configured with two allowed origins through the environment."""
    monkeypatch.setenv(CORS_ORIGINS_ENV, f" {ALLOWED} , https://app.example.no/,*,null")
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield Api(client, api.organization, api.token)


def test_no_origin_is_allowed_by_default(api: Api) -> None:
    for origin in (EVIL, ALLOWED, "null"):
        answer = api.get("/v1/accounts", headers={"Origin": origin})

        assert answer.status_code == 200
        assert answer.headers["Access-Control-Allow-Origin"] == "null"
        assert answer.headers["Access-Control-Allow-Credentials"] == "false"


def test_a_configured_origin_gets_itself_and_credentials(configured: Api) -> None:
    for origin in (ALLOWED, "https://app.example.no"):
        answer = configured.get("/v1/accounts", headers={"Origin": origin})

        assert answer.headers["Access-Control-Allow-Origin"] == origin
        assert answer.headers["Access-Control-Allow-Credentials"] == "true"
        assert "Origin" in answer.headers["Vary"]


@pytest.mark.parametrize("origin", [EVIL, "null", "*", ALLOWED + ".evil.com", "http://books.example.no"])
def test_an_origin_not_configured_is_never_reflected(configured: Api, origin: str) -> None:
    for answer in (
        configured.get("/v1/accounts", headers={"Origin": origin}),
        configured.client.get("/v1/accounts", headers={"Origin": origin}),  # a 401
    ):
        assert answer.headers["Access-Control-Allow-Origin"] == "null"
        assert answer.headers["Access-Control-Allow-Credentials"] == "false"


def test_a_preflight_from_a_configured_origin_is_answered(configured: Api) -> None:
    answer = configured.client.options(
        "/v1/transactions",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]


def test_a_preflight_from_another_origin_grants_nothing(configured: Api) -> None:
    answer = configured.client.options(
        "/v1/transactions", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )

    assert answer.status_code != 204
    assert answer.headers["Access-Control-Allow-Origin"] == "null"
    assert "Access-Control-Allow-Methods" not in answer.headers


def test_the_configuration_drops_wildcards_and_empty_entries() -> None:
    assert configured_origins(" https://a.example , ,*, null,https://b.example/ ") == frozenset(
        {"https://a.example", "https://b.example"}
    )
    assert configured_origins("") == frozenset()
