"""Migration 0008 fills the debit sums of books posted before it, on a fresh database of each backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import kontobok.store.database as database_module
from kontobok.core.voucher import LineDraft, VoucherDraft
from kontobok.store.database import create_engine, migrate, read_transaction, write_transaction
from kontobok.store.organizations import create_organization
from kontobok.store.posting import post_drafts
from kontobok.store.schema import account_daily_totals
from kontobok.store.verification import verify_books
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    server = sa.make_url(request.getfixturevalue("postgres_url"))
    name = f"migration_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.render_as_string(hide_password=False)).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def _alembic(engine: sa.Engine, revision: str, *, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(database_module.__file__).parent / "migrations"))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
        if connection.in_transaction():
            connection.commit()


def _debits(engine: sa.Engine) -> dict[tuple[int, int, date], int]:
    totals = account_daily_totals.c
    with engine.connect() as connection:
        rows = connection.execute(sa.select(totals.account_id, totals.basis, totals.day, totals.debit))
        return {(account, basis, day): int(debit) for account, basis, day, debit in rows}


def test_the_migration_recomputes_the_debits_from_the_lines(fresh_url: str) -> None:
    engine = create_engine(fresh_url)
    migrate(engine)
    with write_transaction(engine) as connection:
        organization = create_organization(
            connection, name="Migrering AS", organization_number="923609016", open_years=range(2025, 2026)
        )
        post_drafts(connection, organization, [
            VoucherDraft(10, date(2025, 1, 1), (LineDraft(1920, 1000), LineDraft(2000, -1000))),
            VoucherDraft(1, date(2025, 1, 15),
                         (LineDraft(1500, Decimal("125.5")), LineDraft(3000, Decimal("-125.5"), 3))),
            VoucherDraft(5, date(2025, 2, 3), (LineDraft(1920, 300), LineDraft(1500, -300))),
            VoucherDraft(5, date(2025, 2, 4), (LineDraft(1920, -20), LineDraft(1500, 20))),
        ])  # fmt: skip
    posted = _debits(engine)
    assert sum(1 for debit in posted.values() if debit) >= 8

    _alembic(engine, "0008-1", down=True)
    _alembic(engine, "head", down=False)

    assert _debits(engine) == posted
    with read_transaction(engine) as connection:
        assert verify_books(connection, organization.organization_id).ok
    engine.dispose()
