"""SAF-T commands of the ``kontobok`` CLI: import a SAF-T Financial file, export a fiscal year as one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import simplejson
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kontobok.core.errors import ValidationFailed
from kontobok.core.instants import parse_instant
from kontobok.core.money import to_decimal
from kontobok.exporters.saft import export_saft
from kontobok.services.file_imports import import_saft_file
from kontobok.store.database import open_database, read_transaction
from kontobok.store.organizations import get_organization
from kontobok.store.saft_import import SaftImportReport

err = Console(stderr=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]


def register(import_app: typer.Typer, export_app: typer.Typer) -> None:
    @import_app.command("saft")
    def import_saft_command(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        organization: OrganizationId,
        database_url: DatabaseUrl = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Import a SAF-T Financial file (1.10, 1.20, 1.30) and check every closing balance it states."""
        engine = open_database(database_url)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description} {task.completed} transactions"),
            TimeElapsedColumn(),
            console=err,
            disable=not err.is_terminal,
        ) as progress:
            task = progress.add_task("importing", total=None)
            outcome = import_saft_file(
                engine, organization, file, on_transaction=lambda: progress.advance(task)
            )
        if outcome.already_imported:
            err.print(f"{file} was imported already; nothing added.")
        assert outcome.saft is not None
        with read_transaction(engine) as connection:
            books = get_organization(connection, organization)
        report = outcome.saft
        _print_saft_report(report, books.base_currency, as_json)

    @export_app.command("saft")
    def export_saft_command(
        organization: OrganizationId,
        year: Annotated[
            int, typer.Option("--year", help="The fiscal year (the calendar year it starts in).")
        ],
        output: Annotated[Path, typer.Option("--output", help="The file to write.", dir_okay=False)],
        database_url: DatabaseUrl = None,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of",
                help="An ISO 8601 instant (e.g. 2025-02-15T12:00:00Z): the books as they stood then. "
                "The same instant later gives the same file, byte for byte.",
            ),
        ] = None,
    ) -> None:
        """Write one fiscal year as a SAF-T Financial 1.30 file."""
        try:
            instant = None if as_of is None else parse_instant(as_of, path="--as-of")
        except ValidationFailed as error:
            err.print(error.problems[0].message)
            raise typer.Exit(2) from None
        with read_transaction(open_database(database_url), snapshot=True) as connection:
            books = get_organization(connection, organization)
            summary = export_saft(connection, books, year, output, as_of=instant)
        err.print(
            f"Wrote {output}: fiscal year {year}, {summary.accounts} accounts, "
            f"{summary.vouchers} vouchers with {summary.lines} lines."
        )
        if summary.opening_imbalance:
            err.print(
                f"[yellow]warning: the opening balances sum to "
                f"{to_decimal(summary.opening_imbalance, books.base_currency)}, not 0: the result of earlier "
                "years has not been transferred to equity (post 8800 against 2050 in the year it belongs to)."
                "[/yellow]"
            )


def _print_saft_report(report: SaftImportReport, currency: str, as_json: bool) -> None:
    def money(minor: int) -> Any:
        return to_decimal(minor, currency)

    differences = [
        {
            "account": int(d.key),
            "stated": money(d.stated),
            "computed": money(d.computed),
            "difference": money(d.difference),
        }
        for d in report.differences
    ]
    party_differences = [
        {
            kind: d.key,
            "stated": money(d.stated),
            "computed": money(d.computed),
            "difference": money(d.difference),
        }
        for kind, d in report.party_differences
    ]
    for warning in report.warnings:
        err.print(f"[yellow]warning: {warning}[/yellow]")
    if as_json:
        typer.echo(
            simplejson.dumps(
                {
                    "differences": differences,
                    "partyDifferences": party_differences,
                    "vouchers": report.vouchers,
                    "lines": report.lines,
                    "accountsCreated": report.accounts_created,
                    "customers": report.customers,
                    "suppliers": report.suppliers,
                    "suspense": money(report.suspense),
                    "warnings": report.warnings,
                },
                use_decimal=True,
            )
        )
        return
    if differences or party_differences:
        table = Table("account / party", "stated closing", "opening + lines", "difference")
        for row in differences:
            table.add_row(
                str(row["account"]), str(row["stated"]), str(row["computed"]), str(row["difference"])
            )
        for row in party_differences:
            key = next(iter(row))
            table.add_row(
                f"{key} {row[key]}", str(row["stated"]), str(row["computed"]), str(row["difference"])
            )
        Console().print(table)
    err.print(
        f"Imported {report.vouchers} vouchers with {report.lines} lines; "
        f"{len(differences)} accounts and {len(party_differences)} parties do not reconcile."
    )
