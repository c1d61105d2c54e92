"""Every statement kontobok sends names one organization, so Citus can route it to one shard.

A realistic session (a new organization and its API client, postings with VAT and an idempotency key, a
reversal, lines page by page and deep, balances by date and by period, the chart and the reference lists,
bank accounts with balances and transactions, reconciliation, Powens balances and transactions, a JSONL, a
camt.053 and a SAF-T import, a SAF-T export and ``verify``) runs with every cursor execution recorded and
judged by :mod:`tests.support.single_shard`. Each statement that touches a table must fix
``organization_id`` to one value, and that value must be this organization's. The exceptions are listed in
``EXCEPTIONS`` with their reason; ``docs/scaling.md`` explains them and what Citus does with them.

The second half shows the judge can fail: statements that read across organizations, which kontobok's
operator commands do, are caught.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from kontobok.core.periods import DateRange
from kontobok.demo import find_demo
from kontobok.exporters.saft import export_saft
from kontobok.importers.camt053 import read_camt053
from kontobok.importers.jsonl import file_sha256, read_transaction_inputs
from kontobok.importers.saft import read_saft
from kontobok.services.delivery import Policy, deliver_due
from kontobok.services.drafts import confirm_draft, create_draft
from kontobok.store.bank_accounts import owner_of_bank_account
from kontobok.store.bulk import post_all
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.imports import claim_import, record_import_summary
from kontobok.store.organizations import get_organization
from kontobok.store.reconciliation import reconcile
from kontobok.store.saft_import import import_saft
from kontobok.store.schema import accounts, transaction_lines
from kontobok.store.statement_import import import_statements
from kontobok.store.verification import verify_books
from tests import saft_files as saft
from tests.factories import Api, bank_account_body, line, new_organization, voucher
from tests.fixtures import FIXTURES
from tests.support.single_shard import TENANT_TABLES, Verdict, judge, recording

EXCEPTIONS = {
    "INSERT INTO organizations ": (
        "a new organization has no id yet: the sequence gives it. Citus evaluates the column's nextval() "
        "default on the coordinator and routes the row by the value it got (docs/scaling.md)."
    ),
}
CAMT053 = FIXTURES / "camt053-dvbern" / "business_sample_camt.053.001.04.xml"
BBAN = "86011117947"


def _excepted(verdict: Verdict) -> str | None:
    return next((prefix for prefix in EXCEPTIONS if verdict.sql.lstrip().startswith(prefix)), None)


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _post_and_read_the_books(api: Api) -> None:
    sale = voucher(
        "2024-03-05", line(1500, 1250), line(3000, -1250, tax=3), comment="Faktura 1", type_number=6
    )
    key = {"Idempotency-Key": "sale-1"}
    first = _ok(api.post("/v1/transactions", sale, headers=key), 201)
    assert _ok(api.post("/v1/transactions", sale, headers=key), 201) == first
    for month in range(1, 7):
        api.post_voucher(voucher(f"2024-0{month}-15", line(1920, 100 * month), line(3000, -100 * month)))
    _ok(api.post(f"/v1/transactions/{first['transactionId']}/reverse", {"date": "2024-03-31"}), 201)
    _ok(api.post("/v1/accounts", {"number": 1930, "name": "Bankinnskudd 2"}), 201)
    _ok(api.post("/v1/fiscalyears", {"year": 2027}), 201)
    _ok(api.post("/v1/fiscalyears/2027/close"))
    span = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}
    page_one = _ok(api.get("/v1/transactionlines", params={**span, "limit": 3}))
    _ok(api.get("/v1/transactionlines", params={**span, "limit": 3, "page": 4}))
    _ok(api.get("/v1/transactionlines", params={**span, "limit": 2, "page": 3, "accountNumber": 1920}))
    _ok(api.get("/v1/transactionlines", params={**span, "customerId": 1, "page": 2}))
    _ok(api.get(f"/v1/transactionlines/{page_one[0]['id']}"))
    bank = api.account_id(1920)
    balances = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
    _ok(api.get("/v1/accountbalances", params=balances))
    _ok(api.get(f"/v1/accountbalances/{bank}", params=balances))
    _ok(api.get(f"/v1/accountbalances/{bank}", params={**balances, "type": "Period"}))
    _ok(api.get("/v1/accountbalances", params=balances, headers={"Accept": "application/hal+json"}))
    for path in ("/v1/accounts", f"/v1/accounts/{bank}", "/v1/taxes", "/v1/taxes/3", "/v1/transactiontypes"):
        _ok(api.get(path))
    _ok(api.get("/v1/currencies"))
    _ok(api.get("/v1/fiscalperiods", params={"type": "All"}))


def _bank(api: Api) -> str:
    body = bank_account_body(number=BBAN)
    account_id: str = _ok(api.post("/v1/bankaccounts", body), 201)["id"]
    for amount, moment in ((5000, "2024-01-31T22:00:00Z"), (5800, "2024-02-29T22:00:00Z")):
        balance = {"amount": amount, "timestamp": moment, "currency": {"code": "NOK"}}
        _ok(api.post(f"/v1/bankaccounts/{account_id}/balances", balance), 201)
    for number, day in enumerate(("2024-02-05", "2024-02-20", "2024-03-03"), start=1):
        transaction = {
            "bankTransactionReference": f"REFERENCE-{number:04}",
            "type": "inbound",
            "bankAccount": {"id": account_id},
            "paymentReference": {"type": "text", "value": f"Betaling {number}"},
            "amount": {"value": 400, "currency": {"code": "NOK"}},
            "date": day,
        }
        _ok(api.post("/v1/banktransactions", transaction), 201)
    _ok(api.get("/v1/bankaccounts"))
    _ok(api.get("/v1/bankaccounts", params={"before": "2024-02-15"}))
    _ok(api.get(f"/v1/bankaccounts/{account_id}"))
    _ok(api.get("/v1/banktransactions", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}))
    _ok(api.get("/v1/banktransactions/REFERENCE-0002"))
    window = {"dateFrom": "2024-02-01", "dateTo": "2024-02-29"}
    _ok(api.get(f"/v1/bankaccounts/{account_id}/reconciliation", params=window))
    _ok(api.get("/2.0/users/me/accounts"))
    powens = {"min_date": "2024-01-01", "max_date": "2024-12-31"}
    _ok(api.get(f"/2.0/users/me/accounts/{account_id}/balances", params=powens))
    _ok(api.get(f"/2.0/users/me/accounts/{account_id}/transactions"))
    return account_id


def _subscribe(api: Api) -> str:
    """A webhook and a balance monitor, so that every change of the session queues deliveries."""
    webhook = _ok(api.post("/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}), 201)
    _ok(api.post("/v1/monitors", {"accountNumber": 1920, "below": 0}), 201)
    webhook_id: str = webhook["id"]
    return webhook_id


def _integrations(api: Api, engine: sa.Engine, webhook_id: str) -> None:
    """The change feed, a delivery pass (nothing listens on port 9), its log, and a confirmed draft."""
    organization_id = api.organization.organization_id
    _ok(api.get("/v1/events", params={"limit": 1000}))
    deliver_due(engine, organization_id=organization_id, policy=Policy(timeout_seconds=0.5))
    _ok(api.get(f"/v1/webhooks/{webhook_id}/deliveries"))
    draft = create_draft(
        engine,
        organization_id,
        voucher("2024-06-03", line(1920, 10), line(3000, -10)),
        "a draft confirmed at once",
    )
    confirm_draft(engine, organization_id, draft["id"])


def _saft_file(path: Path) -> Path:
    journal = saft.Journal("S", "Salg", "S")
    amount = Decimal(1000)
    saft.write_saft(
        path,
        version="1.30",
        company=saft.Company("Testfirma AS", "923609016"),
        period=(date(2025, 1, 1), date(2025, 12, 31)),
        accounts=[
            saft.Account("1500", "Kundefordringer", Decimal(0), amount),
            saft.Account("2400", "Leverandørgjeld", Decimal(0), -amount),
            saft.Account("3000", "Salgsinntekt", Decimal(0), -amount),
            saft.Account("4000", "Varekjøp", Decimal(0), amount),
        ],
        customers=[saft.Party("K7", "Kunde AS", "987654321")],
        suppliers=[saft.Party("L7", "Leverandør AS", "987654321")],
        transactions=[
            saft.Transaction(
                journal,
                "1",
                date(2025, 2, 3),
                (saft.Line("1500", amount, customer_id="K7"), saft.Line("3000", -amount)),
            ),
            saft.Transaction(
                journal,
                "2",
                date(2025, 2, 4),
                (saft.Line("4000", amount), saft.Line("2400", -amount, supplier_id="L7")),
            ),
        ],
    )
    return path


def _import_and_export(engine: sa.Engine, organization_id: int, bank_account_id: str, tmp: Path) -> None:
    jsonl = tmp / "vouchers.jsonl"
    jsonl.write_text(
        "\n".join(
            json.dumps(voucher(f"2024-0{month}-20", line(1920, 50), line(3000, -50))) for month in (1, 2, 3)
        )
    )
    saft_file = _saft_file(tmp / "saft.xml")
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        assert claim_import(connection, organization_id, "jsonl", file_sha256(jsonl))
        post_all(connection, books, read_transaction_inputs(jsonl))
        record_import_summary(connection, organization_id, "jsonl", file_sha256(jsonl), "3 vouchers")
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        assert claim_import(connection, organization_id, "camt053", file_sha256(CAMT053))
        import_statements(connection, books, read_camt053(CAMT053), kind="camt053")
        assert claim_import(connection, organization_id, "saft", file_sha256(saft_file))
        import_saft(connection, books, read_saft(saft_file))
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        assert not claim_import(connection, organization_id, "saft", file_sha256(saft_file))
    with read_transaction(engine, snapshot=True) as connection:
        books = get_organization(connection, organization_id)
        export_saft(connection, books, 2024, tmp / "export.xml")
        assert verify_books(connection, organization_id).ok
        reconcile(
            connection,
            books,
            uuid.UUID(bank_account_id),
            DateRange(date(2024, 2, 1), date(2024, 3, 1)),
        )


def realistic_session(engine: sa.Engine, tmp: Path) -> int:
    """One organization's realistic session through the API and the store; returns the organization's id.
    The Citus tests replay it on a cluster and read the plan of every statement."""
    organization = new_organization(engine)
    with Api.for_organization(engine, organization) as api:
        webhook_id = _subscribe(api)
        _post_and_read_the_books(api)
        bank_account_id = _bank(api)
        _integrations(api, engine, webhook_id)
    _import_and_export(engine, organization.organization_id, bank_account_id, tmp)
    return organization.organization_id


def test_every_statement_of_a_session_names_one_organization(engine: sa.Engine, tmp_path: Path) -> None:
    with recording(engine) as seen:
        organization_id = realistic_session(engine, tmp_path)

    routed = [verdict for verdict in seen if verdict.tables]
    off_one_shard = [verdict for verdict in routed if not verdict.single_shard and _excepted(verdict) is None]
    assert not off_one_shard, "\n".join(f"{verdict.problems}: {verdict.sql}" for verdict in off_one_shard)
    assert {prefix for verdict in routed if (prefix := _excepted(verdict))} == set(EXCEPTIONS)
    named = set().union(*(verdict.organization_ids for verdict in routed))
    assert named == {organization_id}
    touched = set().union(*(verdict.tables for verdict in routed))
    assert touched == TENANT_TABLES, f"the session no longer reaches {sorted(TENANT_TABLES - touched)}"
    kinds = Counter(verdict.sql.split(None, 1)[0].upper() for verdict in routed)
    print(f"{len(seen)} statements, {len(routed)} on tables, each on one shard: {dict(kinds)}")
    assert len(routed) > 150


# --- what Citus asks of the schema ------------------------------------------------------------------------

LOCAL_TABLES = {"alembic_version": "Alembic's own bookkeeping: it stays a local table on the coordinator"}


def test_every_key_and_reference_carries_the_organization(engine: sa.Engine) -> None:
    """Citus enforces a primary key or unique constraint only when it includes the distribution column, and a
    foreign key between distributed tables only when it maps that column onto itself. Checked on the schema
    the migrations built, not on the declarations."""
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names())
    assert tables - TENANT_TABLES == set(LOCAL_TABLES)
    for table in sorted(tables & TENANT_TABLES):
        assert inspector.get_pk_constraint(table)["constrained_columns"][0] == "organization_id", table
        uniques: list[list[str | None]] = [
            list(unique["column_names"]) for unique in inspector.get_unique_constraints(table)
        ]
        uniques += [index["column_names"] for index in inspector.get_indexes(table) if index["unique"]]
        for columns in uniques:
            assert "organization_id" in columns, (table, columns)
        for key in inspector.get_foreign_keys(table):
            pairs = dict(zip(key["constrained_columns"], key["referred_columns"], strict=True))
            assert pairs.get("organization_id") == "organization_id", (table, key)


# --- the judge can fail ------------------------------------------------------------------------------------


def _verdicts(engine: sa.Engine, statement: sa.Executable) -> list[Verdict]:
    with recording(engine) as seen, read_transaction(engine) as connection:
        connection.execute(statement).all()
    return [verdict for verdict in seen if verdict.tables]


def _one(engine: sa.Engine, statement: sa.Executable) -> Verdict:
    [verdict] = _verdicts(engine, statement)
    return verdict


def test_operator_commands_that_search_every_organization_are_caught(engine: sa.Engine) -> None:
    """``kontobok bank reconcile`` without ``--organization`` looks the account's owner up by the account id
    alone, and ``kontobok demo`` finds its company by organization number: both read every shard."""
    with recording(engine) as seen, read_transaction(engine) as connection:
        owner_of_bank_account(connection, uuid.uuid4())
        find_demo(connection)
    assert [(verdict.tables, verdict.single_shard) for verdict in seen if verdict.tables] == [
        (frozenset({"bank_accounts"}), False),
        (frozenset({"organizations"}), False),
    ]


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (transaction_lines.c.organization_id.in_([1, 2]), "organization_id is not fixed"),
        ((transaction_lines.c.organization_id == 1) | (transaction_lines.c.amount > 0), "is not fixed"),
        (
            (transaction_lines.c.organization_id == 1) | (transaction_lines.c.organization_id == 2),
            "not fixed",
        ),
        (transaction_lines.c.line_id == uuid.uuid4(), "organization_id is not fixed"),
    ],
)
def test_a_condition_that_does_not_fix_one_organization_is_caught(
    engine: sa.Engine, condition: sa.ColumnElement[bool], problem: str
) -> None:
    verdict = _one(engine, sa.select(transaction_lines.c.line_id).where(condition))
    assert not verdict.single_shard
    assert any(problem in text for text in verdict.problems), verdict.problems


def test_a_join_must_carry_the_organization_across(engine: sa.Engine) -> None:
    lines, chart = transaction_lines.c, accounts.c
    loose = (
        sa.select(lines.line_id)
        .join(accounts, chart.account_id == lines.account_id)
        .where(lines.organization_id == 1)
    )
    assert _one(engine, loose).problems == ("accounts: organization_id is not fixed to a value",)
    carried = (
        sa.select(lines.line_id)
        .join(
            accounts,
            (chart.organization_id == lines.organization_id) & (chart.account_id == lines.account_id),
        )
        .where(lines.organization_id == 1)
    )
    assert _one(engine, carried).single_shard


def test_two_organizations_in_one_statement_are_two_shards(engine: sa.Engine) -> None:
    lines, chart = transaction_lines.c, accounts.c
    statement = sa.select(lines.line_id).where(
        (lines.organization_id == 1)
        & lines.account_id.in_(sa.select(chart.account_id).where(chart.organization_id == 2))
    )
    assert _one(engine, statement).problems == ("names 2 organizations, not one",)


def test_text_that_names_a_table_is_not_trusted() -> None:
    verdict = judge("SELECT count(*) FROM transaction_lines", context=None)
    assert verdict.problems == ("not a Core statement: its organization cannot be seen",)
    assert judge("BEGIN IMMEDIATE", context=None).single_shard
