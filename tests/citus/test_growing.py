"""Growing the cluster without losing a posting: a third worker joins and the shard rebalancer moves
organizations to it while clients keep posting through a real ``kontobok serve``.

Citus moves a shard group by logical replication: the shards keep taking writes while they are copied, and
only the switch-over at the end blocks writes briefly. Afterwards every voucher the server acknowledged is
stored exactly once, every transaction type's numbers run without gaps, ``kontobok verify`` is clean, and
the organizations the rebalancer planned to move are on the new worker.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.api.scopes import ALL_SCOPES
from kontobok.bench.server import running_server
from kontobok.cli import app
from kontobok.store.clients import create_client
from kontobok.store.database import write_transaction
from kontobok.store.distribution import ANCHOR
from kontobok.store.organizations import Organization
from tests.citus.conftest import Cluster
from tests.factories import line, new_organization, voucher

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("citus")]

#: Each writer stops after this many vouchers even if the rebalance is not done: the test stays bounded.
MAX_VOUCHERS_PER_WRITER = 400
AFTER_REBALANCE = 5
TYPES = (1, 6)


@dataclass
class Writer:
    organization: Organization
    token: str
    acknowledged: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (type, number)
    refused: list[str] = field(default_factory=list)
    posted_after_rebalance: int = 0


def _token(base_url: str, organization: Organization, engine: sa.Engine) -> str:
    with write_transaction(engine) as connection:
        credentials = create_client(connection, organization.organization_id, ALL_SCOPES)
    answer = httpx.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def _post(base_url: str, writer: Writer, rebalanced: threading.Event) -> None:
    with httpx.Client(
        base_url=base_url, headers={"Authorization": f"Bearer {writer.token}"}, timeout=120
    ) as client:
        for index in range(MAX_VOUCHERS_PER_WRITER):
            if rebalanced.is_set():
                if writer.posted_after_rebalance >= AFTER_REBALANCE:
                    return
                writer.posted_after_rebalance += 1
            kind = TYPES[index % len(TYPES)]
            day = f"2024-{index % 12 + 1:02}-{index % 28 + 1:02}"
            body = voucher(day, line(1920, 100 + index), line(3000, -100 - index), type_number=kind)
            try:
                answer = client.post(
                    "/v1/transactions", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
                )
            except httpx.HTTPError as error:
                writer.refused.append(repr(error))
                continue
            if answer.status_code != 201:
                writer.refused.append(f"{answer.status_code} {answer.text[:300]}")
                continue
            writer.acknowledged[answer.json()["transactionId"]] = (kind, int(answer.json()["number"]))


def _shard_of(connection: sa.Connection, organization_id: int) -> int:
    return int(
        connection.execute(
            sa.text("SELECT get_shard_id_for_distribution_column(:t, :o)"),
            {"t": ANCHOR, "o": organization_id},
        ).scalar_one()
    )


def _writers_on_moving_and_staying_shards(citus: Cluster) -> tuple[list[Organization], set[int]]:
    """Two organizations on shards the rebalance plan moves and two on shards it leaves."""
    with citus.engine.connect() as connection:
        moving = {
            int(row[0])
            for row in connection.execute(
                sa.text(
                    "SELECT shardid FROM get_rebalance_table_shards_plan() "
                    "WHERE table_name = CAST(:t AS regclass)"
                ),
                {"t": ANCHOR},
            )
        }
    assert moving, "the rebalancer plans no move onto the new worker"
    chosen: dict[bool, list[Organization]] = defaultdict(list)
    for _ in range(200):
        organization = new_organization(citus.engine)
        with citus.engine.connect() as connection:
            moves = _shard_of(connection, organization.organization_id) in moving
        if len(chosen[moves]) < 2:
            chosen[moves].append(organization)
        if len(chosen[True]) == 2 and len(chosen[False]) == 2:
            return [*chosen[True], *chosen[False]], moving
    raise AssertionError("no organizations found on moving and staying shards")


def test_a_rebalance_onto_a_new_worker_loses_no_posting(citus: Cluster) -> None:
    new_worker = citus.nodes.add_worker()
    new_node = f"127.0.0.1:{new_worker.port}"
    organizations, moving = _writers_on_moving_and_staying_shards(citus)
    with running_server(citus.url) as server:
        writers = [Writer(org, _token(server.base_url, org, citus.engine)) for org in organizations]
        rebalanced = threading.Event()
        threads = [threading.Thread(target=_post, args=(server.base_url, w, rebalanced)) for w in writers]
        for thread in threads:
            thread.start()
        try:
            # the job must be committed before the background workers can see it
            with citus.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("SELECT citus_rebalance_start()"))
                connection.execute(sa.text("SELECT citus_rebalance_wait()"))
        finally:
            rebalanced.set()
            for thread in threads:
                thread.join(600)
        assert not server.read_log_problems()

    with citus.engine.connect() as connection:
        on_new = connection.execute(
            sa.text(
                "SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_node n ON n.groupid = p.groupid "
                "WHERE n.nodeport = :port"
            ),
            {"port": new_worker.port},
        ).scalar_one()
    assert on_new > 0, "no shard moved to the new worker"
    for writer in writers:
        organization_id = writer.organization.organization_id
        assert not writer.refused, writer.refused[:3]
        assert writer.posted_after_rebalance == AFTER_REBALANCE, "the rebalance outlasted the writers"
        with citus.engine.connect() as connection:
            stored = connection.execute(
                sa.text(
                    "SELECT voucher_id::text, transaction_type_number, voucher_number FROM vouchers "
                    "WHERE organization_id = :o"
                ),
                {"o": organization_id},
            ).all()
            moved = _shard_of(connection, organization_id) in moving
        assert sorted(row[0] for row in stored) == sorted(writer.acknowledged), "not exactly once"
        assert {row[0]: (row[1], row[2]) for row in stored} == writer.acknowledged
        for kind in TYPES:
            numbers = sorted(row[2] for row in stored if row[1] == kind)
            assert numbers == list(range(1, len(numbers) + 1)), f"gaps in type {kind}"
        verified = CliRunner().invoke(
            app, ["verify", "--organization", str(organization_id), "--database-url", citus.url]
        )
        assert verified.exit_code == 0, verified.output
        assert json.loads(verified.stdout)["ok"] is True
        assert (citus.node_of(organization_id) == new_node) is moved
    counts = {w.organization.organization_id: len(w.acknowledged) for w in writers}
    print(f"\nrebalanced {len(moving)} shard groups onto {new_node} while posting: {counts} vouchers")
