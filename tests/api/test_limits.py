"""Size limits on request bodies and query strings, through real HTTP and at the ASGI level.

A body over the limit is a 413 whether it announces its length or streams without one; a query string over
8 KiB is a 414. Refusals come in the error body of the dialect that was called, carry ``X-Trace-Id`` like
every answer, and store nothing. The largest 1000-line voucher the schema accepts still posts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from kontobok.api.app import create_app
from kontobok.api.limits import (
    DEFAULT_MAX_BODY,
    MAX_QUERY,
    TOKEN_MAX_BODY,
    VOUCHER_MAX_BODY,
    MiB,
    RequestLimitsMiddleware,
)
from kontobok.api.middleware import VendorHeadersMiddleware
from kontobok.store.organizations import Organization
from kontobok.store.schema import accounts, idempotency_keys, transaction_lines, vouchers
from tests.factories import Api, line, voucher

SALE = voucher("2024-03-05", line(1920, 100), line(3000, -100))
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def http(engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client


def padded(body: Any, size: int) -> bytes:
    """``body`` as JSON followed by whitespace up to ``size`` bytes: still a valid JSON document."""
    text = json.dumps(body).encode()
    return text + b" " * (size - len(text))


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    """A generator body: httpx sends it chunked, without ``Content-Length``."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def stored(engine: sa.Engine, organization: Organization) -> dict[str, int]:
    counts = {}
    with engine.connect() as connection:
        for table in (vouchers, transaction_lines, accounts, idempotency_keys):
            counts[table.name] = connection.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.organization_id == organization.organization_id)
            ).scalar_one()
    return counts


