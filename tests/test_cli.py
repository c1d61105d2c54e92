"""The ``kontobok`` command line: organizations, API clients, imports of JSON lines, and verification.

Commands run through Typer's ``CliRunner`` against a fresh SQLite file and against the session's PostgreSQL
server; what they did is read back through the database and the HTTP API. One test runs the installed entry
point (``kontobok.cli:main``) in a subprocess, because that is where a failed import prints its problems.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from kontobok.api.app import create_app
from kontobok.api.scopes import ACCOUNT_READ, TRANSACTION_READ
from kontobok.cli import app
from kontobok.core.errors import ValidationFailed
from kontobok.store.database import create_engine, write_transaction
from kontobok.store.organizations import get_organization
from kontobok.store.schema import (
    account_daily_totals,
    api_clients,
    organizations,
    transaction_lines,
    transaction_types,
)
from tests.factories import Api, line, voucher
from tests.journal import read_all_lines, write_jsonl
from tests.support.tampering import past_the_triggers

VALID_NUMBER = "923609016"
INVALID_NUMBER = "923609017"


@dataclass(frozen=True)
class Database:
    """A database the CLI is pointed at, and an engine of the test's own on it."""

    url: str
    engine: sa.Engine

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(app, [*args, "--database-url", self.url])

    def count(self, table: sa.Table, **where: Any) -> int:
        query = sa.select(sa.func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())


