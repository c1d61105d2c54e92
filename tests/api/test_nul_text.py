"""The NUL character in any text of a JSON body: a 400 naming the field, in the vendor's format, and nothing
stored, on SQLite and PostgreSQL alike (PostgreSQL cannot store NUL, SQLite would)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Api, bank_account_body, line, voucher

RANGE = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}


def string_fields(document: Any, pointer: str = "") -> Iterator[str]:
    """The JSON pointer of every string value in ``document``."""
    if isinstance(document, str):
        yield pointer
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from string_fields(value, f"{pointer}/{key}")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from string_fields(value, f"{pointer}/{index}")


def with_nul(document: Any, pointer: str, where: int = 0, text: str | None = None) -> Any:
    """A copy of ``document`` whose string at ``pointer`` (or ``text`` in its place) has a NUL inserted at
    ``where``."""
    changed = copy.deepcopy(document)
    *parents, last = pointer.strip("/").split("/")
    holder = changed
    for part in parents:
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    key: Any = int(last) if isinstance(holder, list) else last
    value = holder[key] if text is None else text
    holder[key] = value[:where] + "\x00" + value[where:]
    return changed


VOUCHER = voucher(
    "2024-03-01",
    line(1920, 10, comment="Innbetaling", invoice={"number": "F-1", "remittanceReference": "12345678903"}),
    line(3000, -10, dimensions=[{"dimensionType": 1, "value": "Avdeling"}]),
    comment="Salg",
)
BODIES: list[tuple[str, dict[str, Any]]] = [
    ("/v1/transactions", VOUCHER),
    ("/v1/accounts", {"number": 1930, "name": "Bank 2"}),
    ("/v1/bankaccounts", bank_account_body()),
    ("/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["transaction.posted"]}),
]
CASES = [(path, pointer) for path, body in BODIES for pointer in string_fields(body)]


def changes(api: Api) -> list[Any]:
    answer = api.get("/v1/events", params={"limit": 100})
    assert answer.status_code == 200, answer.text
    events: list[Any] = answer.json()["events"]
    return events


@pytest.mark.parametrize(("path", "pointer"), CASES, ids=[f"{p}{q}" for p, q in CASES])
def test_nul_in_any_text_field_is_a_400_naming_it(api: Api, path: str, pointer: str) -> None:
    body = dict(BODIES)[path]
    before = changes(api)
    answer = api.post(path, with_nul(body, pointer, 1))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["name"] == "ValidationError"
    assert error["payload"]["validationErrors"] == [
        {"path": pointer, "keyword": "format", "message": "must not contain the NUL character"}
    ]
    assert pointer in error["message"]
    assert changes(api) == before


def test_nul_in_a_key_is_refused_too(api: Api) -> None:
    answer = api.post("/v1/accounts", {"number": 1930, "name": "Bank 2", "x\x00": 1})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["payload"]["validationErrors"][0]["path"] == "/x\\u0000"


def test_a_bank_transaction_text_with_nul_stores_nothing(api: Api) -> None:
    created = api.post("/v1/bankaccounts", bank_account_body())
    assert created.status_code == 201, created.text
    body = {
        "bankTransactionReference": "REF-1",
        "type": "inbound",
        "bankAccount": {"id": created.json()["id"]},
        "paymentReference": {"type": "text", "value": "Betaling\x00 mars"},
        "amount": {"value": 100, "currency": {"code": "NOK"}},
        "date": "2024-03-04",
    }
    before = changes(api)
    answer = api.post("/v1/banktransactions", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["payload"]["validationErrors"][0]["path"] == "/paymentReference/value"
    assert changes(api) == before


def test_an_escaped_backslash_u_is_ordinary_text(api: Api) -> None:
    answer = api.post(
        "/v1/transactions", voucher("2024-03-01", line(1920, 1), line(3000, -1), comment="\\u0000")
    )
    assert answer.status_code == 201, answer.text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(list(string_fields(VOUCHER))), where=st.integers(0, 20), text=st.text(max_size=20)
)
def test_no_voucher_with_nul_is_posted(api: Api, field: str, where: int, text: str) -> None:
    body = with_nul(VOUCHER, field, min(where, len(text)), text)
    answer = api.post("/v1/transactions", body)
    assert answer.status_code == 400, answer.text
    assert api.get("/v1/transactionlines", params=RANGE).json() == []


def test_nul_in_an_idempotency_key_is_a_400(api: Api) -> None:
    body = voucher("2024-03-01", line(1920, 10), line(3000, -10))
    answer = api.post("/v1/transactions", body, headers={"Idempotency-Key": "k\x00"})
    assert answer.status_code == 400, answer.text
    assert api.get("/v1/transactionlines", params=RANGE).json() == []


def test_nul_in_a_token_form_is_a_400(api: Api) -> None:
    form = {"grant_type": "client_credentials", "client_id": "kb_\x00", "client_secret": "x\x00"}
    answer = api.client.post("/oauth/token", data=form)
    assert answer.status_code in (400, 401), answer.text
    assert "error" in answer.json()


def test_nul_in_the_dashboard_login_form_is_refused(api: Api) -> None:
    answer = api.client.post("/ui/login", data={"client_id": "kb_\x00", "client_secret": "x\x00"})
    assert answer.status_code < 500, answer.text


def test_nul_in_a_powens_filter_is_a_400_in_powens_format(api: Api) -> None:
    answer = api.get("/2.0/users/me/transactions", params={"wording": "Salg\x00"})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "invalidValue"
    assert "NUL" in body["description"] or "NUL" in body["message"]
