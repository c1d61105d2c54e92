"""``kontobok import mt940|camt053 FILE --json`` on the real statement files in ``shared/fixtures``.

The oracle is what the banks state in the files (the fixture READMEs list the figures, checked with an
independent parser): each statement's opening and closing balance, its entries, and for the ASN file one
statement per day of January 2020. What kontobok stored is read back through the Powens balances endpoint
and the Office ``/v1/bankaccounts`` and ``/v1/banktransactions`` paths, on both backends.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.core.money import to_decimal
from kontobok.core.statements import Statement
from kontobok.importers.mt940 import read_mt940
from tests.factories import Api
from tests.fixtures import FIXTURES
from tests.powens import exact

D = Decimal
MT940 = FIXTURES / "mt940-wolph"
ASNB = MT940 / "asnb_mt940.txt"
BETTERPLACE = MT940 / "betterplace_sepa_mt9401.sta"
FI_SAMPLE = FIXTURES / "camt053-moov-io" / "FI_camt_053_sample.xml"
CH29 = FIXTURES / "camt053-moov-io" / "camt.053_P_CH2909000000250094239_1110092698_0_2020112503071366.xml"
DVBERN_BUSINESS = FIXTURES / "camt053-dvbern" / "business_sample_camt.053.001.04.xml"
DVBERN_CH03 = (
    FIXTURES / "camt053-dvbern" / "camt.053_P_CH0309000000250090342_380000000_0_2016053100163801.xml"
)


def run_import(engine: sa.Engine, api: Api, kind: str, file: Path, *extra: str) -> dict[str, Any]:
    """Run the import command with ``--json`` and return its report with exact numbers."""
    result = CliRunner().invoke(
        app,
        [
            "import",
            kind,
            str(file),
            "--organization",
            str(api.organization.organization_id),
            "--json",
            *extra,
            "--database-url",
            engine.url.render_as_string(hide_password=False),
        ],
    )
    assert result.exit_code == 0, (result.output, result.exception)
    report: dict[str, Any] = json.loads(result.stdout, parse_float=Decimal)
    return report


def powens_balances(api: Api, account_id: str, first: str, last: str) -> dict[str, Any]:
    answer = api.get(
        f"/2.0/users/me/accounts/{account_id}/balances", params={"min_date": first, "max_date": last}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    return body


def daily(body: dict[str, Any]) -> dict[str, Any]:
    return {day["date"]: day["balance"] for group in body["balances"] for day in group["daily_balances"]}


def bank_account(api: Api, account_id: str, **params: str) -> dict[str, Any]:
    answer = api.get(f"/v1/bankaccounts/{account_id}", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    return body


def transaction_count(api: Api, account_id: str, first: str, last: str) -> int:
    count, page = 0, 1
    while True:
        answer = api.get(
            "/v1/banktransactions",
            params={
                "dateFrom": first,
                "dateTo": last,
                "bankAccountId": account_id,
                "limit": 100,
                "page": page,
            },
        )
        assert answer.status_code == 200, answer.text
        count += len(answer.json())
        if 'rel="next"' not in answer.headers["link"]:
            return count
        page += 1


def only_account(report: dict[str, Any]) -> str:
    (account_id,) = {row["bankAccount"] for row in report["statements"]}
    assert isinstance(account_id, str)
    return account_id


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def money(amount: int, currency: str = "EUR") -> Decimal | int:
    return to_decimal(amount, currency)


# --- MT940: ASN Bank, one statement per day of January 2020 ------------------------------------------------


def test_asnb_daily_balances_follow_the_banks_statements(engine: sa.Engine, api: Api) -> None:
    report = run_import(engine, api, "mt940", ASNB)
    account_id = only_account(report)
    statements = list(read_mt940(ASNB))
    assert len(report["statements"]) == len(statements) == 31
    assert report["differences"] == []
    assert report["accountsCreated"] == ["NL81ASNB9999999999"]

    body = powens_balances(api, account_id, "2020-01-01", "2020-01-31")

    (january,) = body["balances"]
    assert (january["min_date"], january["max_date"]) == ("2020-01-01", "2020-01-31")
    assert len(january["daily_balances"]) == 31
    # every day ends at that day's statement closing, as the bank states it
    assert daily(body) == {s.closing.day.isoformat(): money(s.closing.amount) for s in statements}
    assert january["balance"] == D("501.23")
    assert january["incomes"] == D("2828.90")
    assert january["expenses"] == D("-2771.96")
    assert january["remains"] == D("56.94")
    assert january["n_overdraft"] == 0
    assert [(c["id"], c["balance"]) for c in january["currencies"]] == [("EUR", D("501.23"))]
    assert (body["first_date"], body["last_date"]) == ("2019-12-31", "2020-01-31")
    # the first day's opening side: 444.29 at the end of 2019-12-31, then -65.00 booked on 2020-01-01
    assert daily(powens_balances(api, account_id, "2019-12-31", "2019-12-31")) == {"2019-12-31": D("444.29")}
    assert daily(body)["2020-01-01"] == D("379.29")
    # the daily flows add up to the month
    assert sum(day["incomes"] for day in january["daily_balances"]) == D("2828.90")
    assert sum(day["expenses"] for day in january["daily_balances"]) == D("-2771.96")


def test_asnb_closing_is_the_balance_before_february(engine: sa.Engine, api: Api) -> None:
    account_id = only_account(run_import(engine, api, "mt940", ASNB))

    account = bank_account(api, account_id, before="2020-02-01")

    assert account["number"] == "NL81ASNB9999999999"
    assert account["name"] == "Konto NL81ASNB9999999999"
    assert account["currency"] == "EUR"
    assert "contact" not in account["owner"]
    assert account["balance"]["amount"] == D("501.23")
    assert account["balance"]["currency"]["code"] == "EUR"
    # the day before: the closing of the statement of 2020-01-30
    (of_the_30th,) = [s for s in read_mt940(ASNB) if s.closing.day == date(2020, 1, 30)]
    earlier = bank_account(api, account_id, before="2020-01-31")["balance"]
    assert earlier["amount"] == money(of_the_30th.closing.amount)


def test_importing_the_same_file_again_adds_nothing(engine: sa.Engine, api: Api, tmp_path: Path) -> None:
    first = run_import(engine, api, "mt940", ASNB)
    account_id = only_account(first)
    assert sum(row["entriesAdded"] for row in first["statements"]) == 8
    assert transaction_count(api, account_id, "2019-12-01", "2020-02-29") == 8
    before = powens_balances(api, account_id, "2019-12-31", "2020-01-31")

    again = run_import(engine, api, "mt940", ASNB)
    # the same statements in another file (another SHA-256) add nothing either
    copy = tmp_path / "asnb-copy.txt"
    shutil.copyfile(ASNB, copy)
    with copy.open("a") as file:
        file.write("\n")
    third = run_import(engine, api, "mt940", copy)

    for report in (again, third):
        assert sum(row["entriesAdded"] for row in report["statements"]) == 0
        assert report["accountsCreated"] == []
    assert transaction_count(api, account_id, "2019-12-01", "2020-02-29") == 8
    assert powens_balances(api, account_id, "2019-12-31", "2020-01-31") == before
    accounts = api.get("/v1/bankaccounts").json()
    assert [account["id"] for account in accounts] == [account_id]


# --- MT940: betterplace, 20 accounts, many of them overdrawn ----------------------------------------------


def stated_day_ends(statements: list[Statement], first: date, last: date) -> dict[date, int]:
    """End-of-day balances of one account as its statements state them: a day ends at the last closing
    stated on or before it, and before the first closing at the first statement's opening.

    This holds because every entry in the file is booked on its statement's closing day (checked below):
    no entry falls between two stated balances.
    """
    closings: dict[date, int] = {}
    for statement in statements:
        closings[statement.closing.day] = statement.closing.amount  # the last page of a day wins
    result = {}
    for day in days(first, last):
        stated = [closing_day for closing_day in closings if closing_day <= day]
        result[day] = closings[max(stated)] if stated else statements[0].opening.amount
    return result


def test_betterplace_closings_and_overdraft_days(engine: sa.Engine, api: Api) -> None:
    statements = list(read_mt940(BETTERPLACE))
    assert all(e.booking_date == s.closing.day for s in statements for e in s.entries)
    by_account: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_account[statement.account_number].append(statement)
    first = min(s.opening.day for s in statements)
    last = max(s.closing.day for s in statements)
    assert (first, last, len(by_account), len(statements)) == (date(2007, 8, 22), date(2007, 9, 4), 20, 26)
    assert sum(1 for s in statements if s.closing.amount < 0) == 19
    expected_days = {number: stated_day_ends(found, first, last) for number, found in by_account.items()}
    expected_overdraft = sum(1 for ends in expected_days.values() for balance in ends.values() if balance < 0)
    assert expected_overdraft == 182

    report = run_import(engine, api, "mt940", BETTERPLACE)

    assert report["differences"] == []
    assert sum(row["entriesAdded"] for row in report["statements"]) == 97
    account_of = {row["accountNumber"]: row["bankAccount"] for row in report["statements"]}
    assert set(account_of) == set(by_account)
    overdraft_days = 0
    incomes, expenses = D(0), D(0)
    for number, found in by_account.items():
        body = powens_balances(api, account_of[number], first.isoformat(), last.isoformat())
        closing = found[-1].closing
        # the account's last stated closing is the end-of-day balance of its closing day, debits negative
        assert daily(body)[closing.day.isoformat()] == money(closing.amount), number
        assert body["balances"][-1]["balance"] == money(closing.amount), number
        overdraft_days += sum(group["n_overdraft"] for group in body["balances"])
        incomes += sum(group["incomes"] for group in body["balances"])
        expenses += sum(group["expenses"] for group in body["balances"])
    assert overdraft_days == expected_overdraft == 182
    assert (incomes, expenses) == (D("5188474.94"), D("-14457610.84"))


def test_betterplace_every_day_ends_as_the_statements_state(engine: sa.Engine, api: Api) -> None:
    """A day split into pages (``:62M:``/``:60M:``) still ended the day before at the first page's
    ``:60F:``: the ``:60M:`` of a later page is an intra-day balance, not the end of the previous day."""
    statements = list(read_mt940(BETTERPLACE))
    by_account: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_account[statement.account_number].append(statement)
    first, last = date(2007, 8, 22), date(2007, 9, 4)
    report = run_import(engine, api, "mt940", BETTERPLACE)
    account_of = {row["accountNumber"]: row["bankAccount"] for row in report["statements"]}

    wrong: dict[str, dict[str, tuple[Any, Any]]] = {}
    for number, found in sorted(by_account.items()):
        body = powens_balances(api, account_of[number], first.isoformat(), last.isoformat())
        expected = {
            day.isoformat(): money(amount) for day, amount in stated_day_ends(found, first, last).items()
        }
        got = daily(body)
        differing = {day: (got[day], stated) for day, stated in expected.items() if got[day] != stated}
        if differing:
            wrong[number] = differing
    # (kontobok's figure, the bank's) for every day that differs
    assert wrong == {}


def test_betterplace_statements_that_add_up_raise_no_balance_check(engine: sa.Engine, api: Api) -> None:
    """Every statement in the file adds up and chains to the next, so no reported balance disagrees with
    the previous one plus the transactions in between, also where a day is split into pages
    (``:62M:``/``:60M:``)."""
    report = run_import(engine, api, "mt940", BETTERPLACE)
    paged = {"50880050/0194781300888", "50880050/0194785000888"}
    account_of = {row["accountNumber"]: row["bankAccount"] for row in report["statements"]}
    for number in sorted(paged):
        answer = api.get(
            f"/v1/bankaccounts/{account_of[number]}/reconciliation",
            params={"dateFrom": "2007-08-22", "dateTo": "2007-09-04"},
        )
        assert answer.status_code == 200, answer.text
        assert exact(answer)["balanceChecks"] == [], number


# --- camt.053 ----------------------------------------------------------------------------------------------


def test_fi_sample_closing(engine: sa.Engine, api: Api) -> None:
    report = run_import(engine, api, "camt053", FI_SAMPLE)

    (statement,) = report["statements"]
    assert (statement["opening"], statement["closing"], statement["computedClosing"]) == (
        10000,
        D("23644.83"),
        D("23644.83"),
    )
    assert (statement["difference"], statement["entries"], statement["entriesAdded"]) == (0, 10, 10)
    assert report["differences"] == []
    account_id = statement["bankAccount"]
    assert bank_account(api, account_id)["balance"]["amount"] == D("23644.83")
    body = powens_balances(api, account_id, "2009-10-28", "2009-10-29")
    assert daily(body) == {"2009-10-28": 10000, "2009-10-29": D("23644.83")}
    (group,) = body["balances"]
    # credits 23,075.00 and debits 9,430.17 (TxsSummry), booked on the statement's day
    assert (group["incomes"], group["expenses"]) == (23075, D("-9430.17"))


def test_dvbern_closings(engine: sa.Engine, api: Api) -> None:
    for file, opening, closing, entries in (
        (DVBERN_BUSINESS, 500000, D("435678.50"), 3),
        (DVBERN_CH03, D("322152.16"), D("322689.77"), 13),
    ):
        report = run_import(engine, api, "camt053", file)
        (statement,) = report["statements"]
        assert (statement["opening"], statement["closing"], statement["computedClosing"]) == (
            opening,
            closing,
            closing,
        ), file.name
        assert (statement["difference"], statement["entries"]) == (0, entries), file.name
        assert report["differences"] == [], file.name
        assert bank_account(api, statement["bankAccount"])["balance"]["amount"] == closing, file.name


def test_ch29_value_date_difference_is_reported_not_hidden(engine: sa.Engine, api: Api) -> None:
    report = run_import(engine, api, "camt053", CH29)

    (difference,) = report["differences"]
    assert difference == report["statements"][0]
    assert difference["currency"] == "CHF"
    assert difference["opening"] == D("211993.19")
    assert difference["closing"] == D("215112.21")
    assert difference["computedClosing"] == D("216649.21")
    assert difference["difference"] == -1537
    assert difference["entries"] == difference["entriesAdded"] == 5
    account_id = difference["bankAccount"]
    # the stored closing snapshot is the bank's own figure, not the computed one
    account = bank_account(api, account_id, before="2020-11-25")
    assert account["balance"]["amount"] == D("215112.21")
    assert account["balance"]["currency"]["code"] == "CHF"
    assert bank_account(api, account_id)["balance"]["amount"] == D("215112.21")
    # every entry counts on its booking day, the value-dated credit of 1,537.00 included
    body = powens_balances(api, account_id, "2020-11-24", "2020-11-24")
    (group,) = body["balances"]
    assert group["remains"] == D("4656.02")
    # and the reconciliation report names the disagreement
    answer = api.get(
        f"/v1/bankaccounts/{account_id}/reconciliation",
        params={"dateFrom": "2020-11-23", "dateTo": "2020-11-24"},
    )
    assert answer.status_code == 200, answer.text
    checks = exact(answer)["balanceChecks"]
    assert [(c["date"], c["reported"], c["computed"], c["difference"]) for c in checks] == [
        ("2020-11-24", D("215112.21"), D("216649.21"), -1537)
    ]
