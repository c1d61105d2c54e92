"""Schemathesis over both OpenAPI documents kontobok answers to, on SQLite and on PostgreSQL.

SPEC.md, "Reliability": "The OpenAPI document is tested with Schemathesis: no 5xx, no response that breaks
the schema." Two documents are fuzzed against the real ASGI app, with a token holding every scope:

- **kontobok's own document** (``create_app(...).openapi()``), every operation, extensions and Powens
  paths included;
- **the vendor's document** (``../shared/specs/office-v1-ledger.yaml``, read in place, never copied), whose
  paths kontobok serves under ``/v1``: a client written for the vendor's API must work against kontobok.

Each operation gets ``EXAMPLES`` positive (schema-valid) and ``EXAMPLES`` negative (schema-violating)
fuzzed requests, after Schemathesis' deterministic phases (the document's examples and the coverage
phase's boundary values, a fixed set per operation). Generation is derandomized with a fixed seed, so a
run is repeatable. Three checks hold for every request:

- ``not_a_server_error``: no 5xx;
- ``response_schema_conformance``: an answer with a documented status matches its declared schema;
- ``negative_data_rejection``: a request that breaks the document is refused with a 4xx ("no invalid request
  accepted"; 413 and 414, past the size limits, are refusals too). Schemathesis judges a query or path
  value by the document without its ``format`` keywords, so a value that breaks only a format there
  (``dateFrom=0``) is not counted as negative by this check.

Every test gets a fresh organization with a few vouchers (VAT, a foreign currency, an incoming balance, a
reversal), a bank account linked to 1920 with a reported balance, and bank transactions, so lists return
data. Positive requests to a path with an id may also be pointed at one of those seeded objects (see
``flatmap_path_parameters``), so reads, balances, reversals and Powens figures run on real rows, not only
into 404s.

Where the vendor's document disagrees with SPEC.md or docs/semantics.md, the disagreement is listed in
``VENDOR_DEVIATIONS`` with the sentence that decides it, and only that keyword is relaxed in the in-memory
copy of the vendor's document; everything else in the document is checked as written.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from kontobok.api.app import create_app
from tests.factories import Api, bank_account_body, line, voucher

pytestmark = pytest.mark.slow

SCHEMA_REF = "#/components/schemas/"
VENDOR_DOCUMENT = Path(__file__).resolve().parents[2] / ".." / "shared" / "specs" / "office-v1-ledger.yaml"

#: Fuzzed requests per operation and per mode (positive, negative), on each backend.
EXAMPLES = 25
#: What refuses a schema-violating request: Schemathesis' own list (5xx included, which
#: ``not_a_server_error`` then fails), and 413 and 414 for a request past the size limits.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]
SEED = 20_240_601

#: Every disagreement between the vendor's document and kontobok's contract, as (JSON pointer into the
#: vendor's document, keyword removed there, the sentence of SPEC.md or docs/semantics.md that decides).
VENDOR_DEVIATIONS: list[tuple[str, str, str]] = [
    (
        "/components/schemas/Transactions",
        "minItems",
        'SPEC.md, "/transactionlines": "`page` from 1; a page past the end is `[]`."; docs/semantics.md: '
        '"`dateFrom == dateTo` is an empty range." (so is a filter that matches nothing)',
    ),
]


# --- the two documents ---------------------------------------------------------------------------


def kontobok_document() -> dict[str, Any]:
    """kontobok's own OpenAPI document, with its answers closed (see :func:`close_answers`). Building it
    never touches the database, so a throwaway in-memory engine (never connected) stands in for the real
    one."""
    document: dict[str, Any] = copy.deepcopy(create_app(sa.create_engine("sqlite://")).openapi())
    close_answers(document)
    return document


def _referenced(node: object, found: set[str], schemas: dict[str, Any]) -> None:
    """Add the names of the component schemas ``node`` refers to, directly or through others, to ``found``."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith(SCHEMA_REF):
            name = reference.removeprefix(SCHEMA_REF)
            if name not in found:
                found.add(name)
                _referenced(schemas[name], found, schemas)
        for value in node.values():
            _referenced(value, found, schemas)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, found, schemas)


