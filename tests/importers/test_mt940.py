"""MT940 statements read from the real fixture files, checked against the balances their README states.

The three files are ``shared/fixtures/mt940-wolph``; its README is the oracle: each statement's closing is
its opening plus its entries, and a statement opens where the previous one of its account closed.
Malformed input is written as text in the test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kontobok.core.errors import ValidationFailed
from kontobok.core.statements import StatedBalance, Statement, StatementEntry
from kontobok.importers.mt940 import read_mt940
from tests.fixtures import FIXTURES

MT940 = FIXTURES / "mt940-wolph"


def read(name: str) -> list[Statement]:
    return list(read_mt940(MT940 / name))


def entries(statements: list[Statement]) -> list[StatementEntry]:
    return [entry for statement in statements for entry in statement.entries]


def credits(statements: list[Statement]) -> int:
    return sum(entry.amount for entry in entries(statements) if entry.amount > 0)


def debits(statements: list[Statement]) -> int:
    return -sum(entry.amount for entry in entries(statements) if entry.amount < 0)


def breaks_in_chain(statements: list[Statement]) -> list[str]:
    """Identities of the statements that do not open where the previous one of their account closed."""
    last_closing: dict[str, int] = {}
    breaks = []
    for statement in statements:
        previous = last_closing.get(statement.account_number)
        if previous is not None and previous != statement.opening.amount:
            breaks.append(statement.identity)
        last_closing[statement.account_number] = statement.closing.amount
    return breaks


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "statement.sta"
    path.write_text(text, encoding="utf-8")
    return path


def problem_of(path: Path) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        list(read_mt940(path))
    [problem] = caught.value.problems
    return problem.path, problem.message


def test_asnb_gives_a_month_of_daily_statements_that_chain() -> None:
    statements = read("asnb_mt940.txt")
    assert len(statements) == 31
    assert {statement.account_number for statement in statements} == {"NL81ASNB9999999999"}
    assert statements[0].opening == StatedBalance(date(2020, 1, 1), 44429, "EUR")
    assert statements[-1].closing == StatedBalance(date(2020, 1, 31), 50123, "EUR")
    assert [statement.difference for statement in statements] == [0] * 31
    assert breaks_in_chain(statements) == []
    assert [statement.closing.day for statement in statements] == [date(2020, 1, day) for day in range(1, 32)]
    assert all(statement.closing.amount >= 0 for statement in statements)


def test_asnb_entries_add_up_to_the_readme_totals() -> None:
    statements = read("asnb_mt940.txt")
    assert len(entries(statements)) == 8
    assert credits(statements) == 282890
    assert debits(statements) == 277196
    assert sorted({entry.booking_date.day for entry in entries(statements)}) == [1, 5, 25, 29, 31]


def test_asnb_identities_tell_statements_with_the_same_reference_apart() -> None:
    statements = read("asnb_mt940.txt")
    assert statements[0].identity == "0000000000/1/1/NL81ASNB9999999999/2020-01-01"
    assert len({statement.identity for statement in statements}) == 31


def test_asnb_long_customer_reference_is_read_with_the_relaxed_layout() -> None:
    # ASN Bank writes an 18-character IBAN where SWIFT allows a 16-character customer reference.
    first = read("asnb_mt940.txt")[0].entries[0]
    assert first == StatementEntry(
        booking_date=date(2020, 1, 1),
        amount=-6500,
        currency="EUR",
        value_date=date(2020, 1, 1),
        bank_reference="NL47INGB9999999999",
        description="NL47INGB9999999999 hr gjlm paulissen\nBetaling sieraden",
    )


def test_betterplace_has_many_accounts_that_all_add_up() -> None:
    statements = read("betterplace_sepa_mt9401.sta")
    assert len(statements) == 26
    assert len({statement.account_number for statement in statements}) == 20
    assert len(entries(statements)) == 97
    assert credits(statements) == 518847494
    assert debits(statements) == 1445761084
    assert [statement.difference for statement in statements] == [0] * 26
    assert breaks_in_chain(statements) == []
    assert sum(1 for statement in statements if statement.closing.amount < 0) == 19


def test_betterplace_pages_of_one_day_are_statements_that_chain() -> None:
    # Account ...5000888 is paged in three: :62M: closes a page, the next opens with :60M: of the same amount.
    pages = [s for s in read("betterplace_sepa_mt9401.sta") if s.account_number == "50880050/0194785000888"]
    assert [(page.opening.amount, page.closing.amount) for page in pages] == [
        (-361251902, -363258504),
        (-363258504, -381490147),
        (-381490147, -511359352),
    ]
    assert [page.identity.split("/")[2] for page in pages] == ["00001", "00002", "00003"]


def test_a_reversed_credit_takes_money_out() -> None:
    # The sixth entry is ":61:0709040904RCR204,88", the reversal of a credit: the statement adds up only when
    # it is negative.
    first = read("betterplace_sepa_mt9401.sta")[0]
    assert [entry.amount for entry in first.entries] == [
        30000,
        33533,
        1500000,
        6629508,
        91531155,
        -20488,
        -99994695,
    ]
    assert first.difference == 0


def test_the_entry_date_is_the_booking_date() -> None:
    # Three credits have value date 7 September and entry date 4 September; the statement closing on the 4th
    # counts them, so they are booked on the 4th.
    statements = read("betterplace_sepa_mt9401.sta")
    late_value = [
        (statement.closing.day, entry.booking_date, entry.value_date)
        for statement in statements
        for entry in statement.entries
        if entry.value_date != entry.booking_date
    ]
    assert late_value == [(date(2007, 9, 4), date(2007, 9, 4), date(2007, 9, 7))] * 3


def test_structured_details_give_purpose_and_counterparty() -> None:
    entry = read("betterplace_sepa_mt9401.sta")[1].entries[0]
    assert entry.amount == 1500005
    assert entry.bank_reference == "0724710290621954"
    assert entry.description.startswith("TO 13 TFNr 20004 Eingangskanal Mint")
    assert entry.counterparty_name == "Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx"
    assert entry.counterparty_account == "DE42100100100043921105"


def test_cmxl_has_three_currencies_that_each_add_up() -> None:
    statements = read("cmxl_mt940.sta")
    assert [statement.currency for statement in statements] == ["DEM", "EUR", "PLN"]
    assert [statement.difference for statement in statements] == [0, 0, 0]
    assert [len(statement.entries) for statement in statements] == [11, 2, 3]
    assert [(statement.opening.amount, statement.closing.amount) for statement in statements] == [
        (8434974, 8443704),
        (218795, 438795),
        (4000000, 5004000),
    ]


def test_an_entry_without_entry_date_is_booked_on_its_value_date() -> None:
    first = read("cmxl_mt940.sta")[0].entries[0]
    assert first.booking_date == first.value_date == date(2013, 10, 17)
    assert first.amount == -680000


STATEMENT = """\
:20:REF
:25:NL00BANK0123456789
:28C:1/1
:60F:C240102EUR1000,00
:61:2401030103C500,00NTRFNONREF//B1
:86:Invoice 17
:62F:C240103EUR1500,00
-
"""


def test_a_truncated_statement_names_its_last_line(tmp_path: Path) -> None:
    truncated = STATEMENT + ":20:REF2\n:25:NL00BANK0123456789\n:28C:2/1\n:60F:C240103EUR1500,00\n"
    truncated += ":61:2401040104D200,00NTRFNONREF//B2\n"
    path = write(tmp_path, truncated)
    statements = read_mt940(path)
    assert next(statements).closing.amount == 150000  # the first statement comes before the broken one
    with pytest.raises(ValidationFailed) as caught:
        next(statements)
    [problem] = caught.value.problems
    assert problem.path == "line 13"
    assert "starts at line 9 has no closing balance" in problem.message


def test_a_statement_line_that_is_not_one_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, STATEMENT.replace(":61:2401030103C", ":61:24X1030103C"))
    where, message = problem_of(path)
    assert where == "line 5"
    assert message.startswith(":61: does not have this tag's layout")


def test_an_impossible_date_names_its_line(tmp_path: Path) -> None:
    where, message = problem_of(write(tmp_path, STATEMENT.replace(":60F:C240102", ":60F:C241302")))
    assert (where, message) == ("line 4", ":60F: month must be in 1..12")


def test_a_file_without_statements_is_refused(tmp_path: Path) -> None:
    assert problem_of(write(tmp_path, "date;amount\n2024-01-03;500\n"))[0] == "line 1"


def test_a_tag_outside_a_statement_is_refused(tmp_path: Path) -> None:
    where, message = problem_of(write(tmp_path, "{1:F01BANK}{2:O940}{4:\n:25:NL00BANK0123456789\n-}\n"))
    assert where == "line 2"
    assert ":25: outside a statement" in message


def test_an_amount_finer_than_the_currency_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, STATEMENT.replace("EUR1000,00", "JPY1000,5").replace("EUR1500,00", "JPY1500,"))
    assert problem_of(path) == ("line 4", "JPY amounts have at most 0 decimals")


def test_swift_envelopes_are_not_part_of_the_statement(tmp_path: Path) -> None:
    wrapped = "{1:F01BANKNL2AXXXX0000000000}{2:O940BANKNL2AXXXXN}{3:}{4:\n" + STATEMENT[:-2] + "-}{5:}\n"
    [statement] = read_mt940(write(tmp_path, wrapped))
    assert statement.identity == "REF/1/1/NL00BANK0123456789/2024-01-02"
    assert statement.entries[0].description == "Invoice 17"
    assert statement.entries[0].bank_reference == "B1"


def test_an_intermediate_balance_inside_a_statement_is_kept(tmp_path: Path) -> None:
    text = STATEMENT.replace(
        ":62F:C240103EUR1500,00",
        ":62M:C240103EUR1500,00\n:60M:C240103EUR1500,00\n:61:2401030103RD25,00NTRFNONREF//B3\n"
        ":62F:C240103EUR1525,00",
    )
    [statement] = read_mt940(write(tmp_path, text))
    assert statement.intermediate == (StatedBalance(date(2024, 1, 3), 150000, "EUR"),)
    # RD, the reversal of a debit, brings money in.
    assert [entry.amount for entry in statement.entries] == [50000, 2500]
    assert statement.closing.amount == 152500
    assert statement.difference == 0


def test_the_identity_is_what_the_statement_says_not_where_it_sits(tmp_path: Path) -> None:
    # The same statement twice is the same statement (the store adds it once); the next day's is another.
    next_day = STATEMENT.replace(":60F:C240102", ":60F:C240103")
    statements = list(read_mt940(write(tmp_path, STATEMENT + STATEMENT + next_day)))
    assert [statement.identity for statement in statements] == [
        "REF/1/1/NL00BANK0123456789/2024-01-02",
        "REF/1/1/NL00BANK0123456789/2024-01-02",
        "REF/1/1/NL00BANK0123456789/2024-01-03",
    ]
