"""Monthly sums beside the per-day totals (bases 2 and 3), filled from the per-day totals already stored;
an index to read one basis over a range of days for every account

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    month = (
        "CAST(date_trunc('month', day) AS date)"
        if bind.dialect.name == "postgresql"
        else "date(day, 'start of month')"
    )
    op.execute(
        sa.text(
            "INSERT INTO account_daily_totals "  # noqa: S608 (a fixed expression per dialect)
            "(organization_id, account_id, basis, day, movement, incoming, line_count) "
            f"SELECT organization_id, account_id, basis + 2, {month}, "
            "SUM(movement), SUM(incoming), SUM(line_count) "
            "FROM account_daily_totals WHERE basis IN (0, 1) "
            f"GROUP BY organization_id, account_id, basis, {month}"
        )
    )

    op.create_index(
        "ix_account_daily_totals_by_day",
        "account_daily_totals",
        ["organization_id", "basis", "day", "account_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_account_daily_totals_by_day", table_name="account_daily_totals")
    op.execute(sa.text("DELETE FROM account_daily_totals WHERE basis IN (2, 3)"))
