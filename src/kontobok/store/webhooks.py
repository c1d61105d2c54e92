"""Webhook subscriptions, balance monitors and the delivery log, as stored rows (see :mod:`.outbox`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.store.clock import as_utc
from kontobok.store.journal import lock_books
from kontobok.store.outbox import PENDING
from kontobok.store.schema import (
    account_daily_totals,
    accounts,
    balance_monitors,
    webhook_outbox,
    webhook_subscriptions,
)

_subscriptions = webhook_subscriptions.c
_outbox = webhook_outbox.c
_monitors = balance_monitors.c
DATE_BASIS = 0


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    url: str
    secret: str
    event_types: str
    created_at: datetime

    def as_json(self, *, with_secret: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.subscription_id,
            "url": self.url,
            "events": self.event_types.split(","),
            "createdAt": as_utc(self.created_at).isoformat().replace("+00:00", "Z"),
        }
        if with_secret:
            body["secret"] = self.secret
        return body


def insert_subscription(connection: sa.Connection, organization_id: int, subscription: Subscription) -> None:
    connection.execute(
        webhook_subscriptions.insert().values(
            organization_id=organization_id,
            subscription_id=subscription.subscription_id,
            url=subscription.url,
            secret=subscription.secret,
            event_types=subscription.event_types,
            created_at=subscription.created_at,
        )
    )


def list_subscriptions(connection: sa.Connection, organization_id: int) -> list[Subscription]:
    rows = connection.execute(
        sa.select(webhook_subscriptions)
        .where(_subscriptions.organization_id == organization_id)
        .order_by(_subscriptions.created_at, _subscriptions.subscription_id)
    ).mappings()
    return [_subscription(row) for row in rows]


def get_subscription(connection: sa.Connection, organization_id: int, subscription_id: str) -> Subscription:
    row = (
        connection.execute(
            sa.select(webhook_subscriptions).where(
                (_subscriptions.organization_id == organization_id)
                & (_subscriptions.subscription_id == subscription_id)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"webhook {subscription_id} does not exist")
    return _subscription(row)


def _subscription(row: sa.RowMapping) -> Subscription:
    return Subscription(
        row["subscription_id"], row["url"], row["secret"], row["event_types"], as_utc(row["created_at"])
    )


def delete_subscription(connection: sa.Connection, organization_id: int, subscription_id: str) -> None:
    """Remove a subscription with its deliveries, and the monitors that told only it."""
    get_subscription(connection, organization_id, subscription_id)
    for table, column in (
        (webhook_outbox, _outbox.subscription_id),
        (balance_monitors, _monitors.subscription_id),
        (webhook_subscriptions, _subscriptions.subscription_id),
    ):
        connection.execute(
            table.delete().where((table.c.organization_id == organization_id) & (column == subscription_id))
        )


def deliveries(
    connection: sa.Connection, organization_id: int, subscription_id: str, limit: int
) -> list[dict[str, Any]]:
    """The delivery log of a subscription, the latest events first."""
    rows = connection.execute(
        sa.select(webhook_outbox)
        .where((_outbox.organization_id == organization_id) & (_outbox.subscription_id == subscription_id))
        .order_by(_outbox.position.desc(), _outbox.event_index.desc())
        .limit(limit)
    ).mappings()
    return [
        {
            "messageId": row["message_id"],
            "type": row["event_type"],
            "status": row["status"],
            "attempts": row["attempts"],
            "lastStatusCode": row["last_status_code"],
            "lastError": row["last_error"],
            "nextAttemptAt": _instant(row["next_attempt_at"]) if row["status"] == PENDING else None,
            "finishedAt": _instant(row["finished_at"]),
        }
        for row in rows
    ]


def _instant(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Monitor:
    monitor_id: str
    account_number: int
    threshold: int
    balance: int
    is_below: bool
    subscription_id: str | None


def account_balance(connection: sa.Connection, organization_id: int, number: int) -> int:
    """Every line ever posted to the account, summed from its per-day totals; a 404 for an unknown number."""
    account_id = connection.execute(
        sa.select(accounts.c.account_id).where(
            (accounts.c.organization_id == organization_id) & (accounts.c.number == number)
        )
    ).scalar_one_or_none()
    if account_id is None:
        raise NotFound(f"account {number} does not exist")
    total = connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(account_daily_totals.c.movement), 0)).where(
            (account_daily_totals.c.organization_id == organization_id)
            & (account_daily_totals.c.account_id == account_id)
            & (account_daily_totals.c.basis == DATE_BASIS)
        )
    ).scalar_one()
    return int(total)


def insert_monitor(
    connection: sa.Connection, organization_id: int, monitor: Monitor, created_at: datetime
) -> None:
    connection.execute(
        balance_monitors.insert().values(
            organization_id=organization_id,
            monitor_id=monitor.monitor_id,
            account_number=monitor.account_number,
            threshold=monitor.threshold,
            balance=monitor.balance,
            is_below=monitor.is_below,
            subscription_id=monitor.subscription_id,
            created_at=created_at,
        )
    )


def lock_for_monitor(connection: sa.Connection, organization_id: int) -> None:
    """Hold the books while a monitor reads its starting balance, so no posting slips between."""
    lock_books(connection, organization_id)


def list_monitors(connection: sa.Connection, organization_id: int) -> list[Monitor]:
    rows = connection.execute(
        sa.select(balance_monitors)
        .where(_monitors.organization_id == organization_id)
        .order_by(_monitors.created_at, _monitors.monitor_id)
    ).mappings()
    return [
        Monitor(
            row["monitor_id"],
            row["account_number"],
            row["threshold"],
            row["balance"],
            row["is_below"],
            row["subscription_id"],
        )
        for row in rows
    ]


def delete_monitor(connection: sa.Connection, organization_id: int, monitor_id: str) -> None:
    deleted = connection.execute(
        balance_monitors.delete().where(
            (_monitors.organization_id == organization_id) & (_monitors.monitor_id == monitor_id)
        )
    )
    if deleted.rowcount == 0:
        raise NotFound(f"monitor {monitor_id} does not exist")
