"""``GET /v1/accounts?query=``: the text is searched as written; LIKE's wildcards ``%`` and ``_`` and the
escape character are ordinary characters in it."""

from __future__ import annotations

import pytest

from tests.factories import Api


def numbers_found(api: Api, query: str) -> list[int]:
    answer = api.get("/v1/accounts", params={"query": query})
    assert answer.status_code == 200, answer.text
    return [account["number"] for account in answer.json()]


@pytest.mark.parametrize("query", ["%", "_", "%%", "__", "/", "\\", "1%0", "19_0", "[a-z]", "*"])
def test_wildcards_match_only_themselves(api: Api, query: str) -> None:
    # the standard chart has no name or number with these characters
    assert numbers_found(api, query) == []


def test_names_holding_the_wildcard_characters_are_found_by_them(api: Api) -> None:
    for number, name in ((6301, "Leie 100% lokaler"), (6302, "Leie_lager"), (6303, "Leie/kontor")):
        assert api.post("/v1/accounts", {"number": number, "name": name}).status_code == 201
    assert numbers_found(api, "%") == [6301]
    assert numbers_found(api, "0% l") == [6301]
    assert numbers_found(api, "_") == [6302]
    assert numbers_found(api, "/") == [6303]
    assert numbers_found(api, "leie")[-3:] == [6301, 6302, 6303]
