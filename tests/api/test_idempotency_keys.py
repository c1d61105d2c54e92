"""What an ``Idempotency-Key`` may be: 1 to 255 characters, not blank. Anything else is a 400 that stores
nothing, the key included, on every POST that takes the header."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_transactions import all_lines, sale, validation_problems
from tests.factories import Api, bank_account_body


def posts(api: Api) -> list[tuple[str, dict[str, Any] | None]]:
    """One request per write that takes an ``Idempotency-Key``."""
    original = api.post_voucher(sale())
    return [
        ("/v1/transactions", sale()),
        (f"/v1/transactions/{original}/reverse", None),
        ("/v1/accounts", {"number": 6301, "name": "Leie lokaler 2"}),
        ("/v1/fiscalyears", {"year": 2027}),
        ("/v1/bankaccounts", bank_account_body()),
    ]


@pytest.mark.parametrize("key", ["", " ", "\t", "   "])
def test_an_empty_or_blank_key_is_a_400_and_stores_nothing(api: Api, key: str) -> None:
    for path, body in posts(api):
        problems = validation_problems(api.post(path, body, headers={"Idempotency-Key": key}))
        assert [p["path"] for p in problems] == ["/Idempotency-Key"], (path, problems)
    assert len(all_lines(api)) == 2  # the one voucher posted by ``posts``, not reversed
    assert [item["number"] for item in api.get("/v1/accounts", params={"query": "6301"}).json()] == []
    assert api.get("/v1/bankaccounts").json() == []
    # the same requests without the header go through: nothing was half-done
    for path, body in posts(api)[1:]:
        assert api.post(path, body).status_code in (200, 201), path


def test_a_key_of_255_characters_is_kept_and_256_are_a_400(api: Api) -> None:
    longest = {"Idempotency-Key": "k" * 255}
    first = api.post("/v1/transactions", sale(), headers=longest)
    again = api.post("/v1/transactions", sale(), headers=longest)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"

    problems = validation_problems(
        api.post("/v1/transactions", sale(), headers={"Idempotency-Key": "k" * 256})
    )
    assert [p["path"] for p in problems] == ["/Idempotency-Key"]
    assert len(all_lines(api)) == 2
