"""Remembering imported files, so that importing the same file twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from kontobok.store.clock import utc_now
from kontobok.store.schema import imported_files


def was_imported(connection: sa.Connection, organization_id: int, kind: str, sha256: str) -> bool:
    return (
        connection.execute(
            sa.select(imported_files.c.sha256).where(
                (imported_files.c.organization_id == organization_id)
                & (imported_files.c.kind == kind)
                & (imported_files.c.sha256 == sha256)
            )
        ).first()
        is not None
    )


def remember_import(
    connection: sa.Connection, organization_id: int, kind: str, sha256: str, summary: str
) -> None:
    connection.execute(
        imported_files.insert().values(
            organization_id=organization_id, kind=kind, sha256=sha256, imported_at=utc_now(), summary=summary
        )
    )
