"""OAuth2 client credentials, bearer tokens, scopes and tenancy, through real HTTP.

No, bad or expired token: 401. A token without the operation's scope: 403. Another organization's object:
404. Every answer, errors included, carries ``X-Trace-Id`` and the CORS headers (which grant nothing to an
origin that is not configured: see ``test_cors.py``).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.api.scopes import ACCOUNT_READ, ALL_SCOPES, TRANSACTION_READ
from kontobok.api.tokens import TokenClaims, issue_token
from kontobok.store.clients import ClientCredentials, create_client
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api, line, new_organization, voucher

SALE = voucher("2024-03-05", line(1920, 100), line(3000, -100))
LINES = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}


@pytest.fixture
def http(engine: sa.Engine) -> Iterator[TestClient]:
    """A bare HTTP client on the app, without any token."""
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client


def credentials(engine: sa.Engine, organization: Organization, scopes: frozenset[str]) -> ClientCredentials:
    with write_transaction(engine) as connection:
        return create_client(connection, organization.organization_id, scopes)


def token_form(client: ClientCredentials, **extra: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        **extra,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_vendor_error(answer: httpx.Response, status: int, name: str | None = None) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert isinstance(body["error"]["message"], str)
    if name is not None:
        assert body["error"]["name"] == name


def assert_oauth_error(answer: httpx.Response, status: int, error: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert "access_token" not in body


# --- the token endpoint ------------------------------------------------------------------------------------


def test_client_credentials_give_a_bearer_token(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    client = credentials(engine, organization, ALL_SCOPES)

    answer = http.post(
        "/oauth/token",
        data=token_form(client, audience="https://api.24sevenoffice.com", login_organization=""),
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == ALL_SCOPES
    assert answer.headers["Cache-Control"] == "no-store"
    assert http.get("/v1/accounts", headers=bearer(body["access_token"])).status_code == 200


def test_login_organization_must_be_the_clients(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    client = credentials(engine, organization, ALL_SCOPES)

    mine = http.post(
        "/oauth/token", data=token_form(client, login_organization=str(organization.organization_id))
    )
    other = http.post(
        "/oauth/token", data=token_form(client, login_organization=str(organization.organization_id + 1))
    )

    assert mine.status_code == 200
    assert_oauth_error(other, 400, "invalid_request")


def test_a_wrong_secret_is_invalid_client(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    client = credentials(engine, organization, ALL_SCOPES)

    answer = http.post("/oauth/token", data=token_form(client, client_secret=client.client_secret + "x"))

    assert_oauth_error(answer, 401, "invalid_client")


def test_an_unknown_client_is_invalid_client(http: TestClient) -> None:
    for client_id in ("kb999999_0123456789abcdef", "nobody"):
        answer = http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "s"},
        )
        assert_oauth_error(answer, 401, "invalid_client")


def test_another_grant_type_is_a_400(http: TestClient, engine: sa.Engine, organization: Organization) -> None:
    client = credentials(engine, organization, ALL_SCOPES)

    answer = http.post("/oauth/token", data=token_form(client, grant_type="password"))

    assert_oauth_error(answer, 400, "unsupported_grant_type")


def test_missing_credentials_are_a_400(http: TestClient) -> None:
    answer = http.post("/oauth/token", data={"grant_type": "client_credentials"})

    assert_oauth_error(answer, 400, "invalid_request")


def test_a_form_that_cannot_be_read_is_an_oauth_invalid_request(http: TestClient) -> None:
    """Found by Schemathesis: a file where a text field belongs was answered in the Office v1 error shape,
    which an OAuth2 client library cannot parse."""
    answer = http.post(
        "/oauth/token",
        data={"client_id": "a", "client_secret": "b"},
        files={"grant_type": ("grant.txt", b"client_credentials")},
    )

    assert_oauth_error(answer, 400, "invalid_request")
    assert set(answer.json()) == {"error", "error_description"}


def test_scope_narrows_the_token(http: TestClient, engine: sa.Engine, organization: Organization) -> None:
    client = credentials(engine, organization, ALL_SCOPES)

    answer = http.post("/oauth/token", data=token_form(client, scope=ACCOUNT_READ))

    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == ACCOUNT_READ
    token = answer.json()["access_token"]
    assert http.get("/v1/accounts", headers=bearer(token)).status_code == 200
    assert_vendor_error(http.get("/v1/transactionlines", params=LINES, headers=bearer(token)), 403)


def test_asking_for_a_scope_the_client_lacks_is_invalid_scope(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    client = credentials(engine, organization, frozenset({ACCOUNT_READ}))

    answer = http.post("/oauth/token", data=token_form(client, scope=f"{ACCOUNT_READ} {TRANSACTION_READ}"))

    assert_oauth_error(answer, 400, "invalid_scope")


# --- bearer tokens -----------------------------------------------------------------------------------------


def test_no_token_is_a_401(http: TestClient) -> None:
    assert_vendor_error(http.get("/v1/transactionlines", params=LINES), 401, "UnauthorizedError")
    assert_vendor_error(http.post("/v1/transactions", json=SALE), 401, "UnauthorizedError")


def _naming(organization_id: object) -> str:
    """A well-formed but unsigned token whose payload names ``organization_id``."""
    payload = base64.urlsafe_b64encode(json.dumps({"org": organization_id}).encode()).rstrip(b"=").decode()
    return f"Bearer kb1.{payload}.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer garbage", id="garbage"),
        pytest.param("Bearer ", id="empty"),
        pytest.param("Bearer kb1.e30.e30", id="no-org"),
        pytest.param("Bearer kb1..", id="empty-parts"),
        pytest.param("Bearer kb1.!!!.x", id="not-base64"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic"),
        pytest.param("garbage", id="no-scheme"),
        pytest.param(_naming(0), id="org-0"),
        pytest.param(_naming(-1), id="org-negative"),
        pytest.param(_naming("1"), id="org-string"),
        pytest.param(_naming(True), id="org-bool"),
        # beyond PostgreSQL's integer and SQLite's 64-bit integer: must not reach the database as a 500
        pytest.param(_naming(2**31), id="org-2^31"),
        pytest.param(_naming(2**40), id="org-2^40"),
        pytest.param(_naming(2**70), id="org-2^70"),
    ],
)
def test_a_garbage_token_is_a_401(http: TestClient, authorization: str) -> None:
    answer = http.get("/v1/transactionlines", params=LINES, headers={"Authorization": authorization})

    assert_vendor_error(answer, 401, "UnauthorizedError")


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def test_a_token_with_an_altered_payload_is_a_401(api: Api) -> None:
    prefix, payload, signature = api.token.split(".")

    for index in (len(payload) // 2, 1, len(payload) - 2):
        forged = f"{prefix}.{_flip(payload, index)}.{signature}"
        answer = api.client.get("/v1/transactionlines", params=LINES, headers=bearer(forged))
        assert_vendor_error(answer, 401)


def test_a_token_with_an_altered_signature_is_a_401(api: Api) -> None:
    prefix, payload, signature = api.token.split(".")

    forged = f"{prefix}.{payload}.{_flip(signature, len(signature) // 2)}"

    assert_vendor_error(api.client.get("/v1/transactionlines", params=LINES, headers=bearer(forged)), 401)


def test_a_token_moved_to_another_organization_is_a_401(api: Api, engine: sa.Engine) -> None:
    other = new_organization(engine)
    header, payload, signature = api.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["org"] = other.organization_id
    moved = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    answer = api.client.get(
        "/v1/transactionlines", params=LINES, headers=bearer(f"{header}.{moved}.{signature}")
    )

    assert_vendor_error(answer, 401)


def _client_id(token: str) -> str:
    payload = token.split(".")[1]
    client_id: str = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["cid"]
    return client_id


def test_an_expired_token_is_a_401_and_a_fresh_one_works(api: Api) -> None:
    organization = api.organization
    secret: bytes = api.client.app.state.server_secret  # type: ignore[attr-defined]
    client_id = _client_id(api.token)

    def token(expires_at: int) -> str:
        claims = TokenClaims(
            organization.organization_id, organization.key_generation, client_id, ALL_SCOPES, expires_at
        )
        return issue_token(claims, secret, now=expires_at - 60)

    expired = api.client.get(
        "/v1/transactionlines", params=LINES, headers=bearer(token(int(time.time()) - 5))
    )
    fresh = api.client.get("/v1/transactionlines", params=LINES, headers=bearer(token(int(time.time()) + 60)))

    assert_vendor_error(expired, 401)
    assert fresh.status_code == 200, fresh.text


def test_a_token_signed_with_another_key_is_a_401(api: Api) -> None:
    claims = TokenClaims(
        api.organization.organization_id, 1, _client_id(api.token), ALL_SCOPES, int(time.time()) + 60
    )

    forged = issue_token(claims, b"another server's secret, 32 bytes or more")

    assert_vendor_error(api.client.get("/v1/transactionlines", params=LINES, headers=bearer(forged)), 401)


# --- scopes and tenancy ------------------------------------------------------------------------------------


def test_a_token_without_the_scope_is_a_403_and_stores_nothing(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    with Api.for_organization(engine, organization, scopes=[ACCOUNT_READ]) as reader:
        lines = reader.get("/v1/transactionlines", params=LINES)
        post = reader.post("/v1/transactions", SALE)
        bad_post = reader.post("/v1/transactions", {"nonsense": True})
        create = reader.post("/v1/accounts", {"number": 1930, "name": "Bank 2"})
        accounts = reader.get("/v1/accounts")

    assert_vendor_error(lines, 403, "ForbiddenError")
    assert_vendor_error(post, 403, "ForbiddenError")
    assert_vendor_error(bad_post, 403, "ForbiddenError")
    assert_vendor_error(create, 403, "ForbiddenError")
    assert accounts.status_code == 200
    assert api.get("/v1/transactionlines", params=LINES).json() == []
    assert 1930 not in {account["number"] for account in api.get("/v1/accounts").json()}


def test_an_account_of_another_organization_is_not_found(api: Api, engine: sa.Engine) -> None:
    with Api.for_organization(engine, new_organization(engine)) as other:
        created = other.post("/v1/accounts", {"number": 1234, "name": "Bare hos dem"})
        assert created.status_code == 201, created.text
        theirs = created.json()["id"]
        assert other.get(f"/v1/accounts/{theirs}").status_code == 200

    answer = api.get(f"/v1/accounts/{theirs}")

    assert_vendor_error(answer, 404, "NotFoundError")
    assert "Bare hos dem" not in answer.text
    assert 1234 not in {account["number"] for account in api.get("/v1/accounts").json()}


def test_an_organization_sees_only_its_own_lines(api: Api, engine: sa.Engine) -> None:
    api.post_voucher(SALE)

    with Api.for_organization(engine, new_organization(engine)) as other:
        assert other.get("/v1/transactionlines", params=LINES).json() == []
        assert other.post("/v1/transactions", SALE).json()["number"] == 1

    assert len(api.get("/v1/transactionlines", params=LINES).json()) == 2


# --- headers on every answer -------------------------------------------------------------------------------


def _requests(api: Api, engine: sa.Engine) -> list[tuple[str, httpx.Response]]:
    client = credentials(engine, api.organization, ALL_SCOPES)
    raw = api.client
    return [
        ("token", raw.post("/oauth/token", data=token_form(client))),
        ("token-error", raw.post("/oauth/token", data=token_form(client, client_secret="wrong"))),
        ("200", api.get("/v1/accounts")),
        ("201", api.post("/v1/transactions", SALE)),
        ("400", api.post("/v1/transactions", {"lines": []})),
        ("401", raw.get("/v1/accounts")),
        ("404-path", api.get("/v1/no-such-thing")),
        ("404-object", api.get("/v1/accounts/1")),
        ("405", api.client.delete("/v1/transactions", headers=api.auth)),
        ("openapi", raw.get("/openapi.json")),
        ("health", raw.get("/health")),
    ]


def test_every_answer_carries_the_trace_and_cors_headers(api: Api, engine: sa.Engine) -> None:
    seen: dict[str, Any] = {}
    for name, answer in _requests(api, engine):
        assert answer.headers.get("X-Trace-Id"), name
        # no origin is configured by default: the pair is present and grants nothing
        assert answer.headers.get("Access-Control-Allow-Origin") == "null", name
        assert answer.headers.get("Access-Control-Allow-Credentials") == "false", name
        seen[name] = answer.status_code
        if answer.status_code >= 400 and not name.startswith("token"):
            assert answer.json()["trackingId"] == answer.headers["X-Trace-Id"], name
    assert seen == {
        "token": 200,
        "token-error": 401,
        "200": 200,
        "201": 201,
        "400": 400,
        "401": 401,
        "404-path": 404,
        "404-object": 404,
        "405": 405,
        "openapi": 200,
        "health": 200,
    }


def test_trace_ids_differ_between_requests(api: Api) -> None:
    first = api.get("/v1/accounts")
    second = api.get("/v1/accounts")

    assert first.headers["X-Trace-Id"] != second.headers["X-Trace-Id"]


def test_an_origin_that_is_not_configured_is_not_reflected(api: Api) -> None:
    answer = api.get("/v1/accounts", headers={"Origin": "https://app.example.no"})

    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "null"
    assert answer.headers["Access-Control-Allow-Credentials"] == "false"
