"""Webhook subscriptions and balance monitors: made, listed and removed, one transaction each.

A subscription sends every event of the types it names (all types without a list) to one URL, signed with a
secret of its own (``whsec_`` and 32 random bytes in base64, the Standard Webhooks form) that is shown once,
when it is made. A balance monitor watches one ledger account's balance (every line ever posted to it, in
the base currency) and queues a ``balance.below`` event when the balance crosses below its threshold: to
its own new subscription when made with a URL, otherwise to the organization's subscriptions that take
``balance.below``.
"""

from __future__ import annotations

import base64
import secrets
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.events import EVENT_TYPES
from kontobok.core.money import to_decimal, to_minor_units
from kontobok.services.webhook_urls import validated_url
from kontobok.store.clock import utc_now
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.events import base_currency_of
from kontobok.store.outbox import ALL_TYPES
from kontobok.store.webhooks import (
    Monitor,
    Subscription,
    account_balance,
    delete_monitor,
    delete_subscription,
    deliveries,
    get_subscription,
    insert_monitor,
    insert_subscription,
    list_monitors,
    list_subscriptions,
    lock_for_monitor,
)

MAX_SUBSCRIPTIONS = 20
MAX_LOG = 1000


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def parse_event_types(types: list[str] | None) -> str:
    """The stored form of a list of event types: ``*`` for all, else the known types comma-separated."""
    if not types:
        return ALL_TYPES
    unknown = sorted(set(types) - EVENT_TYPES)
    if unknown:
        raise ValidationFailed.single(
            "/events",
            "enum",
            f"unknown event types {', '.join(unknown)}; known: {', '.join(sorted(EVENT_TYPES))}",
        )
    return ",".join(sorted(set(types)))


def add_webhook(engine: sa.Engine, organization_id: int, url: str, types: list[str] | None) -> dict[str, Any]:
    """Subscribe ``url`` to the events; the answer holds the secret, which is never shown again."""
    with write_transaction(engine) as connection:
        return add_webhook_in(connection, organization_id, url, types)


def add_webhook_in(
    connection: sa.Connection, organization_id: int, url: str, types: list[str] | None
) -> dict[str, Any]:
    """:func:`add_webhook` in the caller's write transaction."""
    subscription = Subscription(
        "wh_" + secrets.token_hex(12), validated_url(url), new_secret(), parse_event_types(types), utc_now()
    )
    _check_room(connection, organization_id)
    insert_subscription(connection, organization_id, subscription)
    return subscription.as_json(with_secret=True)


def _check_room(connection: sa.Connection, organization_id: int) -> None:
    if len(list_subscriptions(connection, organization_id)) >= MAX_SUBSCRIPTIONS:
        raise ValidationFailed.single(
            "/url", "maxItems", f"an organization has at most {MAX_SUBSCRIPTIONS} webhooks"
        )


def list_webhooks(engine: sa.Engine, organization_id: int) -> list[dict[str, Any]]:
    with read_transaction(engine) as connection:
        return [item.as_json() for item in list_subscriptions(connection, organization_id)]


def remove_webhook(engine: sa.Engine, organization_id: int, subscription_id: str) -> None:
    with write_transaction(engine) as connection:
        delete_subscription(connection, organization_id, subscription_id)


def webhook_log(
    engine: sa.Engine, organization_id: int, subscription_id: str, limit: int
) -> list[dict[str, Any]]:
    if not 1 <= limit <= MAX_LOG:
        raise ValidationFailed.single("/limit", "maximum", f"limit must be between 1 and {MAX_LOG}")
    with read_transaction(engine) as connection:
        get_subscription(connection, organization_id, subscription_id)
        return deliveries(connection, organization_id, subscription_id, limit)


def add_monitor(
    engine: sa.Engine, organization_id: int, account_number: int, below: Decimal, url: str | None
) -> dict[str, Any]:
    """Watch an account's balance; starts from the balance now, below the threshold or not."""
    with write_transaction(engine) as connection:
        return add_monitor_in(connection, organization_id, account_number, below, url)


def add_monitor_in(
    connection: sa.Connection, organization_id: int, account_number: int, below: Decimal, url: str | None
) -> dict[str, Any]:
    """:func:`add_monitor` in the caller's write transaction."""
    subscription = None
    if url is not None:
        subscription = Subscription(
            "wh_" + secrets.token_hex(12), validated_url(url), new_secret(), "balance.below", utc_now()
        )
    currency = base_currency_of(connection, organization_id)
    threshold = to_minor_units(below, currency, path="/below")
    if isinstance(threshold, Problem):
        raise ValidationFailed([threshold])
    if abs(threshold) >= 2**62:
        raise ValidationFailed.single("/below", "maximum", "below is out of range")
    lock_for_monitor(connection, organization_id)
    balance = account_balance(connection, organization_id, account_number)
    if subscription is not None:
        _check_room(connection, organization_id)
        insert_subscription(connection, organization_id, subscription)
    monitor = Monitor(
        "mon_" + secrets.token_hex(12),
        account_number,
        threshold,
        balance,
        balance < threshold,
        subscription.subscription_id if subscription else None,
    )
    insert_monitor(connection, organization_id, monitor, utc_now())
    body = _monitor_json(monitor, currency)
    if subscription is not None:
        body["webhook"] = subscription.as_json(with_secret=True)
    return body


def _monitor_json(monitor: Monitor, currency: str) -> dict[str, Any]:
    return {
        "id": monitor.monitor_id,
        "accountNumber": monitor.account_number,
        "below": to_decimal(monitor.threshold, currency),
        "balance": to_decimal(monitor.balance, currency),
        "isBelow": monitor.is_below,
        "webhookId": monitor.subscription_id,
    }


def monitors(engine: sa.Engine, organization_id: int) -> list[dict[str, Any]]:
    with read_transaction(engine) as connection:
        currency = base_currency_of(connection, organization_id)
        return [_monitor_json(item, currency) for item in list_monitors(connection, organization_id)]


def remove_monitor(engine: sa.Engine, organization_id: int, monitor_id: str) -> None:
    with write_transaction(engine) as connection:
        delete_monitor(connection, organization_id, monitor_id)
