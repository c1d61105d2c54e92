"""Hostile and careless SAF-T files, altered from the suite's own 1.30 books and run through the real CLI.

Each refused file must exit non-zero with a one-line error that names its line and element, print no
traceback and leave nothing stored; a comment inside a value must read as the unaltered value does.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from kontobok.importers.saft import MAX_LINES_PER_TRANSACTION
from kontobok.store.organizations import Organization
from tests.hostile import assert_refused, run_import, stored_rows
from tests.saft_files import Account, Company, Journal, Line, Transaction, write_saft
from tests.test_saft_import import write_books

# in the 1.30 books: the sale's first line, its receivable of 12 500.00 (line 192), the bank's opening
# (line 42), the selection's last year (line 30), the first line's account (line 188) and day (line 182)
SALE_AMOUNT = "<Amount>12500.00</Amount>"
BANK_OPENING = "<OpeningDebitBalance>100000.00</OpeningDebitBalance>"
LAST_YEAR = "<PeriodEndYear>2024</PeriodEndYear>"
SALE_ACCOUNT = "<RecordID>1</RecordID>\n          <AccountID>1500</AccountID>"
SALE_DAY = "<TransactionDate>2024-03-05</TransactionDate>"


def books(tmp_path: Path, old: str = "", new: str = "") -> Path:
    path = write_books(tmp_path / "books.xml", "1.30")
    if old:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "written",
    ["125<!-- a comment -->00.00", "12500<?kontobok a processing instruction?>.00", "<!-- c -->12500.00"],
)
def test_a_saft_amount_with_a_comment_or_pi_inside_reads_whole(
    engine: sa.Engine, organization: Organization, tmp_path: Path, written: str
) -> None:
    path = books(tmp_path, SALE_AMOUNT, f"<Amount>{written}</Amount>")

    outcome = run_import(engine, organization, "saft", path, "--json")

    assert outcome.exit_code == 0, outcome.stderr
    report = json.loads(outcome.stdout.strip().splitlines()[-1], parse_float=Decimal)
    assert report["differences"] == []  # 1.00 instead of 12 500.00 would unbalance it
    assert report["lines"] == 14  # the ten lines of the four vouchers and four of the opening balances


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (SALE_AMOUNT, "<Amount>1_2500.00</Amount>", "line 192 Line/DebitAmount/Amount"),
        (SALE_AMOUNT, "<Amount>\u0661\u0662500.00</Amount>", "line 192 Line/DebitAmount/Amount"),
        (SALE_AMOUNT, "<Amount>1.25E+4</Amount>", "line 192 Line/DebitAmount/Amount"),
        (SALE_AMOUNT, "<Amount>NaN</Amount>", "line 192 Line/DebitAmount/Amount"),
        (BANK_OPENING, f"<OpeningDebitBalance>1{'0' * 30}</OpeningDebitBalance>", "line 42"),
        (BANK_OPENING, "<OpeningDebitBalance>1000000000000.00</OpeningDebitBalance>", "999999999999.99"),
        (LAST_YEAR, "<PeriodEndYear>9999</PeriodEndYear>", "line 30 Header/SelectionCriteria/PeriodEndYear"),
        (SALE_ACCOUNT, SALE_ACCOUNT.replace("1500", "\u0661\u0665\u0660\u0660"), "line 186 Line/AccountID"),
        (
            SALE_DAY,
            SALE_DAY.replace("2024-03-05", "2024-03-05garbage"),
            "line 182 Transaction/TransactionDate",
        ),
        (SALE_DAY, SALE_DAY.replace("2024-03-05", "20240305"), "line 182 Transaction/TransactionDate"),
        (SALE_AMOUNT, '<Amount>12500.00<Extra xmlns="">1</Extra></Amount>', "line 192"),
    ],
)
def test_a_saft_value_outside_its_schema_type_is_refused_with_its_line_and_element(
    engine: sa.Engine, organization: Organization, tmp_path: Path, old: str, new: str, says: str
) -> None:
    path = books(tmp_path, old, new)

    assert_refused(run_import(engine, organization, "saft", path), says)
    assert stored_rows(engine, organization) == {}


def test_a_saft_value_with_an_entity_reference_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    path = books(tmp_path, SALE_AMOUNT, "<Amount>12500&cents;</Amount>")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("?>", '?>\n<!DOCTYPE AuditFile [<!ENTITY cents ".00">]>', 1), "utf-8")

    assert_refused(run_import(engine, organization, "saft", path), "line 193", "entity")
    assert stored_rows(engine, organization) == {}


def test_a_saft_transaction_with_too_many_lines_is_refused_at_the_line_past_the_limit(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    count = MAX_LINES_PER_TRANSACTION + 1
    lines = tuple(Line("1920" if n % 2 else "3000", Decimal(1 if n % 2 else -1)) for n in range(count + 1))
    path = tmp_path / "huge.xml"
    write_saft(
        path,
        version="1.30",
        company=Company("Storfil AS", "923609016"),
        period=(date(2024, 1, 1), date(2024, 12, 31)),
        accounts=[
            Account("1920", "Bank", Decimal(0), Decimal(0)),
            Account("3000", "Salg", Decimal(0), Decimal(0)),
        ],
        transactions=[Transaction(Journal("GL"), "1", date(2024, 3, 5), lines)],
    )

    outcome = run_import(engine, organization, "saft", path)

    assert_refused(outcome, "Transaction/Line", f"more than {MAX_LINES_PER_TRANSACTION} lines")
    assert stored_rows(engine, organization) == {}


def test_a_deeply_nested_json_line_is_refused_with_its_line_number(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    path = tmp_path / "vouchers.jsonl"
    path.write_text("\n" + '{"lines": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")

    assert_refused(run_import(engine, organization, "transactions", path), "line 2", "nested too deeply")
    assert stored_rows(engine, organization) == {}


@pytest.mark.parametrize("nul", ["&#0;", "\x00", "&#1;"])
def test_a_saft_text_with_nul_or_a_control_character_is_refused_with_its_line(
    engine: sa.Engine, organization: Organization, tmp_path: Path, nul: str
) -> None:
    """XML 1.0 has no NUL and no C0 control character but tab and line breaks, written or as a reference:
    the parser refuses the file at the character, so no text with one reaches either database."""
    path = books(tmp_path, SALE_DAY, SALE_DAY + f"\n<Description>Salg{nul}</Description>")

    assert_refused(run_import(engine, organization, "saft", path), "line 183")
    assert stored_rows(engine, organization) == {}
