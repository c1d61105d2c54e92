"""Revoking a client and rotating an organization's key take effect on the next request, in every process.

``kontobok client revoke`` and ``kontobok org rotate-key`` only write to the database; a server checks every
token against it, so the change reaches a server in another process at once. ``kontobok client list`` shows
the clients, never their secrets.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kontobok.api.app import create_app
from kontobok.api.scopes import ACCOUNT_READ, ALL_SCOPES
from kontobok.bench.server import running_server
from kontobok.cli import app as cli
from kontobok.store.clients import ClientCredentials, create_client
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.schema import api_clients
from tests.factories import new_organization


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run(engine: sa.Engine, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--database-url", url_of(engine)])
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def new_client(
    engine: sa.Engine, organization: Organization, scopes: frozenset[str] = ALL_SCOPES
) -> ClientCredentials:
    with write_transaction(engine) as connection:
        return create_client(connection, organization.organization_id, scopes)


def get_token(http: httpx.Client | TestClient, client: ClientCredentials) -> httpx.Response:
    answer: httpx.Response = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )
    return answer


def accounts(http: httpx.Client | TestClient, token: str) -> httpx.Response:
    answer: httpx.Response = http.get("/v1/accounts", headers={"Authorization": f"Bearer {token}"})
    return answer


def token_of(http: httpx.Client | TestClient, client: ClientCredentials) -> str:
    answer = get_token(http, client)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def assert_unauthorized(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["name"] == "UnauthorizedError"


@pytest.fixture
def http(engine: sa.Engine) -> Any:
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client


def test_a_revoked_clients_tokens_fail_at_once_and_it_gets_no_new_one(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    revoked, kept = new_client(engine, organization), new_client(engine, organization)
    tokens = [token_of(http, revoked), token_of(http, revoked)]
    kept_token = token_of(http, kept)
    assert all(accounts(http, token).status_code == 200 for token in tokens)

    printed = run(
        engine,
        "client",
        "revoke",
        "--organization",
        str(organization.organization_id),
        "--client-id",
        revoked.client_id,
    )

    assert printed == {"client_id": revoked.client_id, "revoked": True}
    for token in tokens:
        assert_unauthorized(accounts(http, token))
    refused = get_token(http, revoked)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert accounts(http, kept_token).status_code == 200


def test_revoking_an_unknown_client_or_another_organizations_fails_and_changes_nothing(
    engine: sa.Engine, organization: Organization
) -> None:
    other = new_organization(engine)
    theirs = new_client(engine, other)
    url = url_of(engine)

    for client_id in (theirs.client_id, "kb1_0000000000000000", "nobody"):
        result = CliRunner().invoke(
            cli,
            [
                "client",
                "revoke",
                "--organization",
                str(organization.organization_id),
                "--client-id",
                client_id,
                "--database-url",
                url,
            ],
        )
        assert result.exit_code != 0
    with engine.connect() as connection:
        revoked = connection.execute(
            sa.select(api_clients.c.revoked_at).where(api_clients.c.client_id == theirs.client_id)
        ).scalar_one()
    assert revoked is None


def test_rotating_the_key_invalidates_every_token_of_the_organization_only(
    http: TestClient, engine: sa.Engine, organization: Organization
) -> None:
    first, second = new_client(engine, organization), new_client(engine, organization)
    other_organization = new_organization(engine)
    bystander = token_of(http, new_client(engine, other_organization))
    old = [token_of(http, first), token_of(http, second)]

    printed = run(engine, "org", "rotate-key", "--organization", str(organization.organization_id))

    assert printed == {"id": organization.organization_id, "keyGeneration": organization.key_generation + 1}
    for token in old:
        assert_unauthorized(accounts(http, token))
    fresh = token_of(http, first)
    assert accounts(http, fresh).status_code == 200
    assert fresh.split(".")[0] != old[0].split(".")[0]  # the kid names the new generation
    assert accounts(http, bystander).status_code == 200


def test_rotating_the_key_of_an_unknown_organization_fails(engine: sa.Engine) -> None:
    result = CliRunner().invoke(
        cli, ["org", "rotate-key", "--organization", "999999999", "--database-url", url_of(engine)]
    )

    assert result.exit_code != 0


def test_client_list_shows_clients_and_never_a_secret(engine: sa.Engine, organization: Organization) -> None:
    reader = new_client(engine, organization, frozenset({ACCOUNT_READ}))
    revoked = new_client(engine, organization)
    run(
        engine,
        "client",
        "revoke",
        "--organization",
        str(organization.organization_id),
        "--client-id",
        revoked.client_id,
    )
    with engine.connect() as connection:
        hashes = (
            connection.execute(
                sa.select(api_clients.c.secret_hash).where(
                    api_clients.c.organization_id == organization.organization_id
                )
            )
            .scalars()
            .all()
        )

    result = CliRunner().invoke(
        cli,
        [
            "client",
            "list",
            "--organization",
            str(organization.organization_id),
            "--database-url",
            url_of(engine),
        ],
    )

    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    by_id = {client["client_id"]: client for client in listed}
    assert set(by_id) == {reader.client_id, revoked.client_id}
    assert all(set(client) == {"client_id", "scopes", "created", "revoked"} for client in listed)
    assert by_id[reader.client_id]["scopes"] == [ACCOUNT_READ]
    assert by_id[reader.client_id]["revoked"] is None
    assert by_id[revoked.client_id]["revoked"] is not None
    for secret in (reader.client_secret, revoked.client_secret, *hashes):
        assert secret not in result.output


def test_revocation_and_rotation_reach_a_server_in_another_process(
    engine: sa.Engine, organization: Organization
) -> None:
    """A real ``kontobok serve``: no cache of its own keeps a revoked client's token alive."""
    revoked, kept = new_client(engine, organization), new_client(engine, organization)
    organization_id = str(organization.organization_id)
    with running_server(url_of(engine)) as server, httpx.Client(base_url=server.base_url, timeout=30) as http:
        revoked_token, kept_token = token_of(http, revoked), token_of(http, kept)
        assert accounts(http, revoked_token).status_code == 200
        assert accounts(http, kept_token).status_code == 200

        run(engine, "client", "revoke", "--organization", organization_id, "--client-id", revoked.client_id)

        assert_unauthorized(accounts(http, revoked_token))
        assert get_token(http, revoked).status_code == 401
        assert accounts(http, kept_token).status_code == 200

        run(engine, "org", "rotate-key", "--organization", organization_id)

        assert_unauthorized(accounts(http, kept_token))
        assert accounts(http, token_of(http, kept)).status_code == 200
    assert server.log_problems == ()
