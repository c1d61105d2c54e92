"""Access tokens as JWTs whose keys never live in the database, and bearers that are garbage.

Whoever can read every table of the database (the SQLite file, a PostgreSQL backup) must not be able to
make a token the server accepts; a malformed bearer of any shape is a 401 in the vendor's error shape.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontobok.api.scopes import ALL_SCOPES
from kontobok.api.tokens import LIFETIME_SECONDS, TokenClaims, issue_token, key_id, organization_key
from kontobok.store.schema import metadata, organizations
from tests.factories import Api, new_organization

LINES = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}


def secret_of(api: Api) -> bytes:
    secret: bytes = api.client.app.state.server_secret  # type: ignore[attr-defined]
    return secret


def claims_of(token: str) -> dict[str, Any]:
    payload: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return payload


def fetch(api: Api, token: str) -> httpx.Response:
    answer: httpx.Response = api.client.get(
        "/v1/transactionlines", params=LINES, headers={"Authorization": f"Bearer {token}"}
    )
    return answer


def assert_unauthorized(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["error"]["name"] == "UnauthorizedError"
    assert body["trackingId"] == answer.headers["X-Trace-Id"]


def good_claims(api: Api, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "org": api.organization.organization_id,
        "cid": claims_of(api.token)["cid"],
        "scope": " ".join(sorted(ALL_SCOPES)),
        "iat": now,
        "exp": now + 600,
        "jti": "a" * 32,
    }
    claims.update(overrides)
    return claims


def sign(api: Api, claims: dict[str, Any], *, key: bytes | None = None, **header: Any) -> str:
    organization = api.organization
    real_key = organization_key(secret_of(api), organization.organization_id, organization.key_generation)
    headers = {"kid": key_id(organization.organization_id, organization.key_generation), **header}
    return jwt.encode(claims, real_key if key is None else key, algorithm="HS256", headers=headers)


# --- the format ---------------------------------------------------------------------------------------------


def test_a_token_is_an_hs256_jwt_naming_its_key(api: Api) -> None:
    header = jwt.get_unverified_header(api.token)
    claims = claims_of(api.token)

    assert header == {"alg": "HS256", "typ": "JWT", "kid": f"o{api.organization.organization_id}g1"}
    assert set(claims) == {"org", "cid", "scope", "iat", "exp", "jti"}
    assert claims["org"] == api.organization.organization_id
    assert claims["exp"] - claims["iat"] == LIFETIME_SECONDS
    assert set(claims["scope"].split()) == ALL_SCOPES


def test_two_tokens_of_the_same_claims_have_different_ids(api: Api) -> None:
    claims = TokenClaims(api.organization.organization_id, 1, "c", ALL_SCOPES, int(time.time()) + 60)

    first, second = issue_token(claims, secret_of(api)), issue_token(claims, secret_of(api))

    assert claims_of(first)["jti"] != claims_of(second)["jti"]


def test_a_token_signed_with_the_right_key_is_accepted(api: Api) -> None:
    """The control for the refusals below: the test's own signing is right."""
    assert fetch(api, sign(api, good_claims(api))).status_code == 200


@pytest.mark.parametrize(
    ("case", "overrides"),
    [
        pytest.param("expired", {"exp": int(time.time()) - 1}, id="expired"),
        pytest.param("far-future", {"exp": 10**20}, id="exp-10^20"),
        pytest.param("a-day", {"exp": int(time.time()) + 86_400}, id="exp-a-day"),
        pytest.param("issued-later", {"iat": int(time.time()) + 3600}, id="iat-in-the-future"),
        pytest.param("exp-text", {"exp": "9999999999"}, id="exp-string"),
        pytest.param("org-text", {"org": "1"}, id="org-string"),
        pytest.param("no-jti", {"jti": None}, id="no-jti"),
        pytest.param("scope-list", {"scope": ["a", "b"]}, id="scope-list"),
    ],
)
def test_a_correctly_signed_token_with_bad_claims_is_a_401(
    api: Api, case: str, overrides: dict[str, Any]
) -> None:
    claims = {key: value for key, value in good_claims(api, **overrides).items() if value is not None}

    assert_unauthorized(fetch(api, sign(api, claims)))


def test_a_token_claiming_another_organization_than_its_key_is_a_401(api: Api, engine: sa.Engine) -> None:
    other = new_organization(engine)

    assert_unauthorized(fetch(api, sign(api, good_claims(api, org=other.organization_id))))


def test_a_token_for_another_organization_signed_with_its_real_key_does_not_open_this_one(
    api: Api, engine: sa.Engine
) -> None:
    """The client id of the token belongs to this organization, not to the one the key is for."""
    other = new_organization(engine)
    other_key = organization_key(secret_of(api), other.organization_id, other.key_generation)

    token = sign(
        api, good_claims(api, org=other.organization_id), key=other_key, kid=key_id(other.organization_id, 1)
    )

    assert_unauthorized(fetch(api, token))


@pytest.mark.parametrize(
    "kid",
    ["", "o1", "g1", "o0g1", "o1g0", "o-1g1", "o1g1x", "o99999999999g1", "kb1", "../../etc/passwd"],
)
def test_a_bad_kid_is_a_401(api: Api, kid: str) -> None:
    assert_unauthorized(fetch(api, sign(api, good_claims(api), kid=kid)))


def test_a_kid_of_a_future_key_generation_is_a_401(api: Api) -> None:
    organization = api.organization
    future = organization.key_generation + 1
    key = organization_key(secret_of(api), organization.organization_id, future)

    token = sign(api, good_claims(api), key=key, kid=key_id(organization.organization_id, future))

    assert_unauthorized(fetch(api, token))


