"""``kontobok report``: the financial reports of an organization, as a table, JSON or CSV.

The figures are those of ``/v1/reports`` (:mod:`kontobok.services.reports`), written by the same functions
(:mod:`kontobok.wire.reports`): ``--json`` prints the API's JSON body, ``--csv`` its CSV.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import simplejson
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from kontobok.core.errors import KontobokError, ValidationFailed
from kontobok.core.instants import parse_instant
from kontobok.services.reports import Interval, balance_sheet, income_statement, trial_balance, vat_report
from kontobok.store.database import open_database, read_transaction
from kontobok.store.organizations import Organization, get_organization
from kontobok.wire import reports as wire

report_app = typer.Typer(help="Financial reports: trial balance, balance sheet, income statement, VAT.")
err = Console(stderr=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]
Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="A day, YYYY-MM-DD.")]
DateFrom = Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (inclusive).")]
DateTo = Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (inclusive).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON body.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print the API's CSV.")]
AsOfText = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="An ISO 8601 instant (e.g. 2025-02-15T12:00:00Z): the books as they stood then, leaving out "
        "everything recorded after it, back-dated vouchers and reversals included.",
    ),
]
Report = TypeVar("Report")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _run(
    database_url: str | None,
    organization_id: int,
    read: Callable[[sa.Connection, Organization, datetime | None], Report],
    as_json: Callable[[Report], dict[str, Any]],
    as_table: Callable[[Report], wire.Table],
    *,
    json_wanted: bool,
    csv_wanted: bool,
    title: str,
    as_of: str | None = None,
) -> None:
    """Read the report in one transaction and print it; a refused request is a message, never a traceback.

    ``read`` gets the instant ``as_of`` names (None: now).
    """
    if json_wanted and csv_wanted:
        raise typer.BadParameter("choose --json or --csv, not both")
    try:
        instant = None if as_of is None else parse_instant(as_of, path="--as-of")
        with read_transaction(open_database(database_url), snapshot=instant is not None) as connection:
            report = read(connection, get_organization(connection, organization_id), instant)
    except ValidationFailed as failure:
        for problem in failure.problems:
            err.print(f"[red]{problem.path}: {problem.message}[/red]")
        raise typer.Exit(1) from None
    except KontobokError as error:
        err.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    if json_wanted:
        typer.echo(simplejson.dumps(as_json(report), use_decimal=True, ensure_ascii=False, indent=2))
    elif csv_wanted:
        header, rows = as_table(report)
        typer.echo(wire.csv_text(header, rows), nl=False)
    else:
        _print_table(title, *as_table(report))


# keys that tell a program where a row belongs; a reader sees it from the names and the bold totals
_MACHINE_COLUMNS = frozenset({"section", "line", "side", "group"})


def _is_total(header: list[str], row: list[object]) -> bool:
    """A total of a statement, or a summary row of a flat list (no account number or code)."""
    if "line" in header:
        return row[header.index("line")] == "total"
    return row[0] == ""


def _print_table(title: str, header: list[str], rows: list[list[object]]) -> None:
    shown = [index for index, name in enumerate(header) if name not in _MACHINE_COLUMNS]
    table = Table(*(header[index] for index in shown), title=title)
    for column, index in zip(table.columns, shown, strict=True):
        is_amount = any(isinstance(row[index], int | Decimal) for row in rows)
        if is_amount and header[index] not in ("number", "code"):
            column.justify = "right"
    for row in rows:
        style = "bold" if _is_total(header, row) else None
        table.add_row(*(_cell(row[index]) for index in shown), style=style)
    Console().print(table)


def _cell(value: object) -> str:
    if isinstance(value, Decimal):
        return wire.csv_number(value)
    return str(value)


def _day(value: datetime) -> date:
    return value.date()


@report_app.command("trialbalance")
def trial_balance_command(
    organization: OrganizationId,
    date_from: DateFrom,
    date_to: DateTo,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    as_of: AsOfText = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Every account's opening, debits, credits and closing (ledger signs: debit positive)."""
    _run(
        database_url, organization,
        lambda connection, books, instant: trial_balance(
            connection, books, _day(date_from), _day(date_to), as_of=instant
        ),
        wire.trial_balance_json, wire.trial_balance_table,
        as_of=as_of, json_wanted=as_json, csv_wanted=as_csv,
        title=f"Saldobalanse {_day(date_from)} – {_day(date_to)}",
    )  # fmt: skip


@report_app.command("balancesheet")
def balance_sheet_command(
    organization: OrganizationId,
    day: Annotated[datetime, typer.Option("--date", formats=["%Y-%m-%d"], help="The day, YYYY-MM-DD.")],
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    as_of: AsOfText = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The balance sheet at the end of a day, grouped after NS 4102."""
    _run(
        database_url, organization,
        lambda connection, books, instant: balance_sheet(connection, books, _day(day), as_of=instant),
        wire.balance_sheet_json, wire.balance_sheet_table,
        as_of=as_of, json_wanted=as_json, csv_wanted=as_csv,
        title=f"Balanse {_day(day)}",
    )  # fmt: skip


@report_app.command("incomestatement")
def income_statement_command(
    organization: OrganizationId,
    date_from: DateFrom,
    date_to: DateTo,
    compare_previous_year: Annotated[
        bool, typer.Option("--compare-previous-year", help="Add the same days a year earlier.")
    ] = False,
    interval: Annotated[Interval | None, typer.Option(help="Add a column per month or quarter.")] = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    as_of: AsOfText = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The income statement over a range of one fiscal year (a profit positive)."""
    _run(
        database_url, organization,
        lambda connection, books, instant: income_statement(
            connection, books, _day(date_from), _day(date_to),
            compare_previous_year=compare_previous_year,
            interval=interval,
            as_of=instant,
        ),
        wire.income_statement_json, wire.income_statement_table,
        as_of=as_of, json_wanted=as_json, csv_wanted=as_csv,
        title=f"Resultatregnskap {_day(date_from)} – {_day(date_to)}",
    )  # fmt: skip


@report_app.command("vat")
def vat_command(
    organization: OrganizationId,
    date_from: DateFrom,
    date_to: DateTo,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    as_of: AsOfText = None,
    database_url: DatabaseUrl = None,
) -> None:
    """The VAT return (mva-melding) of a term: basis and VAT per tax code, and the amount payable."""
    _run(
        database_url, organization,
        lambda connection, books, instant: vat_report(
            connection, books, _day(date_from), _day(date_to), as_of=instant
        ),
        wire.vat_report_json, wire.vat_report_table,
        as_of=as_of, json_wanted=as_json, csv_wanted=as_csv,
        title=f"Mva-melding {_day(date_from)} – {_day(date_to)}",
    )  # fmt: skip
