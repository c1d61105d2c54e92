"""Small factories for tests: organizations, API clients with tokens, and vouchers as the vendor's JSON."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import count
from types import TracebackType
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.api.scopes import ALL_SCOPES
from kontobok.store.clients import create_client
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization, create_organization

_names = count(1)


def new_organization(
    engine: sa.Engine, *, open_years: range = range(2023, 2027), fiscal_year_start_month: int = 1
) -> Organization:
    with write_transaction(engine) as connection:
        return create_organization(
            connection,
            name=f"Testfirma {next(_names)} AS",
            organization_number="923609016",
            open_years=open_years,
            fiscal_year_start_month=fiscal_year_start_month,
        )


def line(account: int, amount: Any, tax: int = 0, **extra: Any) -> dict[str, Any]:
    """One ``TransactionLine`` of the vendor's ``TransactionInput``."""
    return {"accountNumber": account, "amount": amount, "tax": {"number": tax}, **extra}


BBAN = "86011117947"


def bank_account_body(**overrides: Any) -> dict[str, Any]:
    """A valid ``BankAccountRequestPost`` for the organization's NOK account; ``overrides`` replace top-level
    fields."""
    body: dict[str, Any] = {
        "type": "bban",
        "number": BBAN,
        "bic": "DNBANOKKXXX",
        "name": "Driftskonto",
        "owner": {
            "name": "Testfirma AS",
            "organizationNumber": "923609016",
            "contact": {"name": "Kari Nordmann", "email": "kari@example.no"},
        },
        "ledgerAccount": {"number": 1920},
    }
    body.update(overrides)
    return body


def voucher(day: str, *lines: dict[str, Any], type_number: int = 6, **extra: Any) -> dict[str, Any]:
    """A ``TransactionInput`` posted on ``day``."""
    return {"transactionTypeNumber": type_number, "date": day, "lines": list(lines), **extra}


class Api:
    """A client of the real ASGI app holding a bearer token for one organization."""

    def __init__(self, client: TestClient, organization: Organization, token: str) -> None:
        self.client = client
        self.organization = organization
        self.token = token

    @classmethod
    def for_organization(
        cls, engine: sa.Engine, organization: Organization, scopes: Iterable[str] = ALL_SCOPES
    ) -> Api:
        with write_transaction(engine) as connection:
            credentials = create_client(connection, organization.organization_id, frozenset(scopes))
        client = TestClient(create_app(engine), raise_server_exceptions=False)
        answer = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
        )
        assert answer.status_code == 200, answer.text
        return cls(client, organization, answer.json()["access_token"])

    def __enter__(self) -> Api:
        self.client.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.client.__exit__(kind, error, trace)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        answer: httpx.Response = self.client.get(path, headers=headers, **kwargs)
        return answer

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        answer: httpx.Response = self.client.post(path, json=body, headers=headers, **kwargs)
        return answer

    def post_voucher(self, body: dict[str, Any], **kwargs: Any) -> str:
        """Post a voucher that must be accepted; return its transaction id."""
        answer = self.post("/v1/transactions", body, **kwargs)
        assert answer.status_code == 201, answer.text
        transaction_id: str = answer.json()["transactionId"]
        return transaction_id

    def account_id(self, number: int) -> int:
        answer = self.get("/v1/accounts", params={"query": str(number)})
        assert answer.status_code == 200, answer.text
        return next(int(a["id"]) for a in answer.json() if a["number"] == number)

    def balances(self, number: int, date_from: str, date_to: str, **params: Any) -> list[dict[str, Any]]:
        """The ``balances`` of ``/v1/accountbalances/{id}`` for the account with ``number``."""
        answer = self.get(
            f"/v1/accountbalances/{self.account_id(number)}",
            params={"dateFrom": date_from, "dateTo": date_to, **params},
        )
        assert answer.status_code == 200, answer.text
        records = answer.json()
        assert len(records) == 1
        result: list[dict[str, Any]] = records[0]["balances"]
        return result
