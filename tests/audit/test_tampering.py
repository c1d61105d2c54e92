"""``verify`` names every row written past kontobok: changed, deleted, inserted, and a cut or edited journal.

The attacker here has the database's own access: the tampering transactions turn the triggers off first.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.services.audit import journal_head, verify_journal
from kontobok.store.database import read_transaction
from kontobok.store.schema import journal_entries, transaction_lines, vouchers
from tests.factories import Api, bank_account_body, line, voucher
from tests.support.tampering import past_the_triggers


def _verify(api: Api, expect_head: str | None = None) -> dict[str, Any]:
    engine = api.client.app.state.engine  # type: ignore[attr-defined]
    with read_transaction(engine) as connection:
        return verify_journal(connection, api.organization.organization_id, expect_head=expect_head).as_json()


def _engine(api: Api) -> sa.Engine:
    engine: sa.Engine = api.client.app.state.engine  # type: ignore[attr-defined]
    return engine


def _books(api: Api) -> str:
    """Two vouchers, a reversal and a bank account; returns the first voucher's id."""
    first = api.post_voucher(voucher("2024-01-10", line(1920, 1000.00), line(3000, -1000.00)))
    api.post_voucher(voucher("2024-01-20", line(1920, 250.00), line(3000, -250.00)))
    second = api.post_voucher(voucher("2024-02-01", line(6300, 80.00), line(1920, -80.00)))
    assert api.post(f"/v1/transactions/{second}/reverse", {}).status_code == 201
    assert api.post("/v1/bankaccounts", bank_account_body()).status_code in (200, 201)
    return first


def _lines_of(api: Api, voucher_id: str) -> list[sa.Row[Any]]:
    with _engine(api).connect() as connection:
        return list(
            connection.execute(
                sa.select(transaction_lines)
                .where(
                    (transaction_lines.c.organization_id == api.organization.organization_id)
                    & (transaction_lines.c.voucher_id == uuid.UUID(voucher_id))
                )
                .order_by(transaction_lines.c.line_number)
            )
        )


def test_untouched_books_verify(api: Api) -> None:
    _books(api)
    report = _verify(api)
    assert report["ok"] is True, report
    assert report["problems"] == []
    assert report["entries"] >= 8  # the opened books, four postings, the bank account


def test_the_triggers_refuse_to_change_or_delete_a_posted_voucher_line_or_journal_entry(api: Api) -> None:
    first = _books(api)
    organization_id = api.organization.organization_id
    statements = [
        vouchers.update()
        .where((vouchers.c.organization_id == organization_id) & (vouchers.c.voucher_id == uuid.UUID(first)))
        .values(comment="changed"),
        transaction_lines.delete().where(
            (transaction_lines.c.organization_id == organization_id)
            & (transaction_lines.c.voucher_id == uuid.UUID(first))
        ),
        journal_entries.delete().where(journal_entries.c.organization_id == organization_id),
        journal_entries.update()
        .where(journal_entries.c.organization_id == organization_id)
        .values(entry="{}"),
    ]
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), _engine(api).begin() as connection:
            connection.execute(statement)
    assert _verify(api)["ok"] is True


def test_a_changed_comment_is_named(api: Api) -> None:
    first = _books(api)
    with past_the_triggers(_engine(api)) as connection:
        connection.execute(
            vouchers.update()
            .where(vouchers.c.voucher_id == uuid.UUID(first))
            .values(comment="Kontant salg (rettet)")
        )
    report = _verify(api)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem["table"] == "vouchers"
    assert problem["key"] == {"voucher_id": first}
    assert problem["problem"] == "changed"
    assert problem["columns"] == {"comment": {"journal": None, "stored": "Kontant salg (rettet)"}}
    assert problem["voucher"]["voucher_number"] == 1


def test_two_amounts_changed_so_the_voucher_still_balances_are_both_named(api: Api) -> None:
    first = _books(api)
    lines = _lines_of(api, first)
    with past_the_triggers(_engine(api)) as connection:
        for row, amount in zip(lines, (90000, -90000), strict=True):
            connection.execute(
                transaction_lines.update()
                .where(transaction_lines.c.line_id == row.line_id)
                .values(amount=amount)
            )
    report = _verify(api)
    assert report["ok"] is False
    named = {problem["key"]["line_id"]: problem for problem in report["problems"]}
    assert set(named) == {str(row.line_id) for row in lines}
    for row in lines:
        problem = named[str(row.line_id)]
        assert problem["table"] == "transaction_lines"
        assert problem["voucher"]["voucher_id"] == first
        assert set(problem["columns"]) == {"amount"}
        assert problem["columns"]["amount"]["journal"] == row.amount


