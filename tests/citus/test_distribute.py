"""``kontobok db distribute`` on a real Citus coordinator: every table by organization in one co-location
group, idempotent, refused without Citus; and a migration applied after distribution."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from kontobok.store import database
from kontobok.store.database import create_engine
from kontobok.store.distribution import distribute_new_table
from kontobok.store.schema import metadata
from tests.citus.conftest import TEST_SHARD_COUNT, Cluster, run_distribute
from tests.factories import Api, line, voucher

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("citus")]


def test_every_table_is_distributed_by_organization_in_one_group(citus: Cluster) -> None:
    assert set(citus.first_distribution["distributed"]) == set(metadata.tables)
    assert citus.first_distribution["distributed"][0] == "organizations"
    assert citus.first_distribution["shardCount"] == TEST_SHARD_COUNT
    with citus.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT table_name::text, citus_table_type, distribution_column, colocation_id, shard_count "
                "FROM citus_tables"
            )
        ).all()
        local = connection.execute(
            sa.text("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'alembic_version'::regclass")
        ).scalar_one()
    assert {row[0] for row in rows} == set(metadata.tables)
    assert {(row[1], row[2], row[4]) for row in rows} == {
        ("distributed", "organization_id", TEST_SHARD_COUNT)
    }
    assert len({row[3] for row in rows}) == 1, "not one co-location group"
    assert local == 0, "alembic_version must stay a local table on the coordinator"


def test_a_second_run_changes_nothing(citus: Cluster) -> None:
    with citus.engine.connect() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM pg_dist_shard")).scalar_one()
    code, answer, messages = run_distribute(citus.url, "--shard-count", "64")
    assert code == 0, messages
    assert answer == {
        "distributed": [],
        "alreadyDistributed": sorted(metadata.tables),
        "shardCount": TEST_SHARD_COUNT,
    }
    assert "no change" in messages
    with citus.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM pg_dist_shard")).scalar_one() == before


def test_a_database_without_citus_is_refused_in_one_line(postgres_url: str, tmp_path: Path) -> None:
    for url in (postgres_url, f"sqlite:///{tmp_path / 'plain.db'}"):
        code, answer, messages = run_distribute(url)
        assert code == 1
        assert answer is None
        assert messages.strip().splitlines() == [
            "this database has no Citus extension: run CREATE EXTENSION citus on the coordinator and on "
            "every worker first (docs/scaling.md)"
        ]


def test_an_unreachable_coordinator_is_refused_in_one_line(citus: Cluster) -> None:
    url = citus.url.replace(str(citus.nodes.coordinator.port), "1")
    code, _, messages = run_distribute(url)
    assert code == 1
    assert len(messages.strip().splitlines()) == 1
    assert messages.startswith("distributing failed: ")
    assert "Traceback" not in messages


MIGRATION = '''\
"""A column added to a distributed table (test only)

Revision ID: citus_test_0001
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "citus_test_0001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("citus_test_note", sa.Text(), nullable=True))
    op.create_index("ix_accounts_citus_test_note", "accounts", ["organization_id", "citus_test_note"])


def downgrade() -> None:
    op.drop_index("ix_accounts_citus_test_note", table_name="accounts")
    op.drop_column("accounts", "citus_test_note")
'''


def _alembic(connection: sa.Connection, extra_versions: Path) -> Config:
    config = Config()
    config.set_main_option("path_separator", "space")
    shipped = Path(database.__file__).parent / "migrations"
    config.set_main_option("script_location", str(shipped))
    config.set_main_option("version_locations", f"{shipped / 'versions'} {extra_versions}")
    config.attributes["connection"] = connection
    return config


def _columns_on_every_shard(citus: Cluster, column: str) -> list[bool]:
    with citus.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT result FROM run_command_on_shards('accounts', "
                "$$SELECT count(*) FROM information_schema.columns WHERE table_name = '%s' "
                "AND column_name = '" + column + "'$$)"
            )
        ).all()
    return [row[0] == "1" for row in rows]


def test_a_migration_after_distribution_reaches_every_shard(citus: Cluster, tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    shipped_head = ScriptDirectory.from_config(_alembic_config_only()).get_current_head()
    assert shipped_head is not None
    (versions / "citus_test_0001.py").write_text(textwrap.dedent(MIGRATION).format(head=shipped_head))
    organization = citus.organizations_on_each_worker()[0]
    try:
        with citus.engine.connect() as connection:
            command.upgrade(_alembic(connection, versions), "heads")
            connection.commit()
        assert _columns_on_every_shard(citus, "citus_test_note") == [True] * TEST_SHARD_COUNT
        with Api.for_organization(citus.engine, organization) as api:
            api.post_voucher(voucher("2024-05-02", line(1920, 100), line(3000, -100)))
            with citus.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "UPDATE accounts SET citus_test_note = 'checked' "
                        "WHERE organization_id = :o AND number = 1920"
                    ),
                    {"o": organization.organization_id},
                )
            api.post_voucher(voucher("2024-05-03", line(1920, 200), line(3000, -200)))
            answer = api.get(
                "/v1/transactionlines", params={"dateFrom": "2024-05-01", "dateTo": "2024-05-31"}
            )
            assert answer.status_code == 200, answer.text
            assert [item["amount"] for item in answer.json()] == [100, -100, 200, -200]
        with citus.engine.connect() as connection:
            notes = (
                connection.execute(
                    sa.text(
                        "SELECT citus_test_note FROM accounts WHERE organization_id = :o "
                        "AND number IN (1920, 3000) ORDER BY number"
                    ),
                    {"o": organization.organization_id},
                )
                .scalars()
                .all()
            )
        assert notes == ["checked", None]
    finally:
        with citus.engine.connect() as connection:
            command.downgrade(_alembic(connection, versions), shipped_head)
            connection.commit()
    assert _columns_on_every_shard(citus, "citus_test_note") == [False] * TEST_SHARD_COUNT


def _alembic_config_only() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    return config


NEW_TABLE = (
    "CREATE TABLE citus_test_notes (organization_id integer NOT NULL, note text NOT NULL, "
    "PRIMARY KEY (organization_id, note))"
)


def test_a_table_a_migration_creates_is_distributed_beside_the_others(
    citus: Cluster, postgres_url: str
) -> None:
    with citus.engine.begin() as connection:
        connection.execute(sa.text(NEW_TABLE))
        distribute_new_table(connection, "citus_test_notes")
        groups = connection.execute(
            sa.text(
                "SELECT DISTINCT colocation_id FROM citus_tables "
                "WHERE table_name IN ('organizations'::regclass, 'citus_test_notes'::regclass)"
            )
        ).all()
        connection.execute(sa.text("DROP TABLE citus_test_notes"))
    assert len(groups) == 1
    plain = create_engine(postgres_url)
    try:
        with plain.begin() as connection:
            connection.execute(sa.text(NEW_TABLE))
            distribute_new_table(connection, "citus_test_notes")  # plain PostgreSQL: nothing to do
            connection.execute(sa.text("DROP TABLE citus_test_notes"))
    finally:
        plain.dispose()
