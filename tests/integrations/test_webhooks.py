"""Webhooks: signed deliveries from the outbox, at least once and in order, to a receiver that fails, hangs
and comes back; dead letters; the SSRF guard; balance monitors that fire on the crossing only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from kontobok.services.delivery import Policy, deliver_due
from kontobok.services.webhook_urls import ALLOWED_HOSTS_VARIABLE
from kontobok.store.clock import utc_now
from tests.factories import Api, line, voucher
from tests.integrations.receiver import Receiver, running_receiver

FAST = Policy(timeout_seconds=0.3)


class Clock:
    """A clock the test moves: the worker's notion of now, so an hour passes without waiting an hour."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def subscribe(api: Api, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url}
    if events is not None:
        body["events"] = events
    answer = api.post("/v1/webhooks", body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["secret"].startswith("whsec_")
    return created


def verified(receiver: Receiver, secret: str) -> list[tuple[str, dict[str, Any], int]]:
    """Every request the receiver got, each checked with the Standard Webhooks library."""
    result = []
    for item in receiver.received:
        body = Webhook(secret).verify(item.body, item.headers)
        result.append((item.headers["webhook-id"], body, item.answered))
    return result


def post_three(api: Api) -> list[str]:
    return [
        api.post_voucher(voucher("2024-04-0" + str(day), line(1920, day * 100), line(3000, -day * 100)))
        for day in (1, 2, 3)
    ]


def test_a_receiver_down_for_an_hour_then_back_gets_every_event_once_in_order(
    engine: sa.Engine, api: Api, receiver: Receiver
) -> None:
    webhook = subscribe(api, receiver.url, ["transaction.posted"])
    posted = post_three(api)
    clock = Clock()
    organization_id = api.organization.organization_id

    receiver.mode = "fail"
    report = deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id)
    assert report.as_json() == {"delivered": 0, "failed": 1, "dead": 0}
    receiver.mode = "hang"
    clock.advance(timedelta(seconds=10))
    assert deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id).failed == 1
    receiver.mode = "fail"
    # an attempt that is not due yet is not made
    assert deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id).failed == 0
    for _ in range(12):  # an hour down, five minutes at a time
        clock.advance(timedelta(minutes=5))
        deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id)
    receiver.mode = "ok"
    clock.advance(timedelta(hours=1))
    report = deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id)
    assert report.as_json() == {"delivered": 3, "failed": 0, "dead": 0}

    requests = verified(receiver, webhook["secret"])
    delivered = [body for _, body, status in requests if status == 200]
    assert [body["data"]["id"] for body in delivered][-3:] == posted
    assert all(body["type"] == "transaction.posted" for _, body, _ in requests)
    # every failed attempt was the first event, again under the same webhook-id
    first_id = requests[0][0]
    assert {message for message, _, status in requests[:-3]} == {first_id}
    by_id: dict[str, dict[str, Any]] = {}
    for message, body, _ in requests:
        assert by_id.setdefault(message, body) == body
    assert len(by_id) == 3

    log = api.get(f"/v1/webhooks/{webhook['id']}/deliveries").json()
    assert [entry["status"] for entry in log] == ["delivered"] * 3
    assert log[-1]["attempts"] >= 4
    assert (log[-1]["lastStatusCode"], log[-1]["lastError"]) == (200, None)
    # nothing is left to send
    assert deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id).as_json() == {
        "delivered": 0,
        "failed": 0,
        "dead": 0,
    }


def test_an_event_undeliverable_for_three_days_is_dead_lettered_and_the_next_goes(
    engine: sa.Engine, api: Api, receiver: Receiver
) -> None:
    webhook = subscribe(api, receiver.url, ["transaction.posted"])
    post_three(api)
    clock = Clock()
    organization_id = api.organization.organization_id
    receiver.mode = "redirect"  # a redirect is a failure, never followed
    deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id)
    first_id = receiver.received[0].headers["webhook-id"]
    assert [item.headers["webhook-id"] for item in receiver.received] == [first_id]
    clock.advance(timedelta(days=2, hours=23))
    receiver.mode = "ok"
    receiver.failing_ids.add(first_id)
    assert deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id).failed == 1
    clock.advance(timedelta(hours=1, seconds=1))
    # past three days the failing event is dead-lettered, and the events behind it go in the same pass
    report = deliver_due(engine, clock=clock, policy=FAST, organization_id=organization_id)
    assert report.as_json() == {"delivered": 2, "failed": 0, "dead": 1}
    log = api.get(f"/v1/webhooks/{webhook['id']}/deliveries").json()
    assert [entry["status"] for entry in log] == ["delivered", "delivered", "dead"]
    assert log[-1]["lastStatusCode"] == 503


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/hook",
        "https://192.168.1.1/hook",
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",
        "ftp://127.0.0.1/hook",
        "http://user:secret@127.0.0.1/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "not a url",
    ],
)
def test_urls_to_private_hosts_or_without_https_are_refused(api: Api, url: str) -> None:
    answer = api.post("/v1/webhooks", {"url": url})
    assert answer.status_code == 400, answer.text
    assert api.get("/v1/webhooks").json() == []