def test_an_unsigned_token_alg_none_is_a_401(api: Api) -> None:
    token = jwt.encode(
        good_claims(api), "", algorithm="none", headers={"kid": key_id(api.organization.organization_id, 1)}
    )

    assert_unauthorized(fetch(api, token))
    assert_unauthorized(fetch(api, token.rstrip(".") + ".x"))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_hmac_algorithm_with_the_right_key_is_a_401(api: Api) -> None:
    organization = api.organization
    key = organization_key(secret_of(api), organization.organization_id, organization.key_generation)

    token = jwt.encode(
        good_claims(api), key, algorithm="HS512", headers={"kid": key_id(organization.organization_id, 1)}
    )

    assert_unauthorized(fetch(api, token))


# --- what a database reader holds -------------------------------------------------------------------------


def _everything_stored(engine: sa.Engine, organization_id: int) -> list[Any]:
    """Every value of every table that belongs to the organization (or to none); other organizations' rows
    in the shared test database are alike and would only make the test slower."""
    values: list[Any] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            query = sa.select(table)
            if "organization_id" in table.c:
                query = query.where(table.c.organization_id == organization_id)
            for row in connection.execute(query):
                values.extend(row)
    return values


def _candidate_keys(values: list[Any]) -> list[bytes]:
    keys: set[bytes] = set()
    for value in values:
        if isinstance(value, bytes):
            keys.add(value)
        elif value is not None and not isinstance(value, bool):
            keys.add(str(value).encode())
    return sorted(keys)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_reading_every_table_gives_nothing_that_signs_a_token(api: Api, engine: sa.Engine) -> None:
    """The attack of a stolen database file or backup: every stored value, as a key or as the server
    secret from which keys derive, and the old ``kb1`` format with each, makes a token that is refused."""
    organization = api.organization
    with engine.connect() as connection:
        columns = {column["name"] for column in sa.inspect(connection).get_columns(organizations.name)}
    assert "signing_key" not in columns
    stored = _everything_stored(engine, organization.organization_id)
    assert api.token not in {str(value) for value in stored}
    candidates = _candidate_keys(stored)
    assert len(candidates) > 100  # the tables were read: accounts, tax codes, clients, ...
    claims = good_claims(api, exp=10**10)
    kid = key_id(organization.organization_id, organization.key_generation)

    accepted = []
    for candidate in candidates:
        derived = organization_key(candidate, organization.organization_id, organization.key_generation)
        for key in (candidate, derived):
            for token in (
                jwt.encode(good_claims(api), key, algorithm="HS256", headers={"kid": kid}),
                jwt.encode(claims, key, algorithm="HS256", headers={"kid": kid}),
            ):
                if fetch(api, token).status_code != 401:
                    accepted.append(candidate)
    assert accepted == []


def test_a_token_of_the_old_kb1_format_signed_with_a_stored_value_is_refused(api: Api) -> None:
    import hashlib
    import hmac

    payload = base64.urlsafe_b64encode(
        json.dumps({"org": api.organization.organization_id, "cid": "x", "scp": "", "exp": 10**20}).encode()
    ).rstrip(b"=")
    signature = base64.urlsafe_b64encode(hmac.new(b"0" * 64, payload, hashlib.sha256).digest()).rstrip(b"=")

    assert_unauthorized(fetch(api, f"kb1.{payload.decode()}.{signature.decode()}"))


# --- malformed bearers ------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


MALFORMED = [
    pytest.param("kb1." + _b64(b"[" * 5000) + ".x", id="kb1-5000-brackets"),
    pytest.param(_b64(b"[" * 1000) + "." + _b64(b"{}") + ".x", id="jwt-deep-header"),
    pytest.param(_b64(b"[]") + "." + _b64(b"{}") + ".x", id="jwt-array-header"),
    pytest.param(_b64(b'"HS256"') + "." + _b64(b"{}") + ".x", id="jwt-string-header"),
    pytest.param(_b64(b'{"alg":"HS256","kid":["o1g1"]}') + "." + _b64(b"[]") + ".x", id="kid-list"),
    pytest.param(_b64(b'{"alg":"HS256","kid":"o1g1"}') + "." + _b64(b"[1]") + ".x", id="array-payload"),
    pytest.param(_b64(b"\xff\xfe") + "." + _b64(b"\x00") + ".x", id="not-utf8"),
    pytest.param("." * 5000, id="many-dots"),
    pytest.param("a." * 3000 + "a", id="many-parts"),
    pytest.param("x" * 7000, id="huge"),
    pytest.param("ÆØÅ.ÆØÅ.ÆØÅ", id="non-ascii"),
    pytest.param("e30.e30.e30", id="empty-objects"),
]


@pytest.mark.parametrize("token", MALFORMED)
def test_a_malformed_bearer_is_a_401(api: Api, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}".encode()}
    answer = api.client.get("/v1/transactionlines", params=LINES, headers=headers)

    assert_unauthorized(answer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    token=st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF), max_size=300),
        st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", max_size=60), max_size=6).map(".".join),
        st.tuples(
            st.dictionaries(
                st.sampled_from(["alg", "kid", "typ", "crit"]), st.from_type(str) | st.integers()
            ),
            st.dictionaries(st.sampled_from(["org", "cid", "exp", "iat", "jti"]), st.integers() | st.text()),
        ).map(lambda parts: f"{_b64(json.dumps(parts[0]).encode())}.{_b64(json.dumps(parts[1]).encode())}.x"),
    )
)
def test_any_bearer_string_is_a_401(api: Api, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}".encode("latin-1", "replace")}
    answer = api.client.get("/v1/accounts", headers=headers)

    assert_unauthorized(answer)
