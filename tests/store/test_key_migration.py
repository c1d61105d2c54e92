"""The migration that takes token keys out of the database, on a database that has organizations already.

After it, no organization row holds a signing key, every organization is at key generation 1 and every
client is live; going back restores a column of fresh random keys.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from kontobok.store import database

REVISION = "0006"
PREVIOUS: str = importlib.import_module(
    "kontobok.store.migrations.versions.0006_client_revocation_and_key_generations"
).down_revision


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = sa.make_url(request.getfixturevalue("postgres_url"))
    name = f"keys_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


def migrate_to(engine: sa.Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(database.__file__).parent / "migrations"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        if connection.in_transaction():
            connection.commit()


def columns(engine: sa.Engine, table: str) -> set[str]:
    with engine.connect() as connection:
        return {column["name"] for column in sa.inspect(connection).get_columns(table)}


def test_the_stored_signing_keys_are_dropped_and_come_back_on_downgrade(empty_url: str) -> None:
    engine = database.create_engine(empty_url)
    migrate_to(engine, PREVIOUS)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO organizations (name, organization_number, base_currency, time_zone, "
                "fiscal_year_start_month, signing_key, created_at) "
                "VALUES ('Gammel AS', '923609016', 'NOK', 'Europe/Oslo', 1, :key, :now)"
            ),
            {"key": "ab" * 32, "now": now},
        )
        organization_id = connection.execute(
            sa.text("SELECT max(organization_id) FROM organizations")
        ).scalar()
        connection.execute(
            sa.text(
                "INSERT INTO api_clients (organization_id, client_id, secret_hash, scopes, created_at) "
                "VALUES (:org, :cid, :hash, 'api.accounting.account:read', :now)"
            ),
            {
                "org": organization_id,
                "cid": f"kb{organization_id}_0123456789abcdef",
                "hash": "0" * 64,
                "now": now,
            },
        )

    migrate_to(engine, REVISION)

    assert "signing_key" not in columns(engine, "organizations")
    with engine.connect() as connection:
        generation = connection.execute(sa.text("SELECT key_generation FROM organizations")).scalar_one()
        revoked = connection.execute(sa.text("SELECT revoked_at FROM api_clients")).scalar_one()
        dumped = str(
            [
                connection.execute(sa.text(f"SELECT * FROM {t}")).all()
                for t in ("organizations", "api_clients")
            ]
        )
    assert generation == 1
    assert revoked is None
    assert "ab" * 32 not in dumped

    migrate_to(engine, PREVIOUS, down=True)

    assert "signing_key" in columns(engine, "organizations")
    assert "revoked_at" not in columns(engine, "api_clients")
    with engine.connect() as connection:
        key = connection.execute(sa.text("SELECT signing_key FROM organizations")).scalar_one()
    assert len(key) == 64
    assert key != "ab" * 32
    engine.dispose()