@pytest.fixture(params=["sqlite-file", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite file that no command has touched yet, or the session's PostgreSQL database."""
    if request.param == "sqlite-file":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        url = sa.make_url(request.getfixturevalue("postgres_url")).render_as_string(hide_password=False)
    engine = create_engine(url)
    yield Database(url, engine)
    engine.dispose()


def _json(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def _create_org(database: Database, *extra: str) -> int:
    created = _json(
        database.run(
            "org",
            "create",
            "--name",
            "Fjordkraft Regnskap AS",
            "--organization-number",
            VALID_NUMBER,
            "--open-years",
            "2023-2025",
            *extra,
        )
    )
    organization_id = created["id"]
    assert isinstance(organization_id, int)
    return organization_id


def _words(text: str) -> str:
    """Text without the frame and line breaks that rich draws around an error."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def _token(engine: sa.Engine, client: dict[str, str], **form: str) -> tuple[int, dict[str, Any]]:
    with TestClient(create_app(engine), raise_server_exceptions=False) as http:
        answer = http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                **form,
            },
        )
    return answer.status_code, answer.json()


def _api(database: Database, organization_id: int) -> Api:
    with database.engine.connect() as connection:
        organization = get_organization(connection, organization_id)
    return Api.for_organization(database.engine, organization)


def _verify(database: Database, organization_id: int) -> dict[str, Any]:
    report: dict[str, Any] = _json(database.run("verify", "--organization", str(organization_id)))
    return report


def _vouchers(count: int) -> list[dict[str, Any]]:
    """``count`` balanced vouchers in 2024, each a sale with VAT (three stored lines)."""
    return [
        voucher(
            f"2024-{month:02d}-15",
            line(1500, Decimal("1250.10") * month),
            line(3000, Decimal("-1250.10") * month, tax=3),
            type_number=1,
        )
        for month in range(1, count + 1)
    ]


# --- org create --------------------------------------------------------------------------------------------


def test_org_create_prints_the_organization_with_its_id_and_opens_the_years(database: Database) -> None:
    created = _json(
        database.run(
            "org",
            "create",
            "--name",
            "Fjordkraft Regnskap AS",
            "--organization-number",
            "923 609 016",
            "--open-years",
            "2023-2025",
            "--fiscal-year-start-month",
            "1",
        )
    )

    assert isinstance(created["id"], int)
    assert created["name"] == "Fjordkraft Regnskap AS"
    assert created["organizationNumber"] == VALID_NUMBER
    assert created["currency"] == "NOK"
    assert created["fiscalYearStartMonth"] == 1
    with _api(database, created["id"]) as api:
        years = api.get("/v1/fiscalperiods", params={"type": "Year"}).json()
        accounts = {account["number"] for account in api.get("/v1/accounts").json()}
    assert [(year["startingDate"], year["endingDate"], year["isClosed"]) for year in years] == [
        ("2023-01-01", "2023-12-31", False),
        ("2024-01-01", "2024-12-31", False),
        ("2025-01-01", "2025-12-31", False),
    ]
    assert {1500, 1920, 2050, 2400, 2700, 2710, 3000, 4000, 5000, 6300, 7700, 8050, 8150, 8800} <= accounts


@pytest.mark.parametrize(
    "arguments",
    [
        ("--organization-number", INVALID_NUMBER),
        ("--organization-number", "12345"),
        ("--organization-number", VALID_NUMBER, "--currency", "XXX"),
        ("--organization-number", VALID_NUMBER, "--open-years", "2025-2023"),
        ("--organization-number", VALID_NUMBER, "--fiscal-year-start-month", "13"),
    ],
)
def test_org_create_with_bad_input_fails_and_creates_nothing(
    database: Database, arguments: tuple[str, ...]
) -> None:
    _create_org(database)  # the schema exists, so that there is something to count
    before = database.count(organizations)

    result = database.run("org", "create", "--name", "Feil AS", *arguments)

    assert result.exit_code == 2, result.output  # a usage error
    assert database.count(organizations) == before


def test_org_create_names_the_bad_organization_number(database: Database) -> None:
    result = database.run("org", "create", "--name", "Feil AS", "--organization-number", INVALID_NUMBER)

    assert result.exit_code == 2
    message = _words(result.output)
    assert "Invalid value for --organization-number: not a valid Norwegian organization number" in message


# --- client create -----------------------------------------------------------------------------------------


def test_client_create_prints_credentials_that_get_a_token(database: Database) -> None:
    organization_id = _create_org(database)

    client = _json(database.run("client", "create", "--organization", str(organization_id)))

    assert set(client) == {"client_id", "client_secret"}
    status, token = _token(database.engine, client)
    assert status == 200, token
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] > 0
    with TestClient(create_app(database.engine), raise_server_exceptions=False) as http:
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        assert http.get("/v1/accounts", headers=headers).status_code == 200
    status, refused = _token(database.engine, {**client, "client_secret": client["client_secret"] + "x"})
    assert status == 401, refused


def test_client_create_with_a_scope_grants_only_that_scope(database: Database) -> None:
    organization_id = _create_org(database)

    client = _json(
        database.run("client", "create", "--organization", str(organization_id), "--scope", TRANSACTION_READ)
    )

    status, token = _token(database.engine, client)
    assert status == 200, token
    assert token["scope"].split() == [TRANSACTION_READ]
    with TestClient(create_app(database.engine), raise_server_exceptions=False) as http:
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        lines = http.get(
            "/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}, headers=headers
        )
        assert lines.status_code == 200, lines.text
        assert http.get("/v1/accounts", headers=headers).status_code == 403
    status, _ = _token(database.engine, client, scope=ACCOUNT_READ)
    assert status == 400


def test_client_create_for_an_unknown_organization_or_scope_fails_and_creates_nothing(
    database: Database,
) -> None:
    organization_id = _create_org(database)
    before = database.count(api_clients)

    unknown_organization = database.run("client", "create", "--organization", str(organization_id + 1000))
    unknown_scope = database.run(
        "client", "create", "--organization", str(organization_id), "--scope", "api.x:read"
    )

    assert unknown_organization.exit_code != 0
    assert unknown_scope.exit_code == 2
    assert "api.x:read" in unknown_scope.output
    assert database.count(api_clients) == before


# --- import transactions -----------------------------------------------------------------------------------


def test_import_posts_every_voucher_of_the_file(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(5))

    result = database.run("import", "transactions", str(source), "--organization", str(organization_id))

    assert result.exit_code == 0, (result.output, result.exception)
    assert "5 vouchers, 15 lines" in result.stderr
    report = _verify(database, organization_id)
    assert (report["ok"], report["vouchers"], report["lines"]) == (True, 5, 15)
    with _api(database, organization_id) as api:
        lines = read_all_lines(api, "2024-01-01", "2025-01-01")
    assert [(item["account"]["number"], item["amount"]) for item in lines[:3]] == [
        (1500, Decimal("1250.1")),
        (3000, Decimal("-1000.08")),
        (2700, Decimal("-250.02")),
    ]
    assert sorted({item["transaction"]["number"] for item in lines}) == [1, 2, 3, 4, 5]


def test_importing_the_same_file_twice_adds_nothing(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(3))
    arguments = ("import", "transactions", str(source), "--organization", str(organization_id))

    first = database.run(*arguments)
    second = database.run(*arguments)

    assert first.exit_code == 0, (first.output, first.exception)
    assert second.exit_code == 0, (second.output, second.exception)
    assert "imported already" in second.stderr
    assert database.count(transaction_lines, organization_id=organization_id) == 9
    report = _verify(database, organization_id)
    assert (report["ok"], report["vouchers"], report["lines"]) == (True, 3, 9)


def test_the_same_file_imports_into_another_organization(database: Database, tmp_path: Path) -> None:
    first, second = _create_org(database), _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(2))

    for organization_id in (first, second):
        result = database.run("import", "transactions", str(source), "--organization", str(organization_id))
        assert result.exit_code == 0, (result.output, result.exception)

    assert database.count(transaction_lines, organization_id=first) == 6
    assert database.count(transaction_lines, organization_id=second) == 6


def _with_unbalanced_line_3(tmp_path: Path) -> Path:
    bodies = _vouchers(5)
    bodies[2] = voucher("2024-03-15", line(1920, 100), line(3000, -99.99))
    return write_jsonl(tmp_path / "bad.jsonl", bodies)


def test_an_unbalanced_line_3_fails_naming_it_and_stores_nothing(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = _with_unbalanced_line_3(tmp_path)
    arguments = ("import", "transactions", str(source), "--organization", str(organization_id))

    result = database.run(*arguments)

    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationFailed), result.output
    assert [(problem.path, problem.keyword) for problem in result.exception.problems] == [
        ("line 3 /lines", "balanced")
    ]
    assert "0.01" in result.exception.problems[0].message
    assert database.count(transaction_lines, organization_id=organization_id) == 0
    assert database.count(account_daily_totals, organization_id=organization_id) == 0
    assert _verify(database, organization_id) == {
        "ok": True,
        "vouchers": 0,
        "lines": 0,
        "unbalancedVouchers": 0,
        "totalMismatches": 0,
    }

    # A failed file is not remembered as imported: it fails again, and a good one starts at number 1.
    again = database.run(*arguments)
    assert isinstance(again.exception, ValidationFailed)
    good = write_jsonl(tmp_path / "good.jsonl", _vouchers(2))
    assert (
        database.run("import", "transactions", str(good), "--organization", str(organization_id)).exit_code
        == 0
    )
    with _api(database, organization_id) as api:
        numbers = {item["transaction"]["number"] for item in read_all_lines(api, "2024-01-01", "2025-01-01")}
    assert numbers == {1, 2}


def test_every_bad_line_is_named_and_nothing_is_stored(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    bodies = _vouchers(6)
    bodies[1] = voucher("2024-02-15", line(9999, 10), line(1920, -10))  # unknown account
    bodies[4] = voucher("2022-06-01", line(1920, 10), line(2050, -10))  # 2022 is not open
    source = write_jsonl(tmp_path / "bad.jsonl", bodies)
    with source.open("a", encoding="utf-8") as stream:
        stream.write("\n")  # a blank line is skipped, and does not shift the numbering
        stream.write('{"transactionTypeNumber": 6, "date": "2024-01-01", "lines": [\n')  # line 8: not JSON
        # line 9: an amount written as a string
        stream.write(
            '{"transactionTypeNumber": 6, "date": "2024-01-01", '
            '"lines": [{"accountNumber": 1920, "amount": "10", "tax": {"number": 0}}]}\n'
        )

    result = database.run("import", "transactions", str(source), "--organization", str(organization_id))

    assert isinstance(result.exception, ValidationFailed), result.output
    named = sorted({" ".join(problem.path.split()[:2]) for problem in result.exception.problems})
    assert named == ["line 2", "line 5", "line 8", "line 9"]
    assert database.count(transaction_lines, organization_id=organization_id) == 0


def test_the_entry_point_prints_the_bad_line_and_exits_1(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = _with_unbalanced_line_3(tmp_path)

    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kontobok.cli import main; sys.argv[0] = 'kontobok'; main()",
            "import",
            "transactions",
            str(source),
            "--organization",
            str(organization_id),
            "--database-url",
            database.url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert completed.returncode == 1, completed.stderr
    assert "line 3 /lines" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert database.count(transaction_lines, organization_id=organization_id) == 0


def test_a_bad_voucher_after_the_first_batch_leaves_nothing_behind(
    database: Database, tmp_path: Path
) -> None:
    """Vouchers are written in batches of 1000; a bad line after the first batch still stores nothing."""
    organization_id = _create_org(database)
    bodies = [*_vouchers(12) * 90, voucher("2024-12-31", line(1920, 1), line(2050, -2))]
    source = write_jsonl(tmp_path / "big.jsonl", bodies)

    result = database.run("import", "transactions", str(source), "--organization", str(organization_id))

    assert isinstance(result.exception, ValidationFailed), result.output
    assert [problem.path for problem in result.exception.problems] == ["line 1081 /lines"]
    assert database.count(transaction_lines, organization_id=organization_id) == 0
    assert database.count(account_daily_totals, organization_id=organization_id) == 0
    good = write_jsonl(tmp_path / "good.jsonl", _vouchers(1))
    assert (
        database.run("import", "transactions", str(good), "--organization", str(organization_id)).exit_code
        == 0
    )
    with _api(database, organization_id) as api:
        [first, *_] = read_all_lines(api, "2024-01-01", "2025-01-01")
    assert first["transaction"]["number"] == 1


def _waiting_on_locks(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar_one()
        )


@pytest.mark.slow
def test_two_concurrent_imports_of_one_file_add_it_once(database: Database, tmp_path: Path) -> None:
    """Both commands succeed; one imports the file, the other says it was imported already.

    The test holds the lock the importers need (on PostgreSQL the row of the voucher-number counter, on
    SQLite the write lock) until both have started, so that they really overlap.
    """
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(12) * 20)
    command = [
        sys.executable,
        "-c",
        "from kontobok.cli import main; main()",
        "import",
        "transactions",
        str(source),
        "--organization",
        str(organization_id),
        "--database-url",
        database.url,
    ]
    postgres = database.engine.dialect.name == "postgresql"
    with write_transaction(database.engine) as blocker:
        if postgres:
            kinds = transaction_types.c
            blocker.execute(
                sa.select(kinds.number)
                .where((kinds.organization_id == organization_id) & (kinds.number == 1))
                .with_for_update()
            )
        importers = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        if postgres:
            while _waiting_on_locks(database.engine) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        else:
            time.sleep(1.5)
    outcomes = []
    for importer in importers:
        _, stderr = importer.communicate(timeout=300)
        outcomes.append((importer.returncode, stderr))

    assert database.count(transaction_lines, organization_id=organization_id) == 240 * 3
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert sum("imported already" in stderr for _, stderr in outcomes) == 1, outcomes


def test_import_into_an_unknown_organization_fails(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(1))

    result = database.run(
        "import", "transactions", str(source), "--organization", str(organization_id + 1000)
    )

    assert result.exit_code != 0
    assert database.count(transaction_lines, organization_id=organization_id + 1000) == 0


# --- verify ------------------------------------------------------------------------------------------------


def test_verify_reports_ok_on_sound_books(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    assert _verify(database, organization_id)["ok"] is True  # no vouchers at all
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(4))
    assert (
        database.run("import", "transactions", str(source), "--organization", str(organization_id)).exit_code
        == 0
    )

    result = database.run("verify", "--organization", str(organization_id))

    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "ok": True,
        "vouchers": 4,
        "lines": 12,
        "unbalancedVouchers": 0,
        "totalMismatches": 0,
    }


def test_verify_finds_a_tampered_line_and_exits_1(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(2))
    assert (
        database.run("import", "transactions", str(source), "--organization", str(organization_id)).exit_code
        == 0
    )
    lines = transaction_lines.c
    with past_the_triggers(database.engine) as connection:
        connection.execute(
            transaction_lines.update()
            .where(
                (lines.organization_id == organization_id)
                & (lines.account_number == 2700)
                & (lines.voucher_number == 1)
            )
            .values(amount=lines.amount + 1)
        )

    result = database.run("verify", "--organization", str(organization_id))

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    # The voucher no longer balances, and 2700's stored totals differ from its lines: the day and the month,
    # each by date and by period.
    assert (report["ok"], report["unbalancedVouchers"], report["totalMismatches"]) == (False, 1, 4)
    assert "sums to 1 minor units" in result.stderr


def test_verify_finds_a_tampered_daily_total(database: Database, tmp_path: Path) -> None:
    organization_id = _create_org(database)
    source = write_jsonl(tmp_path / "vouchers.jsonl", _vouchers(2))
    assert (
        database.run("import", "transactions", str(source), "--organization", str(organization_id)).exit_code
        == 0
    )
    totals = account_daily_totals.c
    with write_transaction(database.engine) as connection:
        changed = connection.execute(
            account_daily_totals.update()
            .where((totals.organization_id == organization_id) & (totals.basis == 0))
            .values(movement=totals.movement + 100)
        ).rowcount
    assert changed > 0

    result = database.run("verify", "--organization", str(organization_id))

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["ok"], report["unbalancedVouchers"], report["totalMismatches"]) == (False, 0, changed)


def test_verify_of_an_unknown_organization_fails(database: Database) -> None:
    organization_id = _create_org(database)

    result = database.run("verify", "--organization", str(organization_id + 1000))

    assert result.exit_code != 0
