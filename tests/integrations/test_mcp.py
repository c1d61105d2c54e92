"""The MCP server through the official SDK's own client: over stdio (a real ``kontobok mcp`` process) on
both backends, and over streamable HTTP with and without the organization's bearer token."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx
import httpx2
import pytest
import sqlalchemy as sa
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from kontobok.services.drafts import confirm_draft, drafts
from kontobok.store.organizations import Organization
from tests.factories import Api, bank_account_body, line, voucher


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def stdio(engine: sa.Engine, organization: Organization, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "kontobok", "mcp", "--organization", str(organization.organization_id), *extra],
        env={"KONTOBOK_DATABASE_URL": url_of(engine)},
    )


def run(session: Callable[[], Awaitable[Any]]) -> Any:
    return anyio.run(session)


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data: dict[str, Any] = result.structured_content
    return data


def test_the_read_tools_answer_exactly_over_stdio(engine: sa.Engine, api: Api) -> None:
    api.post_voucher(voucher("2024-03-01", line(1920, 1500.5), line(3000, -1500.5), comment="Salg mars"))
    api.post_voucher(voucher("2024-03-09", line(6300, 0.35, comment="Husleie"), line(1920, -0.35)))
    bank = api.post("/v1/bankaccounts", bank_account_body()).json()

    async def session() -> dict[str, Any]:
        async with Client(stdio(engine, api.organization)) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            resources = {str(item.uri) for item in (await client.list_resources()).resources}
            organization = await client.read_resource("kontobok://organization")
            return {
                "tools": tools,
                "resources": resources,
                "organization": json.loads(getattr(organization.contents[0], "text", "null")),
                "accounts": structured(await client.call_tool("list_accounts", {"query": "1920"})),
                "balances": structured(
                    await client.call_tool(
                        "account_balances",
                        {"date_from": "2024-03-01", "date_to": "2024-03-31", "account_numbers": [1920]},
                    )
                ),
                "trial": structured(
                    await client.call_tool(
                        "trial_balance", {"date_from": "2024-01-01", "date_to": "2024-12-31"}
                    )
                ),
                "lines": structured(
                    await client.call_tool(
                        "search_transaction_lines",
                        {"date_from": "2024-03-01", "date_to": "2024-03-31", "text": "husleie"},
                    )
                ),
                "bank": structured(await client.call_tool("bank_balances", {})),
                "reconciliation": structured(
                    await client.call_tool(
                        "reconciliation",
                        {"bank_account_id": bank["id"], "date_from": "2024-03-01", "date_to": "2024-03-31"},
                    )
                ),
                "bad_range": await client.call_tool(
                    "account_balances", {"date_from": "2024-03-31", "date_to": "2024-03-01"}
                ),
                "too_long": await client.call_tool(
                    "trial_balance", {"date_from": "2000-01-01", "date_to": "2024-12-31"}
                ),
                "two_years": await client.call_tool(
                    "trial_balance", {"date_from": "2024-01-01", "date_to": "2025-01-01"}
                ),
                "reversed": await client.call_tool(
                    "trial_balance", {"date_from": "2024-03-31", "date_to": "2024-03-01"}
                ),
                "too_many": await client.call_tool(
                    "search_transaction_lines",
                    {"date_from": "2024-03-01", "date_to": "2024-03-31", "limit": 201},
                ),
                "bad_day": await client.call_tool(
                    "trial_balance", {"date_from": "2024-02-30", "date_to": "2024-03-31"}
                ),
            }

    answers = run(session)
    assert answers["tools"] == {
        "list_accounts",
        "account_balances",
        "trial_balance",
        "search_transaction_lines",
        "bank_balances",
        "reconciliation",
    }
    assert answers["resources"] == {"kontobok://organization", "kontobok://chart-of-accounts"}
    assert answers["organization"]["id"] == api.organization.organization_id
    assert [item["number"] for item in answers["accounts"]["accounts"]] == [1920]
    assert answers["balances"]["accounts"] == [
        {
            "number": 1920,
            "name": answers["accounts"]["accounts"][0]["name"],
            "opening": "0",
            "change": "1500.15",
            "closing": "1500.15",
        }
    ]
    trial = answers["trial"]
    assert trial["totals"] == {"opening": "0", "debit": "1500.85", "credit": "-1500.85", "closing": "0"}
    assert {
        row["number"]: (row["opening"], row["debit"], row["credit"], row["closing"])
        for row in trial["accounts"]
    } == {
        1920: ("0", "1500.5", "-0.35", "1500.15"),
        3000: ("0", "0", "-1500.5", "-1500.5"),
        6300: ("0", "0.35", "0", "0.35"),
    }
    assert [(item["accountNumber"], item["amount"]) for item in answers["lines"]["lines"]] == [(6300, "0.35")]
    assert answers["bank"]["bankAccounts"][0]["id"] == bank["id"]
    assert answers["reconciliation"]["bankAccountId"] == bank["id"]
    for refused in ("bad_range", "too_long", "too_many", "bad_day", "two_years", "reversed"):
        assert answers[refused].is_error, refused
    two_years = answers["two_years"].content[0].text
    assert "/date_to: the report covers at most one fiscal year: date_to must be on or before 2024-12-31" in (
        two_years
    )
    assert "date_from must not be after date_to" in answers["reversed"].content[0].text


def test_without_allow_write_there_is_no_draft_tool_and_with_it_a_draft_waits_for_a_person(
    engine: sa.Engine, api: Api
) -> None:
    async def tools_of(*extra: str) -> set[str]:
        async with Client(stdio(engine, api.organization, *extra)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            if "draft_voucher" in names:
                good = await client.call_tool(
                    "draft_voucher",
                    {
                        "date": "2024-04-02",
                        "lines": [
                            {"account_number": 6300, "amount": "1200.10"},
                            {"account_number": 1920, "amount": "-1200.10"},
                        ],
                        "comment": "Husleie april",
                    },
                )
                names.add("id:" + structured(good)["id"])
                unbalanced = await client.call_tool(
                    "draft_voucher",
                    {
                        "date": "2024-04-02",
                        "lines": [
                            {"account_number": 6300, "amount": "1"},
                            {"account_number": 1920, "amount": "-2"},
                        ],
                    },
                )
                assert unbalanced.is_error
            return names

    assert "draft_voucher" not in anyio.run(tools_of)
    names = anyio.run(tools_of, "--allow-write")
    draft_id = next(name[3:] for name in names if name.startswith("id:"))
    organization_id = api.organization.organization_id
    # nothing was posted: only the draft waits
    assert (
        api.get("/v1/transactionlines", params={"dateFrom": "2024-04-01", "dateTo": "2024-05-01"}).json()
        == []
    )
    assert [item["id"] for item in drafts(engine, organization_id)] == [draft_id]
    posted = confirm_draft(engine, organization_id, draft_id)
    lines = api.get("/v1/transactionlines", params={"dateFrom": "2024-04-01", "dateTo": "2024-05-01"}).json()
    assert {line_["transaction"]["id"] for line_ in lines} == {posted["transactionId"]}
    assert sorted(line_["amount"] for line_ in lines) == [-1200.1, 1200.1]
    assert drafts(engine, organization_id) == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def http_server(engine: sa.Engine, organization: Organization) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kontobok", "mcp", "--organization", str(organization.organization_id),
         "--http", "--port", str(port), "--database-url", url_of(engine)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        for _ in range(200):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_http_needs_the_organizations_token(engine: sa.Engine, api: Api, http_server: str) -> None:
    hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    assert httpx.post(http_server, json=hello).status_code == 401
    assert (
        httpx.post(http_server, json=hello, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    )
    from tests.factories import new_organization

    with Api.for_organization(engine, new_organization(engine)) as other:
        assert httpx.post(http_server, json=hello, headers=other.auth).status_code == 401
    with Api.for_organization(engine, api.organization, scopes=["api.bank.account:read"]) as narrow:
        assert httpx.post(http_server, json=hello, headers=narrow.auth).status_code == 403

    async def session() -> set[str]:
        async with (
            httpx2.AsyncClient(headers=api.auth) as http,
            Client(streamable_http_client(http_server, http_client=http)) as client,
        ):
            listed = await client.list_tools()
            answer = structured(await client.call_tool("list_accounts", {"query": "3000"}))
            assert [item["number"] for item in answer["accounts"]] == [3000]
            return {tool.name for tool in listed.tools}

    assert "trial_balance" in anyio.run(session)
