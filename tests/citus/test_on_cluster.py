"""kontobok's books on a real Citus cluster: every statement of a realistic session planned on one shard by
Citus's own planner, the monthly closings against ledger-cli, the state machine across organizations on
different workers, and one organization's token probing another's records."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from tests.citus.conftest import Cluster
from tests.factories import Api, line, voucher
from tests.reliability.test_state_machine import run_machine
from tests.store.test_single_shard import realistic_session
from tests.support.single_shard import Verdict, judge, recording
from tests.test_ledger_cli import compare_monthly_closings_with_ledger_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("citus")]

NEW_ORGANIZATION = "INSERT INTO organizations "


@dataclass(frozen=True)
class Sent:
    """A statement sent to the coordinator: its text, its first set of parameters, the judge's view."""

    sql: str
    parameters: Any
    verdict: Verdict


@contextmanager
def sending(engine: sa.Engine) -> Iterator[list[Sent]]:
    sent: list[Sent] = []

    def before_cursor_execute(
        _connection: Any, _cursor: Any, sql: str, parameters: Any, context: Any, many: bool
    ) -> None:
        first = parameters[0] if many and isinstance(parameters, list | tuple) and parameters else parameters
        sent.append(Sent(sql, first, judge(sql, context)))

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _plan(engine: sa.Engine, statement: Sent) -> str:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("EXPLAIN (COSTS OFF) " + statement.sql, statement.parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        connection.rollback()
        connection.close()


def test_citus_plans_every_statement_of_a_session_on_one_shard(citus: Cluster, tmp_path: Path) -> None:
    """The judge of ``tests/store/test_single_shard.py`` argues from the statements; here Citus's planner
    decides. Each statement's plan is a Citus scan with one task, and all tasks go to the one worker that
    holds the organization."""
    with recording(citus.engine) as judged, sending(citus.engine) as sent:
        organization_id = realistic_session(citus.engine, tmp_path)
    on_tables = [statement for statement in sent if statement.verdict.tables]
    assert len(on_tables) > 150
    worker = citus.node_of(organization_id)
    host, port = worker.split(":")
    failures: list[str] = []
    for statement in on_tables:
        plan = _plan(citus.engine, statement)
        tasks = [int(count) for count in re.findall(r"Task Count: (\d+)", plan)]
        nodes = set(re.findall(r"Node: host=(\S+) port=(\d+)", plan))
        # EXPLAIN of the INSERT of a new organization draws a fresh id from the sequence, so its one task
        # goes to the worker of that id, not necessarily to the session's
        expected = len(nodes) == 1 if statement.sql.startswith(NEW_ORGANIZATION) else nodes == {(host, port)}
        if "Citus" not in plan or tasks != [1] * len(tasks) or not tasks or not expected:
            failures.append(f"{statement.sql}\n{plan}")
    assert not failures, f"{len(failures)} of {len(on_tables)} not on one shard:\n" + "\n\n".join(
        failures[:5]
    )
    batches = [verdict for verdict in judged if verdict.sql.startswith("ROWS INTO")]
    assert batches, "the session sends no row batches any more: COPY is not covered"
    assert all(verdict.single_shard for verdict in batches)
    print(
        f"{len(on_tables)} statements, each planned by Citus as one task on {worker}; "
        f"{len(batches)} row batches"
    )


def test_monthly_closings_on_the_cluster_equal_ledger_cli(citus: Cluster, tmp_path: Path) -> None:
    organization = citus.organizations_on_each_worker()[1]
    with Api.for_organization(citus.engine, organization) as api:
        compare_monthly_closings_with_ledger_cli(citus.engine, organization, api, tmp_path)


CLUSTER_SETTINGS = settings(
    max_examples=4,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_the_state_machine_keeps_books_and_tenants_apart_across_workers(citus: Cluster) -> None:
    with citus.engine.connect() as connection:
        before = connection.execute(
            sa.text("SELECT coalesce(max(organization_id), 0) FROM organizations")
        ).scalar_one()
    steps = run_machine(citus.engine, CLUSTER_SETTINGS)
    assert steps["steps"] > 20
    with citus.engine.connect() as connection:
        created = (
            connection.execute(
                sa.text("SELECT organization_id FROM organizations WHERE organization_id > :before"),
                {"before": before},
            )
            .scalars()
            .all()
        )
    workers = {citus.node_of(organization_id) for organization_id in created}
    assert len(workers) >= 2, f"the machine's {len(created)} organizations all sat on {workers}"
    print(f"\nstate machine on Citus: {dict(sorted(steps.items()))}; organizations on {sorted(workers)}")


def test_a_token_cannot_reach_records_on_another_worker(citus: Cluster) -> None:
    first, second = citus.organizations_on_each_worker()[:2]
    assert citus.node_of(first.organization_id) != citus.node_of(second.organization_id)
    with (
        Api.for_organization(citus.engine, first) as mine,
        Api.for_organization(citus.engine, second) as theirs,
    ):
        theirs.post_voucher(voucher("2024-02-02", line(1920, 500), line(3000, -500)))
        [their_line, _] = theirs.get(
            "/v1/transactionlines", params={"dateFrom": "2024-02-01", "dateTo": "2024-02-29"}
        ).json()
        their_bank = theirs.post("/v1/bankaccounts", {**_bank_body(), "name": "Their bank"})
        assert their_bank.status_code == 201, their_bank.text
        probes = {
            f"/v1/transactionlines/{their_line['id']}": 404,
            f"/v1/bankaccounts/{their_bank.json()['id']}": 404,
            f"/2.0/users/me/accounts/{their_bank.json()['id']}/transactions": 404,
        }
        for path, status in probes.items():
            answer = mine.get(path)
            assert answer.status_code == status, (path, answer.text)
        reverse = mine.post(
            f"/v1/transactions/{their_line['transaction']['id']}/reverse", {"date": "2024-03-01"}
        )
        assert reverse.status_code == 404, reverse.text
        mine_lines = mine.get(
            "/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
        )
        assert mine_lines.json() == []
        # account ids follow the standard chart, so 1920 has the same id in both: mine must stay at zero
        assert {element["change"] for element in mine.balances(1920, "2024-01-01", "2024-12-31")} == {0}
        # their books are untouched
        assert (
            len(
                theirs.get(
                    "/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
                ).json()
            )
            == 2
        )


def _bank_body() -> dict[str, Any]:
    from tests.factories import bank_account_body

    return bank_account_body()
