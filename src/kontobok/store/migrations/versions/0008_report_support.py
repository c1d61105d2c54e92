"""Report support: the debit side of the per-day and per-month totals, and the closing voucher of a year

``account_daily_totals.debit`` is the sum of the positive amounts among the lines that are not incoming
balance (IB), so a trial balance reads a period's debits and credits from the totals instead of the lines.
``fiscal_years.closing_voucher_id`` names the voucher that moved a closed year's result to equity, so that
reopening the year can reverse it; such vouchers have a transaction type of their own (11, Årsavslutning),
added to every organization that lacks it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_DAILY_DEBITS = (
    "UPDATE account_daily_totals SET debit = COALESCE(("
    "SELECT SUM(l.amount) FROM transaction_lines l "
    "JOIN transaction_types t ON t.organization_id = l.organization_id "
    "AND t.number = l.transaction_type_number "
    "WHERE l.organization_id = account_daily_totals.organization_id "
    "AND l.account_id = account_daily_totals.account_id "
    "AND l.{day_column} = account_daily_totals.day "
    "AND l.amount > 0 AND NOT t.is_incoming_balance), 0) "
    "WHERE basis = {basis}"
)


def upgrade() -> None:
    with op.batch_alter_table("account_daily_totals") as table:
        table.add_column(sa.Column("debit", sa.BigInteger, nullable=False, server_default="0"))
    with op.batch_alter_table("fiscal_years") as table:
        table.add_column(sa.Column("closing_voucher_id", sa.Uuid, nullable=True))
    op.execute(sa.text(_DAILY_DEBITS.format(day_column="line_date", basis=0)))
    op.execute(sa.text(_DAILY_DEBITS.format(day_column="period_date", basis=1)))
    op.execute(
        sa.text(
            "INSERT INTO transaction_types "
            "(organization_id, number, name, is_incoming_balance, next_voucher_number) "
            "SELECT organization_id, 11, :name, :no, 1 FROM organizations o WHERE NOT EXISTS ("
            "SELECT 1 FROM transaction_types t WHERE t.organization_id = o.organization_id AND t.number = 11)"
        ).bindparams(name="Årsavslutning", no=False)
    )
    bind = op.get_bind()
    month = (
        "CAST(date_trunc('month', d.day) AS date)"
        if bind.dialect.name == "postgresql"
        else "date(d.day, 'start of month')"
    )
    op.execute(
        sa.text(
            "UPDATE account_daily_totals SET debit = COALESCE(("  # noqa: S608 (a fixed expression per dialect)
            "SELECT SUM(d.debit) FROM account_daily_totals d "
            "WHERE d.organization_id = account_daily_totals.organization_id "
            "AND d.account_id = account_daily_totals.account_id "
            "AND d.basis = account_daily_totals.basis - 2 "
            f"AND {month} = account_daily_totals.day), 0) "
            "WHERE basis IN (2, 3)"
        )
    )


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM transaction_types WHERE number = 11 AND NOT EXISTS ("
            "SELECT 1 FROM vouchers v WHERE v.organization_id = transaction_types.organization_id "
            "AND v.transaction_type_number = 11)"
        )
    )
    with op.batch_alter_table("fiscal_years") as table:
        table.drop_column("closing_voucher_id")
    with op.batch_alter_table("account_daily_totals") as table:
        table.drop_column("debit")
