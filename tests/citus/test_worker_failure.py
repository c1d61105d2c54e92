"""A worker goes down: requests for the organizations it holds answer a clear 503 with ``Retry-After``
within the coordinator's connection timeout, not a hang and not a 500; nothing is stored; organizations on
the other workers are served as before; and once the worker is back, so are its organizations."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
import sqlalchemy as sa

from kontobok.api.errors import NODE_RETRY_AFTER_SECONDS
from tests.citus.conftest import Cluster
from tests.factories import Api, line, voucher

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("citus")]

#: citus.node_connection_timeout on the test nodes is 2 s; a loaded machine gets a generous margin.
ANSWER_WITHIN_SECONDS = 20


def _lines(api: Api) -> int:
    answer = api.get("/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"})
    assert answer.status_code == 200, answer.text
    return len(answer.json())


def test_a_stopped_worker_answers_503_for_its_organizations_only(citus: Cluster) -> None:
    down_org, up_org = citus.organizations_on_each_worker()[:2]
    down_node = citus.node_of(down_org.organization_id)
    [worker] = [w for w in citus.nodes.workers if f"127.0.0.1:{w.port}" == down_node]
    with (
        Api.for_organization(citus.engine, down_org) as down,
        Api.for_organization(citus.engine, up_org) as up,
    ):
        down.post_voucher(voucher("2024-04-01", line(1920, 100), line(3000, -100)))
        worker.stop("fast")
        try:
            requests: tuple[Callable[[], httpx.Response], ...] = (
                lambda: down.get("/v1/accounts"),
                lambda: down.get(
                    "/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
                ),
                lambda: down.post("/v1/transactions", voucher("2024-04-02", line(1920, 5), line(3000, -5))),
            )
            for request in requests:
                started = time.monotonic()
                answer = request()
                assert time.monotonic() - started < ANSWER_WITHIN_SECONDS
                assert answer.status_code == 503, answer.text
                assert answer.headers["Retry-After"] == str(NODE_RETRY_AFTER_SECONDS)
                body = answer.json()
                assert body["error"]["name"] == "ServiceUnavailableError"
                assert "unavailable" in body["error"]["message"]
                assert "127.0.0.1" not in answer.text, "the answer names an internal node"
            up.post_voucher(voucher("2024-04-03", line(1920, 7), line(3000, -7)))
            assert _lines(up) == 2
        finally:
            worker.start()
        deadline = time.monotonic() + 60
        while (answer := down.get("/v1/accounts")).status_code == 503 and time.monotonic() < deadline:
            time.sleep(1)
        assert answer.status_code == 200, answer.text
        assert _lines(down) == 2, "the refused posting was stored"
    with citus.engine.connect() as connection:
        assert (
            connection.execute(
                sa.text("SELECT count(*) FROM citus_check_cluster_node_health() WHERE NOT result")
            ).scalar_one()
            == 0
        )