def close_answers(document: dict[str, Any]) -> None:
    """Make every object that only answers carry (never a request) refuse members it does not declare.

    The published document leaves objects open, so that kontobok may add a member without breaking a
    client; here they are closed, so that a member the server sends but the document does not declare is a
    schema violation. Schemas that requests use as well stay as they are: closing them would make
    Schemathesis send, and expect refused, the unknown members that kontobok ignores."""
    schemas = document["components"]["schemas"]
    in_answers: set[str] = set()
    in_requests: set[str] = set()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            _referenced(operation.get("responses", {}), in_answers, schemas)
            _referenced(operation.get("requestBody", {}), in_requests, schemas)
            _referenced(operation.get("parameters", []), in_requests, schemas)
    for name in in_answers - in_requests:
        if "properties" in schemas[name]:
            schemas[name]["additionalProperties"] = False


def vendor_document() -> dict[str, Any]:
    """The vendor's document as it is, minus the listed deviations and minus the ``Authorization`` header
    parameters: the test sends a valid bearer token itself ("with a valid token"), so that header is
    not generated or fuzzed (authentication has its own tests in tests/api/test_auth.py)."""
    raw = schemathesis.openapi.from_path(VENDOR_DOCUMENT).raw_schema
    document: dict[str, Any] = copy.deepcopy(dict(raw))
    for pointer, keyword, _reason in VENDOR_DEVIATIONS:
        node = document
        for part in pointer.strip("/").split("/"):
            node = node[part]
        assert keyword in node, f"{pointer} has no {keyword}: drop it from VENDOR_DEVIATIONS"
        del node[keyword]
    for path_item in document["paths"].values():
        for holder in [path_item, *path_item.values()]:
            if isinstance(holder, dict) and "parameters" in holder:
                holder["parameters"] = [
                    parameter
                    for parameter in holder["parameters"]
                    if not (parameter.get("in") == "header" and parameter.get("name") == "Authorization")
                ]
    return document


def configured(
    document: dict[str, Any], *, mode: str, base_url: str, operations: list[dict[str, Any]] | None = None
) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "operations": operations or [],
            "base-url": base_url,
            "generation": {
                "mode": mode,
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                # the bearer token is sent by the test, never generated from the security scheme
                "with-security-parameters": False,
            },
            "checks": {
                "enabled": False,
                "not_a_server_error": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
                # a voucher of more than 1,000 lines can also pass the 4 MiB body limit: 413, a refusal too
                "negative_data_rejection": {"enabled": True, "expected-statuses": REFUSALS},
            },
        }
    )
    return schemathesis.openapi.from_dict(document, config=config)


# The vendor's servers URL is https://rest.api.24sevenoffice.com/v1: its paths live under /v1 here.
kontobok_positive = configured(kontobok_document(), mode="positive", base_url="http://testserver")
kontobok_negative = configured(kontobok_document(), mode="negative", base_url="http://testserver")
vendor_positive = configured(vendor_document(), mode="positive", base_url="http://testserver/v1")
vendor_negative = configured(
    vendor_document(),
    mode="negative",
    base_url="http://testserver/v1",
    # Its only input is a path string of the unknown format `guid`: no URL can carry a value that breaks
    # that, so random negative generation is impossible (Hypothesis: Unsatisfiable). The coverage phase
    # still sends its negative probes (wrong methods, wrong content types) to it.
    operations=[{"include-name": "GET /transactionlines/{id}", "phases": {"fuzzing": {"enabled": False}}}],
)


# --- the organization under test -------------------------------------------------------------------

BBAN = "86011117947"
INBOUND_REFERENCE = "SEED-INBOUND-0000001"
OUTBOUND_REFERENCE = "SEED-OUTBOUND-0000002"


@dataclass(frozen=True)
class SeededOffice:
    """The app, the token's header and the ids of what was seeded, by the name a path parameter uses."""

    app: Any
    auth: dict[str, str]
    known: dict[str, dict[str, str | int]]


#: The office of the running test, for the generation hook below (Hypothesis draws inside the test).
_current: list[SeededOffice] = []


