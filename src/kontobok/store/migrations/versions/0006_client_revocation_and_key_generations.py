"""Token keys leave the database: organizations keep only a key generation, API clients can be revoked

The stored per-organization signing keys are dropped: token keys are derived from a server secret kept
outside the database and the organization's key generation, so nothing a database reader holds signs a
token. Every token issued before this revision stops working (they were signed with the dropped keys);
clients fetch new ones with their unchanged credentials.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE on both backends (SQLite 3.35+ drops a column itself): a batch rebuild of
    # ``organizations`` would drop the table that every other table's foreign keys point at
    op.add_column(
        "organizations", sa.Column("key_generation", sa.Integer, nullable=False, server_default="1")
    )
    op.execute("ALTER TABLE organizations DROP COLUMN signing_key")
    op.add_column("api_clients", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE api_clients DROP COLUMN revoked_at")
    op.add_column("organizations", sa.Column("signing_key", sa.String(64), nullable=False, server_default=""))
    bind = op.get_bind()
    organization_ids = bind.execute(sa.text("SELECT organization_id FROM organizations")).scalars().all()
    for organization_id in organization_ids:
        bind.execute(
            sa.text("UPDATE organizations SET signing_key = :key WHERE organization_id = :id"),
            {"key": secrets.token_hex(32), "id": organization_id},
        )
    if bind.dialect.name == "postgresql":
        op.alter_column("organizations", "signing_key", server_default=None)
    op.execute("ALTER TABLE organizations DROP COLUMN key_generation")