def test_a_configured_host_is_allowed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.post("/v1/webhooks", {"url": "http://10.0.0.7/hook"}).status_code == 400
    monkeypatch.setenv(ALLOWED_HOSTS_VARIABLE, "receiver.internal, 10.0.0.7")
    assert api.post("/v1/webhooks", {"url": "http://10.0.0.7/hook"}).status_code == 201
    assert api.post("/v1/webhooks", {"url": "http://receiver.internal:8080/x"}).status_code == 201


def test_subscriptions_are_listed_without_secrets_and_removed_with_their_deliveries(
    engine: sa.Engine, api: Api, receiver: Receiver
) -> None:
    webhook = subscribe(api, receiver.url)
    assert api.post("/v1/webhooks", {"url": receiver.url, "events": ["no.such"]}).status_code == 400
    listed = api.get("/v1/webhooks").json()
    assert listed == [{key: value for key, value in webhook.items() if key != "secret"}]
    post_three(api)
    assert api.client.delete(f"/v1/webhooks/{webhook['id']}", headers=api.auth).status_code == 204
    assert api.client.delete(f"/v1/webhooks/{webhook['id']}", headers=api.auth).status_code == 404
    assert deliver_due(engine, organization_id=api.organization.organization_id).delivered == 0
    assert receiver.received == []


def test_another_organizations_webhook_is_404(engine: sa.Engine, api: Api, receiver: Receiver) -> None:
    from tests.factories import new_organization

    webhook = subscribe(api, receiver.url)
    with Api.for_organization(engine, new_organization(engine)) as other:
        assert other.get(f"/v1/webhooks/{webhook['id']}/deliveries").status_code == 404
        assert other.client.delete(f"/v1/webhooks/{webhook['id']}", headers=other.auth).status_code == 404
        assert other.get("/v1/webhooks").json() == []


def test_a_monitor_fires_once_when_the_balance_crosses_below_and_again_after_it_recovers(
    engine: sa.Engine, api: Api, receiver: Receiver
) -> None:
    api.post_voucher(voucher("2024-01-02", line(1920, 500), line(2050, -500)))
    answer = api.post("/v1/monitors", {"accountNumber": 1920, "below": 100, "url": receiver.url})
    assert answer.status_code == 201, answer.text
    monitor = answer.json()
    assert (monitor["balance"], monitor["isBelow"]) == (500, False)
    for amount in (-450, -10, -5, 200, -300, -1):  # 50 crosses, 40 and 35 stay below, 235 up, -65 crosses
        api.post_voucher(voucher("2024-01-03", line(1920, amount), line(2050, -amount)))
    deliver_due(engine, organization_id=api.organization.organization_id)
    fired = [body for _, body, _ in verified(receiver, monitor["webhook"]["secret"])]
    assert [body["type"] for body in fired] == ["balance.below", "balance.below"]
    assert [body["data"]["balance"] for body in fired] == [50, -65]
    assert (fired[0]["data"]["threshold"], fired[0]["data"]["accountNumber"]) == (100, 1920)
    listed = api.get("/v1/monitors").json()
    assert (listed[0]["balance"], listed[0]["isBelow"]) == (-66, True)
    assert api.post("/v1/monitors", {"accountNumber": 1999, "below": 1}).status_code == 404
    assert api.post("/v1/monitors", {"accountNumber": 1920, "below": 0.001}).status_code == 400


def test_every_event_type_reaches_a_subscriber_of_all(
    engine: sa.Engine, api: Api, receiver: Receiver
) -> None:
    webhook = subscribe(api, receiver.url)
    api.post("/v1/accounts", {"number": 1930, "name": "Bank 2"})
    api.post_voucher(voucher("2024-02-01", line(1930, 12.34), line(3000, -12.34)))
    deliver_due(engine, organization_id=api.organization.organization_id)
    bodies = [body for _, body, _ in verified(receiver, webhook["secret"])]
    assert [body["type"] for body in bodies] == ["account.created", "transaction.posted"]
    assert bodies[1]["data"]["lines"][0]["amount"] == 12.34
    assert json.loads(receiver.received[1].body)["timestamp"].endswith("Z")


def test_a_retried_subscription_with_the_same_key_is_made_once(api: Api, receiver: Receiver) -> None:
    headers = {"Idempotency-Key": "subscribe-once"}
    first = api.post("/v1/webhooks", {"url": receiver.url}, headers=headers)
    again = api.post("/v1/webhooks", {"url": receiver.url}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert len(api.get("/v1/webhooks").json()) == 1
    other = api.post("/v1/webhooks", {"url": receiver.url + "/other"}, headers=headers)
    assert other.status_code == 409
