"""Failed-login throttling on ``POST /oauth/token``, and client secrets stored only as hashes.

The throttle's clock is injected, so the window passes without sleeping. Limits: 5 failures per client id
from one address and 20 per address within 60 s; then 429 ``too_many_requests`` with ``Retry-After`` from
that address until the oldest failure is 60 s old. Another address is never locked out by them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kontobok.api.app import create_app
from kontobok.api.scopes import ALL_SCOPES
from kontobok.api.throttle import ADDRESS_FAILURES, CLIENT_FAILURES, WINDOW_SECONDS, LoginThrottle
from kontobok.cli import app as cli
from kontobok.store.clients import ClientCredentials, create_client
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.schema import api_clients


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(engine: sa.Engine, clock: Clock) -> FastAPI:
    return create_app(engine, login_throttle=LoginThrottle(clock=clock))


@pytest.fixture
def http(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.1", 40000)) as client:
        yield client


def from_address(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def new_client(engine: sa.Engine, organization: Organization) -> ClientCredentials:
    with write_transaction(engine) as connection:
        return create_client(connection, organization.organization_id, ALL_SCOPES)


def login(http: TestClient, client: ClientCredentials, secret: str | None = None) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret if secret is None else secret,
    }
    answer: httpx.Response = http.post("/oauth/token", data=form)
    return answer


def wrong(http: TestClient, client: ClientCredentials) -> httpx.Response:
    return login(http, client, secret="not-the-secret")


def assert_throttled(answer: httpx.Response, retry_after: int | None = None) -> None:
    assert answer.status_code == 429, answer.text
    body = answer.json()
    assert body["error"] == "too_many_requests"
    assert isinstance(body["error_description"], str)
    assert "access_token" not in body
    assert int(answer.headers["Retry-After"]) >= 1
    if retry_after is not None:
        assert answer.headers["Retry-After"] == str(retry_after)
    assert answer.headers["X-Trace-Id"]
    # no allowed origin is configured: the CORS pair is there and grants nothing
    assert answer.headers["Access-Control-Allow-Origin"] == "null"
    assert answer.headers["Access-Control-Allow-Credentials"] == "false"


def test_five_wrong_secrets_then_429_even_with_the_right_one_until_the_window_passes(
    http: TestClient, engine: sa.Engine, organization: Organization, clock: Clock
) -> None:
    client = new_client(engine, organization)

    for _ in range(CLIENT_FAILURES):
        assert wrong(http, client).status_code == 401
        clock.advance(1)

    # the first failure was 5 s ago: the window closes 55 s from now
    assert_throttled(wrong(http, client), retry_after=55)
    assert_throttled(login(http, client), retry_after=55)
    clock.advance(54.5)
    assert_throttled(login(http, client), retry_after=1)
    clock.advance(0.5)
    answer = login(http, client)
    assert answer.status_code == 200, answer.text
    assert answer.json()["access_token"]


def test_refused_attempts_do_not_count_or_extend_the_wait(
    http: TestClient, engine: sa.Engine, organization: Organization, clock: Clock
) -> None:
    client = new_client(engine, organization)
    for _ in range(CLIENT_FAILURES):
        wrong(http, client)

    for _ in range(30):
        assert_throttled(wrong(http, client))
        clock.advance(1)
    assert_throttled(wrong(http, client), retry_after=30)
    clock.advance(30)

    assert login(http, client).status_code == 200


def test_the_window_slides(
    http: TestClient, engine: sa.Engine, organization: Organization, clock: Clock
) -> None:
    client = new_client(engine, organization)
    for _ in range(CLIENT_FAILURES):
        wrong(http, client)
        clock.advance(10)  # failures at 0, 10, 20, 30, 40; now 50

    assert_throttled(login(http, client), retry_after=10)
    clock.advance(10)  # the failure at 0 has left the window; four remain
    assert wrong(http, client).status_code == 401
    assert_throttled(login(http, client), retry_after=10)


def test_another_client_is_not_throttled_by_the_first_ones_failures(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    attacked, other = new_client(engine, organization), new_client(engine, organization)
    for _ in range(CLIENT_FAILURES):
        wrong(http, attacked)

    assert_throttled(login(http, attacked))
    assert login(http, other).status_code == 200


def test_an_attacker_hammering_a_client_id_does_not_lock_the_client_out_elsewhere(
    app: FastAPI, engine: sa.Engine, organization: Organization
) -> None:
    client = new_client(engine, organization)
    with from_address(app, "203.0.113.66") as attacker:
        for _ in range(3 * ADDRESS_FAILURES):
            attacker_answer = wrong(attacker, client)
        with from_address(app, "198.51.100.7") as real:
            for _ in range(3):
                assert login(real, client).status_code == 200
        # the attacker is still throttled, the right secret included
        assert_throttled(attacker_answer)
        assert_throttled(login(attacker, client))


def test_failures_spread_over_addresses_do_not_throttle_a_client(
    app: FastAPI, engine: sa.Engine, organization: Organization
) -> None:
    client = new_client(engine, organization)
    for number in range(2 * CLIENT_FAILURES):
        with from_address(app, f"198.51.100.{number}") as http:
            assert wrong(http, client).status_code == 401

    with from_address(app, "198.51.100.200") as http:
        assert login(http, client).status_code == 200


def test_a_flood_from_one_address_across_many_client_ids_is_throttled(
    app: FastAPI, engine: sa.Engine, organization: Organization
) -> None:
    client = new_client(engine, organization)
    with from_address(app, "203.0.113.9") as flood:
        for number in range(ADDRESS_FAILURES):
            guess = ClientCredentials(f"kb{organization.organization_id}_{number:016x}", "guess")
            assert login(flood, guess).status_code == 401
        # no client id has failed more than once, but the address has
        assert_throttled(login(flood, client))
    with from_address(app, "203.0.113.10") as elsewhere:
        assert login(elsewhere, client).status_code == 200


def test_one_clients_failures_do_not_throttle_its_address(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    clients = [new_client(engine, organization) for _ in range(4)]
    for client in clients[:3]:
        for _ in range(CLIENT_FAILURES):
            assert wrong(http, client).status_code == 401

    # 15 failures from this address, under its limit of 20
    assert login(http, clients[3]).status_code == 200


def test_a_success_resets_the_clients_count(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    client = new_client(engine, organization)
    for _ in range(CLIENT_FAILURES - 1):
        assert wrong(http, client).status_code == 401

    assert login(http, client).status_code == 200

    for _ in range(CLIENT_FAILURES):
        assert wrong(http, client).status_code == 401
    assert_throttled(login(http, client))


def test_a_success_does_not_reset_the_addresses_count(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    mine = new_client(engine, organization)
    for number in range(ADDRESS_FAILURES - 1):
        guess = ClientCredentials(f"kb{organization.organization_id}_{number:016x}", "guess")
        assert login(http, guess).status_code == 401
    assert login(http, mine).status_code == 200
    assert wrong(http, new_client(engine, organization)).status_code == 401

    assert_throttled(login(http, mine))


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"grant_type": "password", "client_secret": "s"}, id="grant-type"),
        pytest.param({"grant_type": "client_credentials"}, id="no-secret"),
    ],
)
def test_malformed_requests_are_400_and_do_not_count(
    http: TestClient, engine: sa.Engine, organization: Organization, form: dict[str, str]
) -> None:
    client = new_client(engine, organization)
    for _ in range(2 * ADDRESS_FAILURES):
        assert http.post("/oauth/token", data={"client_id": client.client_id, **form}).status_code == 400

    assert login(http, client).status_code == 200


def test_the_throttles_memory_is_bounded(clock: Clock) -> None:
    throttle = LoginThrottle(max_keys=100, clock=clock)

    for number in range(1000):
        throttle.failed(f"client-{number}", f"10.0.{number // 256}.{number % 256}")
        throttle.failed("x" * 10_000 + str(number), "10.9.9.9")

    assert throttle.tracked() == (100, 100)
    # the most recent keys are the ones kept
    for _ in range(CLIENT_FAILURES - 1):
        throttle.failed("client-999", "10.0.3.231")
    assert throttle.retry_after("client-999", "10.0.3.231") == WINDOW_SECONDS
    assert throttle.retry_after("client-999", "10.0.3.232") is None
    assert throttle.retry_after("client-0", "10.0.0.0") is None


def test_expired_failures_are_forgotten(clock: Clock) -> None:
    throttle = LoginThrottle(clock=clock)
    throttle.failed("client", "10.0.0.1")

    clock.advance(WINDOW_SECONDS)

    assert throttle.retry_after("client", "10.0.0.1") is None
    assert throttle.tracked() == (0, 0)


# --- secrets at rest ----------------------------------------------------------------------------------------


def test_client_secrets_are_stored_hashed(engine: sa.Engine, organization: Organization) -> None:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        cli, ["client", "create", "--organization", str(organization.organization_id), "--database-url", url]
    )
    assert result.exit_code == 0, (result.output, result.exception)
    printed = json.loads(result.stdout)
    secret = printed["client_secret"]
    assert len(secret) >= 43  # 256 bits, URL-safe base64

    with engine.connect() as connection:
        row = connection.execute(
            sa.select(api_clients).where(api_clients.c.client_id == printed["client_id"])
        ).one()

    values: dict[str, Any] = dict(row._mapping)
    assert not any(secret in str(value) for value in values.values())
    assert values["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    with TestClient(create_app(engine), raise_server_exceptions=False) as http:
        answer = http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": printed["client_id"],
                "client_secret": secret,
            },
        )
        assert answer.status_code == 200, answer.text
        # the stored hash does not log in as the secret
        as_secret = http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": printed["client_id"],
                "client_secret": values["secret_hash"],
            },
        )
        assert as_secret.status_code == 401
