"""Writing straight into the database as an attacker with database access would: past the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("vouchers", "transaction_lines", "journal_entries")


@contextmanager
def past_the_triggers(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction in which updates and deletes of the append-only tables go through.

    On PostgreSQL a superuser turns triggers off for the transaction (``session_replication_role``); on
    SQLite, where anyone who can write the file can change its schema, the triggers are dropped and put back.
    """
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield connection
            return
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).all()
        for name, _ in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield connection
        for _, sql in triggers:
            connection.exec_driver_sql(sql)