def seed(api: Api) -> SeededOffice:
    """A few vouchers, a bank account with a balance and bank transactions, through the API itself."""
    sale = api.post_voucher(voucher("2024-01-15", line(1920, 12500), line(3000, -12500, tax=3)))
    api.post_voucher(voucher("2024-01-01", line(1920, 5000), line(2050, -5000), type_number=10))
    purchase = api.post_voucher(voucher("2024-02-10", line(6300, 1000, tax=1), line(2400, -1000)))
    api.post_voucher(
        voucher(
            "2025-03-03",
            line(1500, 100, currency={"code": "EUR", "rate": 11.5}),
            line(3000, -1150),
        )
    )
    reversed_ = api.post(f"/v1/transactions/{purchase}/reverse", {"date": "2024-02-11"})
    assert reversed_.status_code == 201, reversed_.text
    lines = api.get("/v1/transactionlines", params={"dateFrom": "2024-01-15", "dateTo": "2024-01-16"})
    assert lines.status_code == 200, lines.text
    line_id = lines.json()[0]["id"]

    account = api.post("/v1/bankaccounts", bank_account_body(number=BBAN))
    assert account.status_code == 201, account.text
    bank_account_id = account.json()["id"]
    balance = api.post(
        f"/v1/bankaccounts/{bank_account_id}/balances",
        {"amount": 17500, "timestamp": "2024-01-31T12:00:00Z", "currency": {"code": "NOK"}},
    )
    assert balance.status_code == 201, balance.text
    for reference, kind, value, day in (
        (INBOUND_REFERENCE, "inbound", 12500, "2024-01-15"),
        (OUTBOUND_REFERENCE, "outbound", 1000, "2024-02-10"),
    ):
        posted = api.post(
            "/v1/banktransactions",
            {
                "bankTransactionReference": reference,
                "type": kind,
                "bankAccount": {"id": bank_account_id},
                "paymentReference": {"type": "text", "value": f"Betaling {reference}"},
                "amount": {"value": value, "currency": {"code": "NOK"}},
                "date": day,
            },
        )
        assert posted.status_code == 201, posted.text

    account_id = api.account_id(1920)
    known: dict[str, dict[str, str | int]] = {
        "/accountbalances/{id}": {"id": account_id},
        "/accounts/{id}": {"id": account_id},
        "/taxes/{id}": {"id": 3},
        "/transactionlines/{id}": {"id": line_id},
        "/transactions/{id}/reverse": {"id": sale},
        "/fiscalyears/{year}/close": {"year": 2023},
        "/bankaccounts/{id}": {"id": bank_account_id},
        "/bankaccounts/{id}/balances": {"id": bank_account_id},
        "/bankaccounts/{id}/reconciliation": {"id": bank_account_id},
        "/banktransactions/{bankTransactionReference}": {"bankTransactionReference": INBOUND_REFERENCE},
        "/2.0/users/{userId}/accounts": {"userId": "me"},
        "/2.0/users/{userId}/accounts/{accountId}/balances": {"userId": "me", "accountId": bank_account_id},
        "/2.0/users/{userId}/accounts/{accountId}/transactions": {
            "userId": "me",
            "accountId": bank_account_id,
        },
    }
    return SeededOffice(app=api.client.app, auth=api.auth, known=known)


@pytest.fixture
def office(api: Api) -> Iterator[SeededOffice]:
    seeded = seed(api)
    _current.append(seeded)
    yield seeded
    _current.remove(seeded)


def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    """Positive requests only: the generated path parameters, or those of a seeded object."""
    assert context.operation is not None
    path = context.operation.path.removeprefix("/v1")
    known = _current[-1].known.get(path) if _current else None
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


kontobok_positive.hook(flatmap_path_parameters)
vendor_positive.hook(flatmap_path_parameters)


# --- the test ------------------------------------------------------------------------------------


@schemathesis.pytest.parametrize(
    kontobok_positive=kontobok_positive,
    kontobok_negative=kontobok_negative,
    vendor_positive=vendor_positive,
    vendor_negative=vendor_negative,
)
# The organization is deliberately shared by every request of one operation's test: requests build on what
# earlier ones stored, as a client's would. Negative values for a string path parameter are mostly ones no
# URL can carry, so Schemathesis filters many of them out: that operation then gets fewer negative requests,
# which is a limit of the generator, not a failure of the API.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
def test_the_api_keeps_its_documents(case: schemathesis.Case[Any], office: SeededOffice) -> None:
    case.call_and_validate(app=office.app, headers=office.auth)
