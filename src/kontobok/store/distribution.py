"""Distributing the books over a Citus cluster, by organization.

An organization is kontobok's tenant and the unit of distribution: every table is hash-distributed by
``organization_id`` and all of them share one co-location group, anchored on ``organizations``. All rows of
one organization then sit on one shard of each table, on one worker, and every request kontobok serves is a
single-shard statement there (see ``docs/scaling.md``).

``organizations`` is distributed too, not a reference table: its row is the tenant's own (it holds the
tenant's key generation) and is read on every request together with the tenant's other rows. Alembic's
``alembic_version`` stays a local table on the coordinator, where migrations run.

Distributing is idempotent: tables already distributed are left as they are, so running it again changes
nothing. It runs in one transaction: either every table is distributed or none is.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from kontobok.core.errors import KontobokError
from kontobok.store.schema import metadata, organizations

DISTRIBUTION_COLUMN = "organization_id"
ANCHOR = organizations.name
DEFAULT_SHARD_COUNT = 32


class NotCitus(KontobokError):
    """The database is not a Citus coordinator, so there is nothing to distribute over."""


@dataclass(frozen=True)
class Distribution:
    """What distributing did: the tables it distributed now, those that already were, the shard count."""

    distributed: tuple[str, ...]
    already: tuple[str, ...]
    shard_count: int


def citus_version(connection: sa.Connection) -> str | None:
    """The installed ``citus`` extension's version in this database, or ``None`` (also on SQLite)."""
    if connection.dialect.name != "postgresql":
        return None
    found = connection.execute(
        sa.text("SELECT extversion FROM pg_extension WHERE extname = 'citus'")
    ).scalar()
    return None if found is None else str(found)


def distributed_tables(connection: sa.Connection) -> dict[str, int]:
    """Each distributed table of the current schema and the number of its shards."""
    rows = connection.execute(
        sa.text(
            "SELECT table_name::text, shard_count FROM citus_tables WHERE citus_table_type = 'distributed'"
        )
    )
    return {str(name): int(count) for name, count in rows}


def tenant_tables() -> list[str]:
    """Every kontobok table, each after the tables its foreign keys refer to (``organizations`` first)."""
    ordered = [table.name for table in metadata.sorted_tables]
    return [ANCHOR, *(name for name in ordered if name != ANCHOR)]


def distribute(connection: sa.Connection, shard_count: int = DEFAULT_SHARD_COUNT) -> Distribution:
    """Distribute every table by organization, co-located with ``organizations``; skip those already done.

    ``shard_count`` applies when ``organizations`` is distributed; later runs keep the count it got.
    """
    version = citus_version(connection)
    if version is None:
        raise NotCitus(
            "this database has no Citus extension: run CREATE EXTENSION citus on the coordinator and on "
            "every worker first (docs/scaling.md)"
        )
    _allow_append_only_triggers(connection)
    already = distributed_tables(connection)
    done: list[str] = []
    for name in tenant_tables():
        if name in already:
            continue
        if name == ANCHOR:
            connection.execute(
                sa.text("SELECT create_distributed_table(:t, :c, shard_count => :n)"),
                {"t": name, "c": DISTRIBUTION_COLUMN, "n": shard_count},
            )
        else:
            connection.execute(
                sa.text("SELECT create_distributed_table(:t, :c, colocate_with => :anchor)"),
                {"t": name, "c": DISTRIBUTION_COLUMN, "anchor": ANCHOR},
            )
        done.append(name)
    counts = distributed_tables(connection)
    return Distribution(
        tuple(done), tuple(sorted(name for name in already if name in metadata.tables)), counts[ANCHOR]
    )


def distribute_new_table(connection: sa.Connection, name: str) -> None:
    """For a migration that creates a table: distribute it beside the others when the books are distributed.

    On SQLite, on plain PostgreSQL and on a Citus database not yet distributed this does nothing; ``kontobok
    db distribute`` distributes the table later with the rest.
    """
    if citus_version(connection) is None or ANCHOR not in distributed_tables(connection):
        return
    _allow_append_only_triggers(connection)
    connection.execute(
        sa.text("SELECT create_distributed_table(:t, :c, colocate_with => :anchor)"),
        {"t": name, "c": DISTRIBUTION_COLUMN, "anchor": ANCHOR},
    )


def _allow_append_only_triggers(connection: sa.Connection) -> None:
    """Citus distributes a table with triggers only when told they are safe on shards. kontobok's triggers
    (the append-only guard of ``docs/audit.md``) read the operation's name and touch no other table, so they
    are; the setting lasts for this transaction only."""
    connection.execute(sa.text("SET LOCAL citus.enable_unsafe_triggers = on"))


def node_of(connection: sa.Connection, organization_id: int) -> str:
    """The worker (``host:port``) that holds the organization's shard: all of its books are there."""
    found = connection.execute(
        sa.text(
            "SELECT n.nodename || ':' || n.nodeport FROM pg_dist_placement p "
            "JOIN pg_dist_node n ON n.groupid = p.groupid "
            "WHERE p.shardid = get_shard_id_for_distribution_column(:anchor, :organization)"
        ),
        {"anchor": ANCHOR, "organization": organization_id},
    ).scalar_one()
    return str(found)
