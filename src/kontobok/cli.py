"""The ``kontobok`` command: run the server, create organizations and clients, import, verify, demo.

Every command opens the database through :func:`kontobok.store.database.open_database`, which brings the
schema up to date first, so a fresh machine needs no separate migration step.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from stdnum.no import orgnr

from kontobok import (
    cli_access,
    cli_audit,
    cli_bank,
    cli_bench,
    cli_db,
    cli_mcp,
    cli_report,
    cli_saft,
    cli_webhook,
)
from kontobok.api.scopes import ALL_SCOPES
from kontobok.core.errors import KontobokError, ValidationFailed
from kontobok.core.money import KNOWN_CURRENCIES
from kontobok.core.text import NUL_MESSAGE, has_nul
from kontobok.services.file_imports import import_transactions_file
from kontobok.store.clients import create_client
from kontobok.store.database import open_database, read_transaction, write_transaction
from kontobok.store.organizations import create_organization, get_organization
from kontobok.store.verification import verify_books

app = typer.Typer(help="kontobok: a general ledger and bank-balance server.", no_args_is_help=True)
org_app = typer.Typer(help="Organizations (tenants).", no_args_is_help=True)
client_app = typer.Typer(help="API clients (OAuth2 client credentials).", no_args_is_help=True)
import_app = typer.Typer(help="Import files into an organization's books.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(client_app, name="client")
export_app = typer.Typer(help="Export an organization's books to files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
cli_bank.register(app, import_app)
cli_saft.register(import_app, export_app)
cli_bench.register(app)
cli_report.register(app)
cli_access.register(org_app, client_app)
cli_db.register(app)
cli_audit.register(app)
cli_webhook.register(app)
cli_mcp.register(app)

err = Console(stderr=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]


def parse_years(text: str | None) -> range:
    """``2023-2025`` or ``2024``; without a value, the current year."""
    if not text:
        return range(date.today().year, date.today().year + 1)
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if match is None or int(match.group(2) or match.group(1)) < int(match.group(1)):
        raise typer.BadParameter("use YEAR or FIRST-LAST, e.g. 2023-2025", param_hint="--open-years")
    return range(int(match.group(1)), int(match.group(2) or match.group(1)) + 1)


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    deliver_webhooks: Annotated[
        bool, typer.Option("--deliver-webhooks/--no-deliver-webhooks", help="Run the webhook worker too.")
    ] = True,
) -> None:
    """Run the HTTP API (docs at /docs), the dashboard at /ui/ and the webhook worker."""
    import threading

    import uvicorn

    from kontobok.api.app import create_app
    from kontobok.services.delivery import run_worker

    engine = open_database(database_url)
    stop = threading.Event()
    if deliver_webhooks:
        threading.Thread(target=run_worker, args=(engine, stop), name="webhooks", daemon=True).start()
    try:
        uvicorn.run(create_app(engine), host=host, port=port, log_level="info")
    finally:
        stop.set()


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Option(help="The organization's name.")],
    organization_number: Annotated[str, typer.Option(help="Norwegian organization number (9 digits).")],
    currency: Annotated[str, typer.Option(help="Base currency (ISO 4217).")] = "NOK",
    fiscal_year_start_month: Annotated[int, typer.Option(min=1, max=12)] = 1,
    time_zone: Annotated[str, typer.Option(help="IANA time zone.")] = "Europe/Oslo",
    open_years: Annotated[str | None, typer.Option(help="Fiscal years to open: 2024 or 2023-2025.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an organization with the standard chart, VAT codes and transaction types; print it as JSON."""
    if has_nul(name):
        raise typer.BadParameter(NUL_MESSAGE, param_hint="--name")
    number = orgnr.compact(organization_number)
    if not orgnr.is_valid(number):
        raise typer.BadParameter(
            "not a valid Norwegian organization number", param_hint="--organization-number"
        )
    if currency not in KNOWN_CURRENCIES:
        raise typer.BadParameter(f"use one of {', '.join(KNOWN_CURRENCIES)}", param_hint="--currency")
    years = parse_years(open_years)
    with write_transaction(open_database(database_url)) as connection:
        organization = create_organization(
            connection,
            name=name,
            organization_number=number,
            base_currency=currency,
            time_zone=time_zone,
            fiscal_year_start_month=fiscal_year_start_month,
            open_years=years,
        )
    typer.echo(json.dumps(organization.as_json()))


