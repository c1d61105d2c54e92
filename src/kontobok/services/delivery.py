"""Delivering the webhook outbox: at least once, in order per subscription, with backoff, to a dead letter.

A worker run looks at each subscription's first undelivered event. When its next attempt is due, the worker
claims it (a short lease, so two workers do not send it at once), sends it, and records the attempt: the
response's status code or the error, and the count. A 2xx answer delivers it and the subscription's next
event is sent in the same run; anything else (an error, a time-out, a redirect, which is never followed)
schedules the next attempt after an exponential backoff, 10 s doubling up to an hour. Later events of that
subscription wait behind it: events arrive in the order they were recorded. An event still undelivered
three days after it was recorded is dead-lettered (status ``dead``, kept in the log) and the next one goes.

Each delivery is signed the Standard Webhooks way with the subscription's secret: headers ``webhook-id``
(the same on every attempt of an event, so receivers drop duplicates by it), ``webhook-timestamp`` and
``webhook-signature``; the body is ``{"type", "timestamp", "data"}``. Requests time out after 10 s and at
most 4 KiB of a response body is read. The URL is checked again before each attempt
(:mod:`kontobok.services.webhook_urls`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from threading import Event as StopSignal

import httpx
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from kontobok.services.webhook_urls import RefusedUrl, check_url
from kontobok.store.clock import as_utc, utc_now
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.outbox import DEAD, DELIVERED, PENDING
from kontobok.store.schema import webhook_outbox, webhook_subscriptions

_outbox = webhook_outbox.c
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Policy:
    timeout_seconds: float = 10.0
    max_response_bytes: int = 4096
    first_backoff: timedelta = timedelta(seconds=10)
    max_backoff: timedelta = timedelta(hours=1)
    dead_after: timedelta = timedelta(days=3)
    lease: timedelta = timedelta(minutes=2)
    max_per_run: int = 1000

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: 10 s, 20 s, 40 s, … at most an hour."""
        wait: timedelta = self.first_backoff * (2 ** min(attempts - 1, 20))
        return min(wait, self.max_backoff)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code, or an error that kept any answer from coming."""

    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class RunReport:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, int]:
        return {"delivered": self.delivered, "failed": self.failed, "dead": self.dead}


def send(url: str, message_id: str, payload: str, secret: str, policy: Policy) -> Outcome:
    """POST one signed delivery; never follows a redirect, reads at most a small part of the answer."""
    try:
        check_url(url)
    except RefusedUrl as refused:
        return Outcome(None, f"refused: {refused}")
    sent_at = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "user-agent": "kontobok-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent_at, payload),
    }
    try:
        with (
            httpx.Client(follow_redirects=False, timeout=policy.timeout_seconds, trust_env=False) as client,
            client.stream("POST", url, content=payload.encode(), headers=headers) as response,
        ):
            read = 0
            for chunk in response.iter_bytes():
                read += len(chunk)
                if read >= policy.max_response_bytes:
                    break
            return Outcome(
                response.status_code, None if response.is_success else f"HTTP {response.status_code}"
            )
    except httpx.TimeoutException:
        return Outcome(None, f"timed out after {policy.timeout_seconds:g} s")
    except httpx.HTTPError as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500])


Sender = Callable[[str, str, str, str, Policy], Outcome]


def deliver_due(
    engine: sa.Engine,
    *,
    clock: Clock = utc_now,
    policy: Policy | None = None,
    sender: Sender = send,
    organization_id: int | None = None,
) -> RunReport:
    """One pass over every subscription's first undelivered event (see the module)."""
    policy = policy or Policy()
    report = RunReport()
    for organization, subscription_id in _subscriptions_with_work(engine, organization_id):
        while report.delivered + report.failed + report.dead < policy.max_per_run:
            if not _deliver_next(engine, organization, subscription_id, clock, policy, sender, report):
                break
    return report


def _subscriptions_with_work(engine: sa.Engine, organization_id: int | None) -> list[tuple[int, str]]:
    where = _outbox.status == PENDING
    if organization_id is not None:
        where = where & (_outbox.organization_id == organization_id)
    with read_transaction(engine) as connection:
        rows = connection.execute(
            sa.select(_outbox.organization_id, _outbox.subscription_id).where(where).distinct()
        ).all()
    return sorted((int(row[0]), str(row[1])) for row in rows)


def _deliver_next(
    engine: sa.Engine,
    organization_id: int,
    subscription_id: str,
    clock: Clock,
    policy: Policy,
    sender: Sender,
    report: RunReport,
) -> bool:
    """Send the subscription's first undelivered event if due; True when the next one may go at once."""
    now = clock()
    with write_transaction(engine) as connection:
        head = (
            connection.execute(
                sa.select(webhook_outbox, webhook_subscriptions.c.url, webhook_subscriptions.c.secret)
                .join(
                    webhook_subscriptions,
                    (webhook_subscriptions.c.organization_id == _outbox.organization_id)
                    & (webhook_subscriptions.c.subscription_id == _outbox.subscription_id),
                )
                .where(
                    (_outbox.organization_id == organization_id)
                    & (_outbox.subscription_id == subscription_id)
                    & (_outbox.status == PENDING)
                )
                .order_by(_outbox.position, _outbox.event_index)
                .limit(1)
            )
            .mappings()
            .first()
        )
        if head is None or as_utc(head["next_attempt_at"]) > now:
            return False
        claimed = head["claimed_until"]
        if claimed is not None and as_utc(claimed) > now:
            return False
        key = _key(head)
        connection.execute(webhook_outbox.update().where(key).values(claimed_until=now + policy.lease))
    outcome = sender(head["url"], head["message_id"], head["payload"], head["secret"], policy)
    now = clock()
    attempts = head["attempts"] + 1
    values: dict[str, object] = {
        "attempts": attempts,
        "claimed_until": None,
        "last_status_code": outcome.status_code,
        "last_error": None if outcome.ok else (outcome.error or "failed")[:500],
    }
    if outcome.ok:
        values.update(status=DELIVERED, finished_at=now)
        report.delivered += 1
    elif now - as_utc(head["created_at"]) >= policy.dead_after:
        values.update(status=DEAD, finished_at=now)
        report.dead += 1
    else:
        values.update(next_attempt_at=now + policy.backoff(attempts))
        report.failed += 1
    with write_transaction(engine) as connection:
        connection.execute(webhook_outbox.update().where(key & (_outbox.status == PENDING)).values(**values))
    return outcome.ok or values.get("status") == DEAD


def _key(row: sa.RowMapping) -> sa.ColumnElement[bool]:
    return sa.and_(
        _outbox.organization_id == row["organization_id"],
        _outbox.subscription_id == row["subscription_id"],
        _outbox.position == row["position"],
        _outbox.event_index == row["event_index"],
    )


def run_worker(
    engine: sa.Engine, stop: StopSignal, *, interval_seconds: float = 2.0, policy: Policy | None = None
) -> None:
    """Deliver until ``stop`` is set, a pass every ``interval_seconds``; a failing pass is retried later."""
    while not stop.is_set():
        try:
            deliver_due(engine, policy=policy)
        except sa.exc.SQLAlchemyError:
            # the database was busy or away: the next pass tries again
            logging.getLogger(__name__).exception("webhook delivery pass failed")
        stop.wait(interval_seconds)
