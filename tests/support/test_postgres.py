"""The throwaway PostgreSQL server starts, answers SQL, and is gone after the context exits."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from .postgres import postgres_required, postgres_unavailable_reason, running_postgres


@pytest.fixture(autouse=True)
def _need_postgres() -> None:
    reason = postgres_unavailable_reason()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(f"KONTOBOK_TEST_POSTGRES=required but {reason}")
    pytest.skip(reason)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/status")
    if status.exists():  # a zombie nobody has reaped yet is not a running server
        return "\nState:\tZ" not in status.read_text()
    return True


def test_server_answers_sql() -> None:
    with running_postgres() as url:
        parsed = make_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert parsed.username == "kontobok"
        assert parsed.database == "kontobok_test"
        assert parsed.host is None
        assert str(parsed.query["host"]).startswith("/")
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(sqlalchemy.text("select 1")).scalar_one() == 1
                version = conn.execute(sqlalchemy.text("show server_version_num")).scalar_one()
                assert int(version) >= 120000
                assert conn.execute(sqlalchemy.text("select current_database()")).scalar_one() == (
                    "kontobok_test"
                )
                assert conn.execute(sqlalchemy.text("show fsync")).scalar_one() == "off"
                assert conn.execute(sqlalchemy.text("show listen_addresses")).scalar_one() == ""
        finally:
            engine.dispose()


def test_server_is_gone_after_exit() -> None:
    with running_postgres() as url:
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as conn:
                data_dir = conn.execute(sqlalchemy.text("show data_directory")).scalar_one()
        finally:
            engine.dispose()
        postmaster_pid = int((Path(data_dir) / "postmaster.pid").read_text().splitlines()[0])
        assert _alive(postmaster_pid)
        socket_dir = Path(str(make_url(url).query["host"]))
        assert socket_dir.is_dir()

    assert not _alive(postmaster_pid)
    assert not socket_dir.exists()
    assert not Path(data_dir).exists()
    parsed = make_url(url)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(
            host=str(socket_dir),
            port=int(str(parsed.query["port"])),
            user=parsed.username,
            dbname=parsed.database,
            connect_timeout=5,
        ).close()
