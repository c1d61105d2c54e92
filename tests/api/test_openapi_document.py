"""kontobok's own OpenAPI document says what the server answers: no 422 (kontobok answers a bad request
with 400), every error answer with its dialect's body, and a schema for every success answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from kontobok.api.app import create_app

METHODS = ("get", "put", "post", "delete", "patch")
REF = "#/components/schemas/"

#: Operations whose success answer must be documented with a schema, and its status.
SUCCESS: list[tuple[str, str, str]] = [
    ("post", "/oauth/token", "200"),
    ("get", "/v1/bankaccounts", "200"),
    ("post", "/v1/bankaccounts", "201"),
    ("get", "/v1/bankaccounts/{id}", "200"),
    ("post", "/v1/bankaccounts/{id}/balances", "201"),
    ("get", "/v1/bankaccounts/{id}/reconciliation", "200"),
    ("get", "/v1/banktransactions", "200"),
    ("post", "/v1/banktransactions", "201"),
    ("get", "/v1/banktransactions/{bankTransactionReference}", "200"),
    ("get", "/2.0/users/{userId}/accounts", "200"),
    ("get", "/2.0/users/{userId}/accounts/{accountId}/balances", "200"),
    ("get", "/2.0/users/{userId}/accounts/{accountId}/transactions", "200"),
    ("post", "/v1/transactions", "201"),
    ("get", "/v1/transactionlines", "200"),
    ("get", "/v1/accountbalances/{id}", "200"),
]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """Building the document never touches the database: an engine that is never connected will do."""
    built: dict[str, Any] = create_app(sa.create_engine("sqlite://")).openapi()
    return built


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def json_schema(response: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema


def error_model(path: str) -> str:
    if path == "/oauth/token":
        return "OAuthError"
    return "PowensError" if path.startswith("/2.0/") else "OfficeError"


def test_no_operation_declares_a_422(document: dict[str, Any]) -> None:
    assert [f"{m} {p}" for p, m, op in operations(document) if "422" in op["responses"]] == []
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "HTTPValidationError" not in str(document)


def test_every_error_answer_has_its_dialects_body(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        errors = {status for status in responses if status.startswith("4")}
        assert {"400", "414"} <= errors, f"{method} {path}"
        if operation.get("security"):
            assert {"401", "403"} <= errors, f"{method} {path}"
        if "{" in path:
            assert "404" in errors, f"{method} {path}"
        for status in errors:
            assert json_schema(responses[status]) == {"$ref": REF + error_model(path)}, (method, path, status)


def test_writes_declare_conflicts_and_busy_books(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if method == "post" and path != "/oauth/token":
            assert {"409", "503"} <= set(operation["responses"]), f"{method} {path}"
            assert "Retry-After" in operation["responses"]["503"]["headers"]


def test_the_token_endpoint_declares_throttling(document: dict[str, Any]) -> None:
    responses = document["paths"]["/oauth/token"]["post"]["responses"]
    assert {"400", "401", "413", "429"} <= set(responses)
    assert "Retry-After" in responses["429"]["headers"]


@pytest.mark.parametrize(("method", "path", "status"), SUCCESS)
def test_success_answers_have_a_schema(document: dict[str, Any], method: str, path: str, status: str) -> None:
    schema = json_schema(document["paths"][path][method]["responses"][status])
    target = schema.get("items", schema)
    assert target.get("$ref", "").startswith(REF), schema
    assert document["components"]["schemas"][target["$ref"].removeprefix(REF)]["properties"]


def test_every_referenced_schema_exists(document: dict[str, Any]) -> None:
    text = str(document)
    names = {part.split("'")[0] for part in text.split(REF)[1:]}
    assert names <= set(document["components"]["schemas"])


def test_optional_members_are_left_out_not_null(document: dict[str, Any]) -> None:
    """The server leaves out a bank account's balance when it has none; the document must not say null."""
    account = document["components"]["schemas"]["BankAccountRead"]
    assert "balance" not in account["required"]
    assert "anyOf" not in account["properties"]["balance"]
