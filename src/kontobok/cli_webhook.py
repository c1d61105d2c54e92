"""Webhook commands of the ``kontobok`` CLI: subscriptions, their delivery log, the worker, balance monitors.

Every command prints JSON on standard output. ``webhook deliver`` makes one delivery pass (or, with
``--loop``, keeps delivering until interrupted); ``kontobok serve`` runs the same worker in the background.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from threading import Event
from typing import Annotated, Any

import simplejson
import typer

from kontobok.services.delivery import deliver_due, run_worker
from kontobok.services.webhooks import (
    add_monitor,
    add_webhook,
    list_webhooks,
    monitors,
    remove_monitor,
    remove_webhook,
    webhook_log,
)
from kontobok.store.database import open_books, open_database

webhook_app = typer.Typer(
    help="Signed webhooks of the change feed, and balance monitors.", no_args_is_help=True
)
monitor_app = typer.Typer(
    help="Balance monitors: tell when an account goes below a threshold.", no_args_is_help=True
)
webhook_app.add_typer(monitor_app, name="monitor")
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(webhook_app, name="webhook")


def _print(body: Any) -> None:
    # amounts as the exact numbers they are, as the API writes them
    typer.echo(simplejson.dumps(body, indent=2, ensure_ascii=False, use_decimal=True))


@webhook_app.command("add")
def webhook_add(
    organization: OrganizationId,
    url: Annotated[str, typer.Option(help="Where to POST the events: https, or a loopback address.")],
    events: Annotated[
        str | None, typer.Option(help="Event types, comma-separated; default every type.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Subscribe a URL; prints the subscription with its secret (shown only now)."""
    types = [item.strip() for item in events.split(",") if item.strip()] if events else None
    _print(add_webhook(open_books(database_url, organization), organization, url, types))


@webhook_app.command("list")
def webhook_list(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """The organization's subscriptions (without their secrets)."""
    _print(list_webhooks(open_books(database_url, organization), organization))


@webhook_app.command("remove")
def webhook_remove(
    organization: OrganizationId,
    webhook_id: Annotated[str, typer.Argument(help="The subscription's id (wh_...).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Remove a subscription and its undelivered events."""
    remove_webhook(open_books(database_url, organization), organization, webhook_id)
    _print({"removed": webhook_id})


@webhook_app.command("log")
def webhook_log_command(
    organization: OrganizationId,
    webhook_id: Annotated[str, typer.Argument(help="The subscription's id (wh_...).")],
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    database_url: DatabaseUrl = None,
) -> None:
    """The delivery log: each event's status, attempts, last response code and error, latest first."""
    _print(webhook_log(open_books(database_url, organization), organization, webhook_id, limit))


@webhook_app.command("deliver")
def webhook_deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until interrupted.")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between passes with --loop.")] = 2.0,
    database_url: DatabaseUrl = None,
) -> None:
    """Send the deliveries that are due, for every organization."""
    engine = open_database(database_url)
    if not loop:
        _print(deliver_due(engine).as_json())
        return
    stop = Event()
    try:
        run_worker(engine, stop, interval_seconds=interval)
    except KeyboardInterrupt:
        stop.set()


@monitor_app.command("add")
def monitor_add(
    organization: OrganizationId,
    account: Annotated[int, typer.Option(help="The ledger account's number, e.g. 1920.")],
    below: Annotated[str, typer.Option(help="Threshold in the base currency, e.g. 10000 or -500.50.")],
    url: Annotated[
        str | None, typer.Option(help="A URL of its own; else the balance.below subscribers.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Fire a balance.below event once each time the account's balance crosses below the threshold."""
    try:
        threshold = Decimal(below)
    except InvalidOperation:
        raise typer.BadParameter("a decimal number, e.g. 10000.50", param_hint="--below") from None
    _print(add_monitor(open_books(database_url, organization), organization, account, threshold, url))


@monitor_app.command("list")
def monitor_list(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """The organization's balance monitors."""
    _print(monitors(open_books(database_url, organization), organization))


@monitor_app.command("remove")
def monitor_remove(
    organization: OrganizationId,
    monitor_id: Annotated[str, typer.Argument(help="The monitor's id (mon_...).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Stop watching."""
    remove_monitor(open_books(database_url, organization), organization, monitor_id)
    _print({"removed": monitor_id})
