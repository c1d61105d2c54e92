"""A throwaway PostgreSQL server, for the test suite and for ``kontobok bench``.

PostgreSQL is a first-class store for kontobok, so the tests run against a real server rather than
a mock or SQLite pretending to be PostgreSQL: type coercion, locking, constraint timing and the SQL
dialect only show their real behaviour on the real thing.

``running_postgres()`` runs ``initdb`` into a fresh temporary directory, starts the server on a Unix
socket in that directory (no TCP listener, so parallel test workers never fight over a port and
nothing is reachable from outside), creates the database ``kontobok_test`` and yields a SQLAlchemy
URL for it. Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``)
because the data lives only as long as the test run. On exit the server is stopped with
``pg_ctl stop -m immediate`` and the directory is removed.

PostgreSQL refuses to run as root. When the tests run as root (as they do in CI here), the data
directory is owned by the unprivileged ``postgres`` system user (created if missing) and
``initdb``/``pg_ctl`` run through ``runuser -u postgres --``.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg

SUPERUSER = "kontobok"
DATABASE = "kontobok_test"
SYSTEM_USER = "postgres"

#: Set to ``required`` (``scripts/test`` does so when ``CI=true``) to make tests fail instead of
#: skip when no PostgreSQL server can be started.
REQUIRED_ENV = "KONTOBOK_TEST_POSTGRES"

_SETTINGS: Mapping[str, str | int] = {
    "listen_addresses": "",
    "max_connections": 100,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}
# A Unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux) with ".s.PGSQL.NNNNN".
_MAX_SOCKET_DIR = 80
_ports = itertools.count()


def postgres_required() -> bool:
    """Whether the environment says a missing PostgreSQL is a failure rather than a skip."""
    return os.environ.get(REQUIRED_ENV, "").strip().lower() == "required"


def _is_root() -> bool:
    return os.geteuid() == 0


def _version_key(path: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); non-numeric parts sort lowest.
    name = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (-1,)


def _has_server_tools(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres"))


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or ``None`` when the server is not installed.

    Looks at ``pg_config --bindir``, then ``/usr/lib/postgresql/*/bin`` (highest version first),
    then ``PATH``.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            candidates.append(Path(out))
    candidates.extend(
        Path(d) for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    )
    for name in ("initdb", "pg_ctl"):
        found = shutil.which(name)
        if found is not None:
            candidates.append(Path(found).resolve().parent)
    return next((c for c in candidates if _has_server_tools(c)), None)


def postgres_unavailable_reason() -> str | None:
    """Why ``running_postgres()`` cannot work here, or ``None`` when it should."""
    if find_bindir() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl) not found via pg_config, "
            "/usr/lib/postgresql/*/bin or PATH; install the Debian package 'postgresql'"
        )
    if _is_root():
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            if shutil.which("useradd") is None:
                return f"running as root, no '{SYSTEM_USER}' user and no useradd to create one"
    return None


def postgres_available() -> bool:
    """Whether a throwaway PostgreSQL server can be started on this machine."""
    return postgres_unavailable_reason() is None


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            SYSTEM_USER,
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return pwd.getpwnam(SYSTEM_USER)


class _Runner:
    """Runs the server's programs, as the ``postgres`` user when we are root."""

    def __init__(self, bindir: Path, workdir: Path, account: pwd.struct_passwd | None) -> None:
        self.bindir = bindir
        self.workdir = workdir
        self.account = account
        self.runuser = shutil.which("runuser") if account is not None else None
        # PG* variables from the caller's environment must not redirect the throwaway server.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env["LC_ALL"] = "C"

    def run(self, tool: str, args: Sequence[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bindir / tool), *args]
        if self.account is None:
            return self._run(argv, timeout=timeout)
        if self.runuser is not None:
            return self._run([self.runuser, "-u", self.account.pw_name, "--", *argv], timeout=timeout)
        # No runuser (not Debian): drop privileges in the child directly.
        return self._run(
            argv,
            timeout=timeout,
            user=self.account.pw_uid,
            group=self.account.pw_gid,
            extra_groups=[],
        )

    def _run(
        self,
        argv: list[str],
        *,
        timeout: float,
        user: int | None = None,
        group: int | None = None,
        extra_groups: list[int] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            user=user,
            group=group,
            extra_groups=extra_groups,
        )


def _check(result: subprocess.CompletedProcess[str], what: str, log: Path | None = None) -> None:
    if result.returncode == 0:
        return
    detail = f"{result.stdout}\n{result.stderr}".strip()
    if log is not None and log.exists():
        detail += "\n--- server log ---\n" + log.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"{what} failed with exit code {result.returncode}:\n{detail}")


def _make_workdir(account: pwd.struct_passwd | None) -> Path:
    base = tempfile.gettempdir()
    if len(base) > _MAX_SOCKET_DIR - 30 and Path("/tmp").is_dir():  # keep the socket path short
        base = "/tmp"
    workdir = Path(tempfile.mkdtemp(prefix="kontobok-pg-", dir=base))
    # The server user (and the client, when that is someone else) must get through both.
    parent = workdir.parent
    mode = parent.stat().st_mode
    if account is not None and not mode & stat.S_IXOTH:
        parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
    workdir.chmod(0o755)
    if account is not None:
        os.chown(workdir, account.pw_uid, account.pw_gid)
    return workdir


def _quote_conf(value: str | int) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + value.replace("'", "''") + "'"


def _pick_port() -> int:
    # No TCP listener: the port only names the socket file inside our own directory, so any value
    # works. Distinct values per process keep the servers' System V IPC keys apart.
    return 20000 + (os.getpid() * 7 + next(_ports)) % 40000


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a throwaway PostgreSQL server; yield its SQLAlchemy URL; stop and delete it on exit.

    The URL has the form
    ``postgresql+psycopg://kontobok@/kontobok_test?host=/tmp/kontobok-pg-XXXX&port=NNNNN``:
    superuser ``kontobok``, trust authentication over the Unix socket, no password.
    """
    reason = postgres_unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    bindir = find_bindir()
    assert bindir is not None
    account = _ensure_system_user() if _is_root() else None
    workdir = _make_workdir(account)
    data = workdir / "data"
    log = workdir / "server.log"
    runner = _Runner(bindir, workdir, account)
    started = False
    try:
        result = runner.run(
            "initdb",
            [
                "-D",
                str(data),
                "--auth=trust",
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            timeout=300,
        )
        _check(result, "initdb")

        port = _pick_port()
        settings = {**_SETTINGS, "port": port, "unix_socket_directories": str(workdir)}
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# kontobok test server\n")
            conf.writelines(f"{key} = {_quote_conf(value)}\n" for key, value in settings.items())

        result = runner.run(
            "pg_ctl", ["-D", str(data), "-l", str(log), "-w", "-t", "120", "start"], timeout=180
        )
        started = True  # even a failed start may have left a postmaster behind
        _check(result, "pg_ctl start", log)

        with psycopg.connect(
            host=str(workdir), port=port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')

        yield f"postgresql+psycopg://{SUPERUSER}@/{DATABASE}?host={quote(str(workdir), safe='/')}&port={port}"
    finally:
        try:
            if started:
                runner.run("pg_ctl", ["-D", str(data), "-m", "immediate", "-w", "stop"], timeout=120)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
