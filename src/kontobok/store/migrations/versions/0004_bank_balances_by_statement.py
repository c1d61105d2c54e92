"""Find a statement's recorded balances by index: a statement import checks each snapshot against them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_bank_balances_statement",
        "bank_balances",
        ["organization_id", "bank_account_id", "statement_identity"],
    )


def downgrade() -> None:
    op.drop_index("ix_bank_balances_statement", table_name="bank_balances")
