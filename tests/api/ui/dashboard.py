"""A browser-like client of the dashboard through the real ASGI app: keeps cookies, reads form tokens."""

from __future__ import annotations

import re
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.api.scopes import ALL_SCOPES
from kontobok.store.clients import ClientCredentials, create_client
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def new_client(
    engine: sa.Engine, organization: Organization, scopes: frozenset[str] = ALL_SCOPES
) -> ClientCredentials:
    with write_transaction(engine) as connection:
        return create_client(connection, organization.organization_id, scopes)


def csrf_token(page: str) -> str:
    found = _TOKEN.search(page)
    assert found is not None, page
    return found.group(1)


class Dashboard:
    """``https://testserver``, so that the client sends the ``Secure`` session cookie back."""

    def __init__(self, engine: sa.Engine, app: Any = None) -> None:
        self.client = TestClient(
            app or create_app(engine), base_url="https://testserver", raise_server_exceptions=False
        )
        self.token = ""

    def log_in(self, credentials: ClientCredentials, **extra: str) -> httpx.Response:
        page = self.client.get("/ui/login")
        assert page.status_code == 200, page.text
        answer: httpx.Response = self.client.post(
            "/ui/login",
            data={
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
                "csrf_token": csrf_token(page.text),
                **extra,
            },
            follow_redirects=False,
        )
        if answer.status_code == 303:
            self.token = csrf_token(self.get("/ui/import").text)
        return answer

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        answer: httpx.Response = self.client.get(path, follow_redirects=False, **kwargs)
        return answer

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        answer: httpx.Response = self.client.post(path, follow_redirects=False, **kwargs)
        return answer
