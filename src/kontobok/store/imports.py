"""Remembering imported files, so that importing the same file twice adds nothing.

An import claims its file (kind and SHA-256) before it posts anything, in the same transaction. A second
import of the same file at the same time waits on that claim: when the first commits, the second finds the
file taken and adds nothing; when the first rolls back, the second goes ahead.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kontobok.store.clock import utc_now
from kontobok.store.journal import record_rows
from kontobok.store.schema import imported_files

_files = imported_files.c


def claim_import(connection: sa.Connection, organization_id: int, kind: str, sha256: str) -> bool:
    """Claim the file for this transaction; False when it was imported (or is being imported) already."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    claimed = connection.execute(
        dialect.insert(imported_files)
        .values(organization_id=organization_id, kind=kind, sha256=sha256, imported_at=utc_now(), summary="")
        .on_conflict_do_nothing(index_elements=["organization_id", "kind", "sha256"])
        .returning(_files.sha256)
    ).first()
    if claimed is not None:
        record_rows(connection, imported_files, organization_id, _file(kind, sha256))
    return claimed is not None


def record_import_summary(
    connection: sa.Connection, organization_id: int, kind: str, sha256: str, summary: str
) -> None:
    connection.execute(
        imported_files.update()
        .where((_files.organization_id == organization_id) & _file(kind, sha256))
        .values(summary=summary, imported_at=utc_now())
    )
    record_rows(connection, imported_files, organization_id, _file(kind, sha256))


def _file(kind: str, sha256: str) -> sa.ColumnElement[bool]:
    return (_files.kind == kind) & (_files.sha256 == sha256)
