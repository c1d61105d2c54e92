"""A write that cannot get the books' lock in time is a 503 with Retry-After, never a 500."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.store.database import create_engine, migrate, write_transaction
from tests.factories import Api, line, new_organization, voucher


def test_a_write_that_waits_out_the_sqlite_lock_is_a_503(sqlite_url: str) -> None:
    """SQLite's database-wide write lock; PostgreSQL writers queue on row locks instead."""
    engine = create_engine(sqlite_url)
    migrate(engine)
    impatient = create_engine(sqlite_url)

    @sa.event.listens_for(impatient, "connect")
    def _short_timeout(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")  # type: ignore[attr-defined]

    organization = new_organization(engine)
    with Api.for_organization(engine, organization) as api:
        client = TestClient(create_app(impatient), raise_server_exceptions=False)
        with write_transaction(engine):  # another writer holds the books, as a long import does
            answer = client.post(
                "/v1/transactions",
                json=voucher("2024-01-05", line(1920, 10), line(3000, -10)),
                headers=api.auth,
            )
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "5"
        assert answer.json()["error"]["name"] == "ServiceUnavailableError"
        assert answer.json()["trackingId"] == answer.headers["X-Trace-Id"]
        api.post_voucher(voucher("2024-01-05", line(1920, 10), line(3000, -10)))  # once free, it posts
    impatient.dispose()
    engine.dispose()
