"""The webhook outbox: deliveries owed, written in the same transaction as the change they tell of.

Whenever the journal appends an entry (:func:`kontobok.store.journal.append_entry`), :func:`enqueue_entry`
turns it into events and writes one outbox row per event and matching subscription. The change, its journal
entry and its outbox rows commit together or not at all, so no committed change can miss its webhook and no
webhook can tell of a change that was rolled back. A delivery worker (:mod:`kontobok.services.delivery`)
sends the rows later and records each attempt on the row: the outbox is also the delivery log.

Balance monitors are advanced here too: a monitor keeps the running balance of one account (every line ever
posted to it, in the base currency) and whether it is below its threshold. A voucher entry that moves the
balance from at-or-above to below queues one ``balance.below`` event; postings that leave it below queue
nothing, so the monitor fires again only after the balance has gone back up and crossed once more.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import simplejson
import sqlalchemy as sa

from kontobok.core.events import Event, events_of, voucher_lines
from kontobok.core.money import to_decimal
from kontobok.store.events import base_currency_of, seen_before_in
from kontobok.store.schema import balance_monitors, webhook_outbox, webhook_subscriptions

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"
ALL_TYPES = "*"
# monitor events of an entry are numbered after the entry's own events
MONITOR_INDEX_BASE = 1_000_000


def subscribes_to(event_types: str, event_type: str) -> bool:
    return event_types == ALL_TYPES or event_type in event_types.split(",")


def message_id(organization_id: int, event: Event) -> str:
    """The ``webhook-id`` of an event: the same for every attempt, so receivers can drop duplicates."""
    return f"msg_{organization_id}_{event.position}_{event.index}"


def payload_of(event: Event) -> str:
    """The body of a delivery: ``{"type", "timestamp", "data"}`` with the event's id inside ``data``."""
    body = {"type": event.type, "timestamp": event.occurred_at, "data": {"id": event.id, **event.data}}
    return _dumps(body)


def _dumps(value: Any) -> str:
    # the exact writer the API uses: Decimal amounts stay the numbers they are
    return str(simplejson.dumps(value, use_decimal=True, ensure_ascii=False, separators=(",", ":")))


def enqueue_entry(
    connection: sa.Connection, organization_id: int, position: int, kind: str, text: str, now: datetime
) -> None:
    """Queue the deliveries of one journal entry for the organization's subscriptions (see the module)."""
    subscriptions = connection.execute(
        sa.select(webhook_subscriptions.c.subscription_id, webhook_subscriptions.c.event_types).where(
            webhook_subscriptions.c.organization_id == organization_id
        )
    ).all()
    monitors = (
        connection.execute(
            sa.select(balance_monitors).where(balance_monitors.c.organization_id == organization_id)
        )
        .mappings()
        .all()
        if kind == "vouchers"
        else []
    )
    if not subscriptions and not monitors:
        return
    base_currency = base_currency_of(connection, organization_id)
    events = events_of(
        position, kind, text, base_currency, seen_before_in(connection, organization_id, position)
    )
    rows = [
        _outbox_row(organization_id, subscription_id, event, now)
        for event in events
        for subscription_id, event_types in subscriptions
        if subscribes_to(event_types, event.type)
    ]
    for number, (monitor, event) in enumerate(
        _crossings(connection, organization_id, monitors, text, position, base_currency)
    ):
        fired = Event(position, MONITOR_INDEX_BASE + number, event.type, event.occurred_at, event.data)
        targets = (
            [monitor["subscription_id"]]
            if monitor["subscription_id"]
            else [sid for sid, types in subscriptions if subscribes_to(types, fired.type)]
        )
        rows.extend(_outbox_row(organization_id, target, fired, now) for target in targets)
    if rows:
        connection.execute(webhook_outbox.insert(), rows)


def _outbox_row(organization_id: int, subscription_id: str, event: Event, now: datetime) -> dict[str, Any]:
    return {
        "organization_id": organization_id,
        "subscription_id": subscription_id,
        "position": event.position,
        "event_index": event.index,
        "message_id": message_id(organization_id, event),
        "event_type": event.type,
        "payload": payload_of(event),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "claimed_until": None,
        "last_error": None,
        "last_status_code": None,
        "created_at": now,
        "finished_at": None,
    }


def _crossings(
    connection: sa.Connection,
    organization_id: int,
    monitors: Sequence[sa.RowMapping],
    text: str,
    position: int,
    base_currency: str,
) -> list[tuple[sa.RowMapping, Event]]:
    """Advance each monitor by the entry's lines; the monitors that crossed below, with their events."""
    if not monitors:
        return []
    entry = json.loads(text)
    moved: dict[int, int] = defaultdict(int)
    for voucher in entry["vouchers"]:
        for line in voucher_lines(entry, voucher):
            moved[line["account_number"]] += line["amount"]
    fired: list[tuple[sa.RowMapping, Event]] = []
    for monitor in monitors:
        if monitor["account_number"] not in moved:
            continue
        balance = monitor["balance"] + moved[monitor["account_number"]]
        is_below = balance < monitor["threshold"]
        connection.execute(
            balance_monitors.update()
            .where(
                (balance_monitors.c.organization_id == organization_id)
                & (balance_monitors.c.monitor_id == monitor["monitor_id"])
            )
            .values(balance=balance, is_below=is_below)
        )
        if is_below and not monitor["is_below"]:
            data = {
                "monitorId": monitor["monitor_id"],
                "accountNumber": monitor["account_number"],
                "threshold": to_decimal(monitor["threshold"], base_currency),
                "balance": to_decimal(balance, base_currency),
                "currency": base_currency,
            }
            fired.append((monitor, Event(position, 0, "balance.below", entry["recorded_at"], data)))
    return fired
