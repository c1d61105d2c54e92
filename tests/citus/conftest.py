"""A real Citus cluster for the Citus tests: a coordinator and two workers on loopback ports, started once
for the test session and distributed with ``kontobok db distribute``.

Every Citus test is in the xdist group ``citus``, so one test process runs them all and one cluster serves
them. With ``KONTOBOK_TEST_POSTGRES=required`` (CI) a cluster that cannot start fails the tests; elsewhere
they skip and say why (usually: Citus is not built here; ``scripts/test`` builds it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.bench.citus import CitusCluster, citus_unavailable_reason, running_citus
from kontobok.cli import app
from kontobok.store.database import create_engine
from kontobok.store.distribution import node_of
from kontobok.store.organizations import Organization
from tests.factories import new_organization
from tests.support.postgres import postgres_required

#: Few shards, so that rebalancing moves a handful of shard groups and the tests stay quick; enough that
#: organizations land on every worker.
TEST_SHARD_COUNT = 8


@dataclass
class Cluster:
    """The running cluster, an engine on its coordinator, and what the first ``db distribute`` answered."""

    nodes: CitusCluster
    engine: sa.Engine
    first_distribution: dict[str, Any]

    @property
    def url(self) -> str:
        return self.nodes.url

    def node_of(self, organization_id: int) -> str:
        with self.engine.connect() as connection:
            return node_of(connection, organization_id)

    def organizations_on_each_worker(self, per_worker: int = 1) -> list[Organization]:
        """New organizations, ``per_worker`` on every worker (organizations are placed by a hash of their id,
        so this creates organizations until each worker has its share and keeps those)."""
        wanted = {f"127.0.0.1:{worker.port}": per_worker for worker in self.nodes.workers}
        chosen: list[Organization] = []
        for _ in range(200):
            organization = new_organization(self.engine)
            node = self.node_of(organization.organization_id)
            if wanted.get(node, 0) > 0:
                wanted[node] -= 1
                chosen.append(organization)
            if not any(wanted.values()):
                return chosen
        raise AssertionError(f"no organization landed on {wanted}")


def run_distribute(url: str, *extra: str) -> tuple[int, dict[str, Any] | None, str]:
    """``kontobok db distribute`` through the real CLI: its exit code, its JSON answer, its messages."""
    result = CliRunner().invoke(app, ["db", "distribute", "--database-url", url, *extra])
    answer = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, answer, result.stderr


@pytest.fixture(scope="session")
def citus() -> Iterator[Cluster]:
    reason = citus_unavailable_reason()
    if reason is not None:
        if postgres_required():
            pytest.fail(f"a Citus cluster is required here but cannot run: {reason}")
        pytest.skip(f"a Citus cluster cannot run here: {reason}")
    with running_citus(workers=2) as nodes:
        code, answer, messages = run_distribute(nodes.url, "--shard-count", str(TEST_SHARD_COUNT))
        assert code == 0, messages
        assert answer is not None
        engine = create_engine(nodes.url)
        try:
            yield Cluster(nodes, engine, answer)
        finally:
            engine.dispose()
