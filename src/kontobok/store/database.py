"""Opening the database: SQLite by default, PostgreSQL through the same URL, always migrated to the latest
schema before use.

SQLite runs in WAL mode with foreign keys on. Writes take the database's write lock at their start
(``BEGIN IMMEDIATE``) so that two writers queue instead of failing half-way through a voucher.

A SQLite database holds an organization's books: kontobok creates its file mode 0600 (readable and
writable by its owner only) before SQLite opens it, and SQLite gives the ``-wal`` and ``-shm`` files it
creates beside it the database file's mode. A database file that others may read is made private when
kontobok opens it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from kontobok.core.errors import NotFound
from kontobok.store.schema import organizations

DEFAULT_DATABASE_URL = "sqlite:///kontobok.db"
_WRITE = "kontobok_write"
SQLITE_CACHE_KIB = 16384
SQLITE_BULK_CACHE_KIB = 262144


def database_url(explicit: str | None = None) -> str:
    """The URL to use: an explicit one, else ``KONTOBOK_DATABASE_URL``, else ``kontobok.db`` here."""
    return explicit or os.environ.get("KONTOBOK_DATABASE_URL") or DEFAULT_DATABASE_URL


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` with kontobok's connection settings, not yet migrated (see open_database)."""
    if url.startswith("sqlite"):
        _make_private(sa.make_url(url))
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 60}, pool_size=8, max_overflow=8
        )
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


PRIVATE_MODE = 0o600


def _make_private(url: sa.URL) -> None:
    """Create the SQLite file of ``url`` mode 0600 if it is missing; take group and others' access away."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        pass
    except FileNotFoundError:
        return  # no such directory: SQLite says so when it opens the database
    else:
        os.close(descriptor)
    for file in (path, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(PRIVATE_MODE)
        except (FileNotFoundError, PermissionError):
            continue


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()
        dbapi_connection.create_aggregate("sum", 1, ExactSum)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class ExactSum:
    """SQLite's ``sum()`` with Python's integers, registered in its place on every SQLite connection.

    Each stored per-day and per-month total fits a signed 64-bit integer (:mod:`kontobok.store.total_limits`),
    but a sum of many of them, such as a balance over all time, may not; SQLite's own ``sum()`` then fails
    with "integer overflow". This one adds exactly: a result inside the 64-bit range comes back as an
    integer, one outside it as its decimal digits (text; ``int()`` reads it exactly). PostgreSQL's ``sum()``
    of ``bigint`` is a ``numeric`` and exact already. As with SQLite's own, the sum of no values is NULL.
    """

    def __init__(self) -> None:
        self.total: int | float | None = None

    def step(self, value: int | float | str | bytes | None) -> None:
        if value is None:
            return
        if isinstance(value, str | bytes):
            value = _number(value)
        self.total = value if self.total is None else self.total + value

    def finalize(self) -> int | float | str | None:
        if isinstance(self.total, int) and not -(2**63) <= self.total < 2**63:
            return str(self.total)
        return self.total


def _number(text: str | bytes) -> int | float:
    """A text value as SQLite's ``sum()`` reads it: an integer's digits exactly, else a number or zero."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return 0


def migrate(engine: sa.Engine) -> None:
    """Bring the schema up to the latest migration (a no-op when it is there already)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if connection.in_transaction():
            connection.commit()


def open_database(url: str | None = None) -> sa.Engine:
    """An engine on the configured database, migrated to the latest schema."""
    engine = create_engine(database_url(url))
    migrate(engine)
    return engine


def open_books(url: str | None, organization_id: int) -> sa.Engine:
    """:func:`open_database`, for a command about one organization: :class:`NotFound` unless it exists."""
    engine = open_database(url)
    with read_transaction(engine) as connection:
        key = organizations.c.organization_id
        found = connection.execute(sa.select(key).where(key == organization_id)).first()
    if found is None:
        raise NotFound(f"organization {organization_id} does not exist")
    return engine


@contextmanager
def bulk_writing(connection: sa.Connection) -> Iterator[None]:
    """A larger page cache while one transaction writes a whole file (SQLite only).

    An import writes millions of rows in one transaction. With a small cache, SQLite spills the dirty pages
    of its indexes to the write-ahead log and writes the same pages again and again; with 256 MiB it keeps
    the hot ones in memory. The connection goes back to its usual cache afterwards.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that holds the write lock from its start and commits at the end."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


def serialize_on(connection: sa.Connection, organization_id: int, subject: str) -> None:
    """Make the rest of this write transaction wait for any other that serializes on the same subject of the
    same organization, until that one ends.

    A write that checks for something before inserting it (is this voucher reversed already, does this
    account number exist) needs the check and the insert to be one step. SQLite gives that for free: a write
    transaction holds the database's write lock from its start. PostgreSQL runs writers side by side under
    READ COMMITTED, so two of them could both pass the check and one would then hit the unique index (a 500
    instead of a 409); a transaction-scoped advisory lock on the subject makes the second wait, and its
    check, run after the first has committed, sees what the first wrote.
    """
    if connection.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{organization_id}/{subject}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def read_transaction(engine: sa.Engine, *, snapshot: bool = False) -> Iterator[sa.Connection]:
    """A connection in a read-only transaction for one answer.

    With ``snapshot``, every statement sees the books as they were when the first one ran, also on
    PostgreSQL (REPEATABLE READ): for reads that make several passes, such as an export. SQLite readers see
    one snapshot per transaction anyway.
    """
    with engine.connect() as connection:
        if snapshot and connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


@contextmanager
def committed_reads(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for reads that need no snapshot shared between their statements.

    PostgreSQL's default isolation, READ COMMITTED, gives every statement a snapshot of its own, inside a
    transaction as well; so for such reads a transaction only adds the ``BEGIN`` and ``COMMIT`` round trips
    (on Citus each is also forwarded to a worker), and here the statements run in autocommit. A read that
    must see one state across its statements folds them into one, or uses
    :func:`read_transaction` with ``snapshot``. SQLite begins its transactions itself (see
    ``create_engine``), so there it is a plain read transaction.
    """
    with one_statement_read(engine) as connection:
        yield connection


@contextmanager
def one_statement_read(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for a single read statement, which is atomic on its own.

    On PostgreSQL it runs in autocommit, which saves the ``BEGIN`` and ``COMMIT`` round trips of a
    transaction: for a check made on every request. SQLite begins its transactions itself (see
    ``create_engine``), so there it is a plain read transaction.
    """
    if engine.dialect.name != "postgresql":
        with read_transaction(engine) as connection:
            yield connection
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