def assert_vendor_error(answer: httpx.Response, status: int, name: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["error"]["name"] == name
    assert isinstance(body["error"]["message"], str)
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    # no origin is configured: the pair is present and grants nothing (see test_cors.py)
    assert answer.headers["Access-Control-Allow-Origin"] == "null"
    assert answer.headers["Access-Control-Allow-Credentials"] == "false"


def assert_powens_error(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"code", "description", "message", "request_id"}
    assert body["code"] == code
    assert body["request_id"] == answer.headers["X-Trace-Id"]


# --- bodies over the limit ----------------------------------------------------------------------------------


def test_a_2_mib_json_body_is_a_413_in_the_vendor_shape_and_stores_nothing(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    before = stored(engine, organization)
    # a valid account, padded with whitespace: without the limit it would be created
    body = padded({"number": 1930, "name": "Bank 2"}, 2 * MiB)

    answer = api.client.post(
        "/v1/accounts", content=body, headers={**api.auth, **JSON, "Idempotency-Key": "big-1"}
    )

    assert_vendor_error(answer, 413, "PayloadTooLargeError")
    assert answer.headers["Connection"] == "close"
    assert stored(engine, organization) == before
    assert 1930 not in {account["number"] for account in api.get("/v1/accounts").json()}
    # the same account padded to exactly the limit is created: it was the size that was refused
    at_limit = padded({"number": 1930, "name": "Bank 2"}, DEFAULT_MAX_BODY)
    assert api.client.post("/v1/accounts", content=at_limit, headers={**api.auth, **JSON}).status_code == 201


def test_a_voucher_over_its_limit_is_a_413_and_stores_nothing(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    before = stored(engine, organization)

    answer = api.client.post(
        "/v1/transactions", content=padded(SALE, VOUCHER_MAX_BODY + 1), headers={**api.auth, **JSON}
    )

    assert_vendor_error(answer, 413, "PayloadTooLargeError")
    assert stored(engine, organization) == before


def test_a_chunked_body_without_a_length_is_counted_and_refused(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    before = stored(engine, organization)
    body = padded(SALE, VOUCHER_MAX_BODY + 1)

    answer = api.client.post(
        "/v1/transactions", content=chunks(body), headers={**api.auth, **JSON, "Idempotency-Key": "big-2"}
    )

    assert answer.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in answer.request.headers
    assert_vendor_error(answer, 413, "PayloadTooLargeError")
    assert stored(engine, organization) == before
    # the same voucher without the padding posts, so it was the size that was refused
    assert api.post("/v1/transactions", SALE).status_code == 201


def test_a_chunked_body_under_the_limit_posts(api: Api) -> None:
    answer = api.client.post(
        "/v1/transactions", content=chunks(padded(SALE, 2 * MiB)), headers={**api.auth, **JSON}
    )

    assert answer.status_code == 201, answer.text


def _largest_line(index: int) -> dict[str, Any]:
    """A line with every field the vendor's ``TransactionLine`` has, each string at its maximum length."""
    sign = 1 if index % 2 == 0 else -1
    return {
        "accountNumber": 1920 if sign > 0 else 3000,
        "amount": sign * 123456789.12,
        "tax": {"number": 0},
        "comment": f"{index:04d}" + "k" * 71,
        "date": "2024-03-05",
        "periodDate": "2024-03-05",
        "currency": {"code": "EUR", "rate": 11.1234567891},
        "dimensions": [{"dimensionType": kind, "value": "d" * 100} for kind in range(1, 11)],
        "invoice": {
            "dueDate": "2024-04-05",
            "number": "n" * 50,
            "remittanceReference": "r" * 32,
            "bankAccount": "b" * 50,
        },
    }


def test_the_largest_1000_line_voucher_still_posts(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    body = voucher("2024-03-05", *(_largest_line(i) for i in range(1000)), comment="c" * 75)
    data = json.dumps(body).encode()
    # more than the default limit, well under the voucher's own
    assert DEFAULT_MAX_BODY < len(data) < VOUCHER_MAX_BODY // 2

    answer = api.client.post("/v1/transactions", content=data, headers={**api.auth, **JSON})

    assert answer.status_code == 201, answer.text
    assert stored(engine, organization)["transaction_lines"] == 1000


def test_an_ordinary_1000_line_voucher_is_far_under_the_default_limit(api: Api) -> None:
    lines = [line(1920 if i % 2 == 0 else 3000, 1500.5 if i % 2 == 0 else -1500.5) for i in range(1000)]
    body = voucher("2024-03-05", *lines, comment="Dagsoppgjør")

    assert len(json.dumps(body)) < DEFAULT_MAX_BODY // 8
    assert api.post("/v1/transactions", body).status_code == 201


def test_the_token_endpoint_answers_a_large_form_in_rfc_6749_shape(http: TestClient) -> None:
    form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "s" * TOKEN_MAX_BODY}

    answer = http.post("/oauth/token", data=form)

    assert answer.status_code == 413, answer.text
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert isinstance(body["error_description"], str)
    assert answer.headers["X-Trace-Id"]


def test_powens_paths_answer_a_large_body_in_powens_shape(api: Api) -> None:
    answer = api.client.request(
        "GET", "/2.0/users/me/accounts", content=b"x" * (DEFAULT_MAX_BODY + 1), headers=api.auth
    )

    assert_powens_error(answer, 413, "payloadTooLarge")


# --- query strings ------------------------------------------------------------------------------------------


def test_a_query_string_over_8_kib_is_a_414_in_the_vendor_shape(api: Api) -> None:
    answer = api.get("/v1/accounts", params={"query": "9" * MAX_QUERY})

    assert_vendor_error(answer, 414, "UriTooLongError")


def test_a_query_string_at_the_limit_is_answered(api: Api) -> None:
    query = "query=1920&unused=" + "9" * (MAX_QUERY - len("query=1920&unused="))

    answer = api.get(f"/v1/accounts?{query}")

    assert len(answer.request.url.query) == MAX_QUERY
    assert answer.status_code == 200, answer.text
    assert [account["number"] for account in answer.json()] == [1920]


def test_a_long_query_is_refused_before_authentication(http: TestClient) -> None:
    answer = http.get("/v1/transactionlines", params={"dateFrom": "2024-01-01", "x": "y" * MAX_QUERY})

    assert_vendor_error(answer, 414, "UriTooLongError")


def test_powens_paths_answer_a_long_query_in_powens_shape(api: Api) -> None:
    answer = api.get("/2.0/users/me/accounts", params={"x": "y" * MAX_QUERY})

    assert_powens_error(answer, 414, "uriTooLong")


# --- the middleware on its own ------------------------------------------------------------------------------


class Reader:
    """An application that reads its whole body, as FastAPI does, and answers how much it got."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        size = 0
        more = True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = str(size).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


class Swallower(Reader):
    """An application that turns any failure to read its body into an answer of its own (FastAPI's 400)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"bad body"})


def call(
    inner: Reader, parts: list[bytes], *, length: int | None = None, path: str = "/v1/x", limit: int = 100
) -> tuple[int, dict[str, str], bytes, int]:
    """Run one request through the limits; return status, headers, body and how many parts were read."""
    app = VendorHeadersMiddleware(RequestLimitsMiddleware(inner, max_body=limit))
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "headers": headers,
    }
    pending = list(parts)
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        read += 1
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, *bodies = sent
    assert all(message["type"] == "http.response.body" for message in bodies)
    answer_headers = {key.decode(): value.decode() for key, value in start["headers"]}
    return start["status"], answer_headers, b"".join(m.get("body", b"") for m in bodies), read


def test_a_body_exactly_at_the_limit_passes() -> None:
    status, _, body, _ = call(Reader(), [b"x" * 60, b"x" * 40], length=100)

    assert (status, body) == (200, b"100")


def test_an_announced_length_over_the_limit_is_refused_unread() -> None:
    inner = Reader()

    status, headers, body, read = call(inner, [b"x" * 101], length=101)

    assert status == 413
    assert (read, inner.calls) == (0, 0)
    assert json.loads(body)["trackingId"] == headers["x-trace-id"]


@pytest.mark.parametrize("length", [None, 10], ids=["no-length", "lying-length"])
@pytest.mark.parametrize("inner", [Reader, Swallower], ids=["raises", "swallows"])
def test_streamed_bytes_over_the_limit_are_refused(length: int | None, inner: type[Reader]) -> None:
    status, headers, body, read = call(inner(), [b"x" * 60, b"x" * 60, b"x" * 60], length=length)

    assert status == 413
    assert json.loads(body) == {
        "error": {"name": "PayloadTooLargeError", "message": "the request body is larger than 100 bytes"},
        "trackingId": headers["x-trace-id"],
    }
    assert read == 2  # stopped reading at the part that passed the limit


def test_the_limit_is_chosen_by_path() -> None:
    middleware = RequestLimitsMiddleware(Reader())

    assert middleware.body_limit("/v1/transactions") == VOUCHER_MAX_BODY
    assert middleware.body_limit("/v1/transactions/") == VOUCHER_MAX_BODY
    assert middleware.body_limit("/oauth/token") == TOKEN_MAX_BODY
    assert middleware.body_limit("/v1/accounts") == DEFAULT_MAX_BODY
    assert middleware.body_limit("/v1/transactions/0f8fad5b-d9cb-469f-a165-70867728950e/reverse") == (
        DEFAULT_MAX_BODY
    )
