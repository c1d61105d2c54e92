"""Bank commands of the ``kontobok`` CLI: statement imports and reconciliation."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import simplejson
import typer
from rich.console import Console
from rich.table import Table

from kontobok.core.money import to_decimal
from kontobok.core.periods import MAX_DAYS_PER_REPORT, inclusive_range
from kontobok.services import file_imports
from kontobok.store.bank_accounts import owner_of_bank_account
from kontobok.store.database import open_database, read_transaction
from kontobok.store.organizations import get_organization
from kontobok.store.reconciliation import Reconciliation, reconcile
from kontobok.store.statement_import import StatementImport

err = Console(stderr=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]
BankAccountOption = Annotated[
    str | None, typer.Option("--bank-account", help="File every statement under this bank account.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def import_statement_file(
    kind: Literal["camt053", "mt940"],
    file: Path,
    organization: int,
    bank_account: str | None,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Import every statement of ``file`` in one transaction; a second import of the file adds nothing."""
    engine = open_database(database_url)
    with err.status(f"importing {file.name}"):
        outcome = file_imports.import_statement_file(
            engine,
            organization,
            kind,
            file,
            bank_account_id=uuid.UUID(bank_account) if bank_account else None,
        )
    if outcome.already_imported:
        err.print(f"{file} was imported already; nothing added.")
    assert outcome.statements is not None
    _print_statement_report(outcome.statements, as_json)


def _print_statement_report(report: StatementImport, as_json: bool) -> None:
    rows = [
        {
            "statement": result.identity,
            "bankAccount": str(result.bank_account_id),
            "accountNumber": result.account_number,
            "currency": result.currency,
            "opening": to_decimal(result.opening, result.currency),
            "closing": to_decimal(result.closing, result.currency),
            "computedClosing": to_decimal(result.computed_closing, result.currency),
            "difference": to_decimal(result.difference, result.currency),
            "entries": result.entries,
            "entriesAdded": result.entries_added,
        }
        for result in report.statements
    ]
    for warning in report.warnings:
        err.print(f"[yellow]warning: {warning}[/yellow]")
    if as_json:
        typer.echo(
            simplejson.dumps(
                {
                    "statements": rows,
                    "differences": [row for row in rows if row["difference"] != 0],
                    "accountsCreated": report.accounts_created,
                    "warnings": report.warnings,
                },
                use_decimal=True,
            )
        )
        return
    table = Table("statement", "account", "opening", "closing", "opening + entries", "difference", "added")
    for row in rows:
        style = "red" if row["difference"] != 0 else None
        table.add_row(
            str(row["statement"]),
            f"{row['accountNumber']} {row['currency']}",
            str(row["opening"]),
            str(row["closing"]),
            str(row["computedClosing"]),
            str(row["difference"]),
            f"{row['entriesAdded']}/{row['entries']}",
            style=style,
        )
    Console().print(table)
    differing = sum(1 for row in rows if row["difference"] != 0)
    err.print(f"{len(rows)} statements, {differing} whose closing differs from opening + entries.")


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    @import_app.command("mt940")
    def import_mt940(
        file: FileArgument,
        organization: OrganizationId,
        bank_account: BankAccountOption = None,
        database_url: DatabaseUrl = None,
        as_json: AsJson = False,
    ) -> None:
        """Import SWIFT MT940 statements: entries become bank transactions, balances snapshots."""
        import_statement_file("mt940", file, organization, bank_account, database_url, as_json)

    @import_app.command("camt053")
    def import_camt053(
        file: FileArgument,
        organization: OrganizationId,
        bank_account: BankAccountOption = None,
        database_url: DatabaseUrl = None,
        as_json: AsJson = False,
    ) -> None:
        """Import ISO 20022 camt.053 statements (001.02, .04, .08)."""
        import_statement_file("camt053", file, organization, bank_account, database_url, as_json)

    @app.command("reconcile")
    def reconcile_command(
        bank_account: Annotated[str, typer.Option("--bank-account", help="Bank account id.")],
        date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
        date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
        organization: Annotated[int | None, typer.Option("--organization")] = None,
        database_url: DatabaseUrl = None,
        as_json: AsJson = False,
    ) -> None:
        """Per day: the bank's end-of-day balance, the linked ledger account's balance and the difference."""
        try:
            account_id = uuid.UUID(bank_account)
            span = inclusive_range(date.fromisoformat(date_from), date.fromisoformat(date_to))
        except (ValueError, OverflowError) as error:
            raise typer.BadParameter(str(error)) from None
        if (span.end - span.begin).days > MAX_DAYS_PER_REPORT:
            raise typer.BadParameter(
                f"--from..--to may cover at most {MAX_DAYS_PER_REPORT} days", param_hint="--to"
            )
        with read_transaction(open_database(database_url)) as connection:
            owner = organization or owner_of_bank_account(connection, account_id)
            if owner is None:
                raise typer.BadParameter(
                    f"bank account {bank_account} does not exist", param_hint="--bank-account"
                )
            books = get_organization(connection, owner)
            report = reconcile(connection, books, account_id, span)
        _print_reconciliation(report, books.base_currency, as_json)


def _print_reconciliation(report: Reconciliation, base_currency: str, as_json: bool) -> None:
    """Bank figures in the bank account's currency; the ledger side and the difference in the base one."""
    currency = report.account.details.currency

    def money(value: int | None, in_currency: str = currency) -> Any:
        return None if value is None else to_decimal(value, in_currency)

    days = [
        {
            "date": day.day.isoformat(),
            "bankBalance": money(day.bank_balance),
            "rate": day.rate,
            "bankBalanceInBaseCurrency": money(day.bank_balance_in_base, base_currency),
            "ledgerBalance": money(day.ledger_balance, base_currency),
            "difference": money(day.difference, base_currency),
        }
        for day in report.days
    ]
    checks = [
        {
            "date": check.snapshot.day.isoformat(),
            "reported": money(check.snapshot.amount),
            "computed": money(check.computed),
            "difference": money(check.difference),
        }
        for check in report.differing_checks
    ]
    if as_json:
        typer.echo(simplejson.dumps({"days": days, "balanceChecks": checks}, use_decimal=True))
        return
    converted = currency != base_currency
    columns = ["date", f"bank ({currency})", *([f"bank ({base_currency})"] if converted else [])]
    table = Table(*columns, f"ledger ({base_currency})", "difference")
    for day in days:
        bank = [str(day["bankBalance"]), *([str(day["bankBalanceInBaseCurrency"])] if converted else [])]
        table.add_row(day["date"], *bank, str(day["ledgerBalance"]), str(day["difference"]))
    Console().print(table)
    for check in checks:
        err.print(
            f"[red]{check['date']}: the bank reported {check['reported']}, its transactions give "
            f"{check['computed']} (difference {check['difference']})[/red]"
        )