def test_a_deleted_line_is_named(api: Api) -> None:
    first = _books(api)
    doomed = _lines_of(api, first)[1]
    with past_the_triggers(_engine(api)) as connection:
        connection.execute(transaction_lines.delete().where(transaction_lines.c.line_id == doomed.line_id))
    [problem] = _verify(api)["problems"]
    assert problem["table"] == "transaction_lines"
    assert problem["problem"] == "deleted"
    assert problem["key"] == {"line_id": str(doomed.line_id)}
    assert problem["voucher"]["voucher_id"] == first


def test_an_inserted_line_is_named(api: Api) -> None:
    first = _books(api)
    model = _lines_of(api, first)[0]
    forged = uuid.uuid4()
    with past_the_triggers(_engine(api)) as connection:
        connection.execute(
            transaction_lines.insert().values({**model._asdict(), "line_id": forged, "line_number": 9})
        )
    [problem] = _verify(api)["problems"]
    assert problem == {
        "table": "transaction_lines",
        "key": {"line_id": str(forged)},
        "problem": "inserted",
        "detail": "the journal never recorded it",
        "voucher": {"voucher_id": first, "transaction_type_number": 6, "voucher_number": 1, "line_number": 9},
    }


def test_a_cut_journal_tail_is_caught_with_the_head_kept_elsewhere(api: Api) -> None:
    _books(api)
    last = uuid.UUID(api.post_voucher(voucher("2024-03-01", line(1920, 5.00), line(3000, -5.00))))
    organization_id = api.organization.organization_id
    with read_transaction(_engine(api)) as connection:
        head = journal_head(connection, organization_id)
    assert _verify(api, expect_head=head.hash)["ok"] is True
    # the attacker removes the last voucher with its journal entry: the rest of the chain still holds
    with past_the_triggers(_engine(api)) as connection:
        connection.execute(transaction_lines.delete().where(transaction_lines.c.voucher_id == last))
        connection.execute(vouchers.delete().where(vouchers.c.voucher_id == last))
        connection.execute(
            journal_entries.delete().where(
                (journal_entries.c.organization_id == organization_id)
                & (journal_entries.c.position == head.position)
            )
        )
    assert _verify(api)["ok"] is True
    report = _verify(api, expect_head=head.hash)
    assert report["ok"] is False
    [problem] = report["problems"]
    assert problem["problem"] == "head mismatch"


def test_a_changed_journal_entry_breaks_the_chain_at_its_position(api: Api) -> None:
    _books(api)
    organization_id = api.organization.organization_id
    mine = journal_entries.c.organization_id == organization_id
    with past_the_triggers(_engine(api)) as connection:
        position = connection.execute(
            sa.select(sa.func.min(journal_entries.c.position)).where(
                mine & (journal_entries.c.kind == "vouchers")
            )
        ).scalar_one()
        key = mine & (journal_entries.c.position == position)
        text = connection.execute(sa.select(journal_entries.c.entry).where(key)).scalar_one()
        assert ',100000,"NOK",' in text  # the first line's amount and currency
        connection.execute(
            journal_entries.update()
            .where(key)
            .values(entry=text.replace(',100000,"NOK",', ',100100,"NOK",', 1))
        )
    problems = _verify(api)["problems"]
    broken = [problem for problem in problems if problem["problem"] == "broken chain"]
    assert [problem["key"] for problem in broken] == [{"position": position}]
    # the journal now disagrees with the stored line too, which is named as well
    assert any(problem["table"] == "transaction_lines" for problem in problems)


def test_the_cli_prints_the_head_and_exits_1_on_tampered_books(api: Api) -> None:
    first = _books(api)
    url = _engine(api).url.render_as_string(hide_password=False)
    organization = str(api.organization.organization_id)
    head = CliRunner().invoke(app, ["audit", "head", "--organization", organization, "--database-url", url])
    assert head.exit_code == 0, head.output
    kept = json.loads(head.stdout)
    assert kept["position"] >= 8
    assert len(kept["hash"]) == 64
    args = [
        "audit",
        "verify",
        "--organization",
        organization,
        "--expect-head",
        kept["hash"],
        "--database-url",
        url,
    ]
    clean = CliRunner().invoke(app, args)
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout) == {"ok": True, "entries": kept["position"], "problems": []}
    with past_the_triggers(_engine(api)) as connection:
        connection.execute(
            vouchers.update()
            .where(vouchers.c.voucher_id == uuid.UUID(first))
            .values(voucher_date=date(2024, 1, 11))
        )
    tampered = CliRunner().invoke(app, args)
    assert tampered.exit_code == 1
    assert json.loads(tampered.stdout)["problems"][0]["columns"] == {
        "voucher_date": {"journal": "2024-01-10", "stored": "2024-01-11"}
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organization", "987654321"], "does not exist"),
        (["--organization", "1", "--expect-head", "abc"], "64 hexadecimal"),
    ],
)
def test_the_cli_refuses_an_unknown_organization_or_a_malformed_head_without_a_traceback(
    api: Api, args: list[str], message: str
) -> None:
    url = _engine(api).url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["audit", "verify", *args, "--database-url", url])
    assert result.exit_code == 2
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