@client_app.command("create")
def client_create(
    organization: OrganizationId,
    scope: Annotated[list[str] | None, typer.Option(help="A scope to grant (repeat); default: all.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API client for an organization and print its id and secret as JSON (shown only once)."""
    scopes = frozenset(part for item in scope or [] for part in item.split()) or ALL_SCOPES
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise typer.BadParameter(f"unknown scope {', '.join(sorted(unknown))}", param_hint="--scope")
    with write_transaction(open_database(database_url)) as connection:
        get_organization(connection, organization)
        credentials = create_client(connection, organization, scopes)
    typer.echo(json.dumps({"client_id": credentials.client_id, "client_secret": credentials.client_secret}))


@import_app.command("transactions")
def import_transactions(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    organization: OrganizationId,
    database_url: DatabaseUrl = None,
) -> None:
    """Post every TransactionInput of a JSON-lines file, all or nothing; a second import adds nothing."""
    engine = open_database(database_url)
    with _progress(file.stat().st_size) as (progress, task):
        outcome = import_transactions_file(
            engine, organization, file, on_bytes=lambda n: progress.advance(task, n)
        )
    if outcome.already_imported:
        err.print(f"{file} was imported already; nothing added.")
        return
    err.print(f"Imported {outcome.summary} from {file}.")


def _progress(total: int) -> _ProgressContext:
    return _ProgressContext(total)


class _ProgressContext:
    def __init__(self, total: int) -> None:
        self.progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=not err.is_terminal,
        )
        self.total = total

    def __enter__(self) -> tuple[Progress, TaskID]:
        self.progress.start()
        return self.progress, self.progress.add_task("importing", total=self.total)

    def __exit__(self, *_: object) -> None:
        self.progress.stop()


@app.command()
def verify(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """Check that every voucher balances and the stored daily totals equal a recomputation from the lines."""
    with read_transaction(open_database(database_url)) as connection:
        get_organization(connection, organization)
        report = verify_books(connection, organization)
    for bad in report.unbalanced:
        err.print(f"[red]voucher {bad.voucher_id} on {bad.day} sums to {bad.total} minor units[/red]")
    for mismatch in report.mismatches:
        err.print(
            f"[red]{mismatch.basis} total of account {mismatch.account_id} on {mismatch.day}: "
            f"stored {mismatch.stored}, recomputed {mismatch.recomputed}[/red]"
        )
    typer.echo(
        json.dumps(
            {
                "ok": report.ok,
                "vouchers": report.vouchers_checked,
                "lines": report.lines_checked,
                "unbalancedVouchers": len(report.unbalanced),
                "totalMismatches": len(report.mismatches),
            }
        )
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def demo(
    database_url: DatabaseUrl = None,
    run_server: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")
    ] = True,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Load a demo company (three years of books) once, print a client to use, and start the server."""
    from kontobok.demo import load_demo

    engine = open_database(database_url)
    load_demo(engine, console=err, host=host, port=port)
    if run_server:
        import uvicorn

        from kontobok.api.app import create_app

        uvicorn.run(create_app(engine), host=host, port=port, log_level="info")


def main() -> None:
    try:
        app()
    except ValidationFailed as failure:
        for problem in failure.problems:
            _print_error(f"{problem.path}: {problem.message}")
        sys.exit(1)
    except KontobokError as error:
        _print_error(error.message)
        sys.exit(1)
    except sa.exc.ArgumentError as error:
        _print_error(f"not a database URL kontobok can use: {_first_line(error)}")
        sys.exit(1)
    except sa.exc.OperationalError as error:
        # the database cannot be reached or opened (or stayed locked): say so in one line, not a traceback
        _print_error(f"the database cannot be used: {_first_line(error.orig)}")
        sys.exit(1)


def _first_line(error: BaseException | None) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _print_error(text: str) -> None:
    """One line per problem: the text is the file's, so it is printed as it is, never as markup, unwrapped."""
    err.print(text, style="red", markup=False, highlight=False, soft_wrap=True)
