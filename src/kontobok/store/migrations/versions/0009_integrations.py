"""Webhook subscriptions, their outbox, balance monitors, voucher drafts; the journal read by kind; bank transactions read by
the instant they last changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index("ix_journal_entries_kind", "journal_entries", ["organization_id", "kind"])
    op.create_index("ix_bank_transactions_modified", "bank_transactions", ["organization_id", "modified_at"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(80), nullable=False),
        sa.Column("event_types", sa.Text, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.organization_id"],
            name="fk_webhook_subscriptions_organization_id_organizations",
        ),
        sa.PrimaryKeyConstraint("organization_id", "subscription_id", name="pk_webhook_subscriptions"),
    )
    op.create_table(
        "webhook_outbox",
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("event_index", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("message_id", sa.String(80), nullable=False),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Timestamp, nullable=False),
        sa.Column("claimed_until", Timestamp, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint(
            "organization_id", "subscription_id", "position", "event_index", name="pk_webhook_outbox"
        ),
    )
    op.create_index("ix_webhook_outbox_due", "webhook_outbox", ["status", "next_attempt_at"])
    op.create_table(
        "balance_monitors",
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("monitor_id", sa.String(40), nullable=False),
        sa.Column("account_number", sa.Integer, nullable=False),
        sa.Column("threshold", sa.BigInteger, nullable=False),
        sa.Column("balance", sa.BigInteger, nullable=False),
        sa.Column("is_below", sa.Boolean, nullable=False),
        sa.Column("subscription_id", sa.String(40), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.organization_id"],
            name="fk_balance_monitors_organization_id_organizations",
        ),
        sa.PrimaryKeyConstraint("organization_id", "monitor_id", name="pk_balance_monitors"),
    )
    op.create_table(
        "voucher_drafts",
        sa.Column("organization_id", sa.Integer, nullable=False),
        sa.Column("draft_id", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.organization_id"],
            name="fk_voucher_drafts_organization_id_organizations",
        ),
        sa.PrimaryKeyConstraint("organization_id", "draft_id", name="pk_voucher_drafts"),
    )

    _distribute_on_citus()


NEW_TABLES = ("webhook_subscriptions", "webhook_outbox", "balance_monitors", "voucher_drafts")


def _distribute_on_citus() -> None:
    """Where the books are distributed by organization (Citus, docs/scaling.md), the new tables join them."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not bind.execute(sa.text("SELECT to_regclass('pg_dist_partition') IS NOT NULL")).scalar():
        return
    distributed = bind.execute(
        sa.text("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'organizations'::regclass")
    ).scalar()
    if distributed:
        for table in NEW_TABLES:
            op.execute(
                sa.text(
                    f"SELECT create_distributed_table('{table}', 'organization_id', "
                    "colocate_with => 'organizations')"
                )
            )


def downgrade() -> None:
    op.drop_table("voucher_drafts")
    op.drop_table("balance_monitors")
    op.drop_index("ix_webhook_outbox_due", table_name="webhook_outbox")
    op.drop_table("webhook_outbox")
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_bank_transactions_modified", table_name="bank_transactions")
    op.drop_index("ix_journal_entries_kind", table_name="journal_entries")
