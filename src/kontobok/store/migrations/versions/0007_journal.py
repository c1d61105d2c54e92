"""The journal of every change to an organization's books, hash-chained; triggers that refuse to change or
delete posted vouchers, their lines and the journal; indexes to read the books as of an instant; the instant
a reported bank balance was recorded

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("vouchers", "transaction_lines", "journal_entries")
REFUSE_FUNCTION = "kontobok_refuse_change"


def upgrade() -> None:
    op.create_table(
        "journal_entries",
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "position", name="pk_journal_entries"),
    )
    op.create_index("ix_transaction_lines_created", "transaction_lines", ["organization_id", "created_at"])
    op.create_index("ix_bank_transactions_created", "bank_transactions", ["organization_id", "created_at"])
    _add_recorded_instant_to_bank_balances()
    if op.get_bind().dialect.name == "postgresql":
        _distribute_on_citus()
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _add_recorded_instant_to_bank_balances() -> None:
    """Balances reported before this revision count as recorded when the bank reported them."""
    op.add_column(
        "bank_balances",
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("'1970-01-01 00:00:00'"),
        ),
    )
    op.execute(sa.text("UPDATE bank_balances SET created_at = reported_at"))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("bank_balances", "created_at", server_default=None)
    op.create_index("ix_bank_balances_created", "bank_balances", ["organization_id", "created_at"])


def _distribute_on_citus() -> None:
    """Where the books are distributed by organization (Citus, docs/scaling.md), the journal joins them.

    The triggers below only read the operation's name and touch no other table, so they are safe on
    distributed tables; Citus asks for that to be said with ``citus.enable_unsafe_triggers``.
    """
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT to_regclass('pg_dist_partition') IS NOT NULL")).scalar():
        return
    distributed = bind.execute(
        sa.text("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'organizations'::regclass")
    ).scalar()
    if distributed:
        op.execute(
            sa.text(
                "SELECT create_distributed_table('journal_entries', 'organization_id', "
                "colocate_with => 'organizations')"
            )
        )
        op.execute(sa.text("SET LOCAL citus.enable_unsafe_triggers = on"))


def _postgresql_triggers() -> None:
    op.execute(
        sa.text(
            f"CREATE FUNCTION {REFUSE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'kontobok: % of % refused: posted books are append-only', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'integrity_constraint_violation'; END $$"
        )
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {REFUSE_FUNCTION}()"
            )
        )
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {REFUSE_FUNCTION}()"
            )
        )


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                sa.text(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'kontobok: {operation} of {table} refused: "
                    "posted books are append-only'); END"
                )
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(sa.text(f"DROP TRIGGER {table}_append_only ON {table}"))
            op.execute(sa.text(f"DROP TRIGGER {table}_no_truncate ON {table}"))
        op.execute(sa.text(f"DROP FUNCTION {REFUSE_FUNCTION}()"))
    else:
        for table in APPEND_ONLY_TABLES:
            for operation in ("update", "delete"):
                op.execute(sa.text(f"DROP TRIGGER {table}_no_{operation}"))
    op.drop_index("ix_bank_balances_created", table_name="bank_balances")
    with op.batch_alter_table("bank_balances") as batch:
        batch.drop_column("created_at")
    op.drop_index("ix_bank_transactions_created", table_name="bank_transactions")
    op.drop_index("ix_transaction_lines_created", table_name="transaction_lines")
    op.drop_table("journal_entries")
