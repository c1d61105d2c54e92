"""Hostile and careless bank statement files, altered from the real fixtures and run through the real CLI.

Each refused file must exit non-zero with a one-line error that names its line, print no traceback and leave
nothing stored; each valid alteration (a comment inside a value) must read as the unaltered file does.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from kontobok.importers.camt053 import MAX_ENTRIES_PER_STATEMENT, read_camt053
from kontobok.store.organizations import Organization
from tests.fixtures import FIXTURES
from tests.hostile import assert_refused, run_import, stored_rows

CAMT = FIXTURES / "camt053-moov-io" / "camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml"
MT940 = FIXTURES / "mt940-wolph" / "asnb_mt940.txt"
# the first entry's amount in the camt file, on line 79, and the line it is on
CAMT_ENTRY_AMOUNT = '<Amt Ccy="CHF">4.50</Amt>'
CAMT_ENTRY_LINE = 79
# the first statement of the MT940 file: its opening balance (line 5) and first entry (line 6)
MT940_OPENING = ":60F:C200101EUR444,29"
MT940_ENTRY = ":61:2001010101D65,00NOVBNL47INGB9999999999"


def altered(tmp_path: Path, source: Path, old: str, new: str, *, count: int = 1) -> Path:
    data = source.read_bytes()
    assert old.encode() in data
    path = tmp_path / f"altered{source.suffix}"
    path.write_bytes(data.replace(old.encode(), new.encode(), count))
    return path


def report(engine: sa.Engine, organization: Organization, kind: str, path: Path) -> dict[str, object]:
    outcome = run_import(engine, organization, kind, path, "--json")
    assert outcome.exit_code == 0, outcome.stderr
    result: dict[str, object] = json.loads(outcome.stdout)
    return result


# --- XML mixed content -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["4<!-- a comment -->.50", "4.<?kontobok a processing instruction?>50", "<!-- c -->4.5<!-- c -->0"],
)
def test_a_camt_amount_with_a_comment_or_pi_inside_reads_whole(
    engine: sa.Engine, organization: Organization, tmp_path: Path, written: str
) -> None:
    path = altered(tmp_path, CAMT, CAMT_ENTRY_AMOUNT, f'<Amt Ccy="CHF">{written}</Amt>')

    statements = report(engine, organization, "camt053", path)["statements"]

    assert isinstance(statements, list)
    (unaltered,) = read_camt053(CAMT)
    assert Decimal(str(statements[0]["computedClosing"])) * 100 == unaltered.computed_closing


def test_a_camt_value_with_an_entity_reference_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    text = CAMT.read_text(encoding="utf-8")
    declared = text.replace("?>", '?>\n<!DOCTYPE Document [<!ENTITY half "50">]>', 1)
    source = tmp_path / "declared.xml"
    source.write_text(declared, encoding="utf-8")
    path = altered(tmp_path, source, CAMT_ENTRY_AMOUNT, '<Amt Ccy="CHF">4.&half;</Amt>')

    assert_refused(run_import(engine, organization, "camt053", path), f"line {CAMT_ENTRY_LINE + 1}", "entity")
    assert stored_rows(engine, organization) == {}


# --- strict numbers and dates, positioned errors -----------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        "4_5.50",  # Python's Decimal and int take underscores
        "\u0664.\u0665\u0660",  # Arabic-Indic digits: 4.50 to Python
        "1E+30",
        "1E+99999",
        "NaN",
        "-4.50",
        "4.123456",
        "1000000000000.00",  # past the API's 999 999 999 999.99
    ],
)
def test_a_camt_amount_not_in_iso_20022_form_is_refused_with_its_line(
    engine: sa.Engine, organization: Organization, tmp_path: Path, amount: str
) -> None:
    path = altered(tmp_path, CAMT, CAMT_ENTRY_AMOUNT, f'<Amt Ccy="CHF">{amount}</Amt>')

    assert_refused(run_import(engine, organization, "camt053", path), f"line {CAMT_ENTRY_LINE}")
    assert stored_rows(engine, organization) == {}


@pytest.mark.parametrize("day", ["2020-11-24garbage", "20201124", "2020-11-2\u0664", "2020-13-24"])
def test_a_camt_day_not_in_iso_date_form_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path, day: str
) -> None:
    old = "<BookgDt>\n\t\t\t\t\t<Dt>2020-11-24</Dt>"
    path = altered(tmp_path, CAMT, old, old.replace("2020-11-24", day))

    assert_refused(run_import(engine, organization, "camt053", path), "BookgDt/Dt", "line")
    assert stored_rows(engine, organization) == {}


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        (MT940_ENTRY, MT940_ENTRY.replace("65,00", "6\u0665,00"), 6, ":61:"),
        (MT940_ENTRY, MT940_ENTRY.replace("65,00", "6_5,00"), 6, ":61:"),
        (MT940_ENTRY, MT940_ENTRY.replace("200101", "2\u06600101"), 6, ":61:"),
        (MT940_ENTRY, MT940_ENTRY.replace("65,00", "1000000000000,"), 6, "999999999999.99"),
        (MT940_OPENING, MT940_OPENING.replace("444,29", "44\u0664,29"), 5, ":60F:"),
        (MT940_OPENING, MT940_OPENING.replace("444,29", ",29"), 5, ":60F:"),
    ],
)
def test_an_mt940_amount_or_day_outside_swift_layout_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path, old: str, new: str, line: int, says: str
) -> None:
    path = altered(tmp_path, MT940, old, new)

    assert_refused(run_import(engine, organization, "mt940", path), f"line {line}", says)
    assert stored_rows(engine, organization) == {}


# --- currency and field checks ------------------------------------------------------------------------------


def test_a_statement_in_another_currency_than_its_bank_account_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    assert run_import(engine, organization, "mt940", MT940).exit_code == 0
    before = stored_rows(engine, organization)
    path = altered(tmp_path, MT940, "EUR", "USD", count=-1)

    assert_refused(run_import(engine, organization, "mt940", path), "line 2", "USD", "EUR")
    assert stored_rows(engine, organization) == before


def test_a_camt_statement_in_another_currency_than_the_chosen_bank_account_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    assert run_import(engine, organization, "camt053", CAMT).exit_code == 0
    before = stored_rows(engine, organization)
    path = altered(tmp_path, CAMT, 'Ccy="CHF"', 'Ccy="EUR"', count=-1)
    path.write_bytes(path.read_bytes().replace(b"<Ccy>CHF</Ccy>", b"<Ccy>EUR</Ccy>"))

    assert_refused(run_import(engine, organization, "camt053", path), "line 13", "EUR", "CHF")
    assert stored_rows(engine, organization) == before


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ("EUR", "ABC", 2, "currency 'ABC'"),
        (":25:NL81ASNB9999999999", ":25:" + "9" * 500, 3, ":25: holds more than the 35 characters"),
        ("hr gjlm paulissen\n", "hr gjlm\x00paulissen\n", 2, "control character"),
        ("Betaling sieraden", "Betaling\x00sieraden", 2, "control character"),
    ],
)
def test_unknown_currencies_long_numbers_and_nul_are_refused_on_both_backends(
    engine: sa.Engine, organization: Organization, tmp_path: Path, old: str, new: str, line: int, says: str
) -> None:
    path = altered(tmp_path, MT940, old, new, count=-1)

    assert_refused(run_import(engine, organization, "mt940", path), f"line {line}", says)
    assert stored_rows(engine, organization) == {}


def test_a_camt_account_number_of_500_characters_is_refused(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    path = altered(tmp_path, CAMT, "<IBAN>CH2909000000250094239</IBAN>", f"<IBAN>CH{'9' * 498}</IBAN>")

    assert_refused(run_import(engine, organization, "camt053", path), "line 13", "account number")
    assert stored_rows(engine, organization) == {}


# --- one huge statement -------------------------------------------------------------------------------------


def test_a_camt_statement_with_too_many_entries_is_refused_at_the_entry_past_the_limit(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    text = CAMT.read_text(encoding="utf-8")
    last = text.rindex("</Ntry>") + len("</Ntry>")
    entry = (
        '<Ntry><Amt Ccy="CHF">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2020-11-24</Dt></BookgDt></Ntry>\n"
    )
    path = tmp_path / "huge.xml"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(text[:last] + "\n")
        stream.write(entry * MAX_ENTRIES_PER_STATEMENT)
        stream.write(text[last:])

    outcome = run_import(engine, organization, "camt053", path)

    assert_refused(outcome, f"more than {MAX_ENTRIES_PER_STATEMENT} entries")
    # five entries of the file come first: the refused one is the limit's first one past it
    past = re.search(r"line (\d+)", outcome.stderr)
    assert past is not None
    assert int(past.group(1)) == text[:last].count("\n") + 2 + MAX_ENTRIES_PER_STATEMENT - 5
    assert stored_rows(engine, organization) == {}


def test_the_installed_entry_point_prints_one_positioned_line_and_no_traceback(
    engine: sa.Engine, organization: Organization, tmp_path: Path
) -> None:
    path = altered(tmp_path, CAMT, CAMT_ENTRY_AMOUNT, '<Amt Ccy="CHF">1E+99999</Amt>')

    outcome = run_import(engine, organization, "camt053", path, in_subprocess=True)

    assert_refused(outcome, f"line {CAMT_ENTRY_LINE}", "1E+99999")
    assert len(outcome.stderr.strip().splitlines()) == 1
    assert stored_rows(engine, organization) == {}
