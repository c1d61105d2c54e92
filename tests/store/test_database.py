"""The database layer: migrations that match the schema, SQLite settings, and concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kontobok.core.voucher import LineDraft, VoucherDraft
from kontobok.store.database import open_database, read_transaction, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.posting import post_drafts
from kontobok.store.schema import metadata, vouchers
from kontobok.store.verification import verify_books


def test_the_migrations_build_exactly_the_declared_schema(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_new_sqlite_database_is_migrated_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'fresh.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        tables = set(sa.inspect(connection).get_table_names())
    assert {"organizations", "transaction_lines", "account_daily_totals", "alembic_version"} <= tables
    open_database(f"sqlite:///{tmp_path / 'fresh.db'}")  # a second start finds nothing to do


def test_every_primary_key_starts_with_the_organization() -> None:
    for table in metadata.sorted_tables:
        assert table.primary_key.columns.values()[0].name == "organization_id", table.name


def test_concurrent_writers_get_gapless_numbers_and_lose_nothing(
    engine: sa.Engine, organization: Organization
) -> None:
    def post(index: int) -> None:
        amount = Decimal(index + 1)
        draft = VoucherDraft(
            5, date(2024, 5, 1 + index % 28), (LineDraft(1920, amount), LineDraft(3000, -amount))
        )
        with write_transaction(engine) as connection:
            post_drafts(connection, organization, [draft])

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(post, range(60)))

    with read_transaction(engine) as connection:
        numbers = sorted(
            connection.execute(
                sa.select(vouchers.c.voucher_number).where(
                    vouchers.c.organization_id == organization.organization_id
                )
            ).scalars()
        )
        report = verify_books(connection, organization.organization_id)
    assert numbers == list(range(1, 61))
    assert report.ok
    assert report.lines_checked == 120
