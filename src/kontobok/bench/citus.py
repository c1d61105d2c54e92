"""A throwaway Citus cluster on loopback ports: one coordinator and its workers, for tests and benchmarks.

Every node is a PostgreSQL server of its own (see :mod:`kontobok.bench.postgres`) in a fresh temporary
directory, owned by the unprivileged ``postgres`` user when we run as root. Unlike the single test server,
the nodes listen on TCP (``127.0.0.1`` only, on ports the kernel hands out as free), because the coordinator
connects to its workers, and the workers to each other when shards move, over the network.

Each node preloads the ``citus`` library and has ``wal_level = logical``: the shard rebalancer moves a
shard by logical replication while the shard keeps taking writes. The database ``kontobok_test`` has the
``citus`` extension on every node; the coordinator knows its own address
(``citus_set_coordinator_host``) and has every worker added (``citus_add_node``).

Citus is not a Debian or PyPI package here: ``scripts/test`` builds it from the source in
``../shared/vendor/citus`` and installs ``citus.so`` into PostgreSQL's library directory.
"""

from __future__ import annotations

import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from kontobok.bench.postgres import (
    DATABASE,
    SUPERUSER,
    _check,
    _ensure_system_user,
    _is_root,
    _make_workdir,
    _quote_conf,
    _Runner,
    find_bindir,
    postgres_unavailable_reason,
)

LOOPBACK = "127.0.0.1"
_NODE_SETTINGS: dict[str, str | int] = {
    "listen_addresses": LOOPBACK,
    "max_connections": 200,
    "shared_preload_libraries": "citus",
    "wal_level": "logical",
    "max_replication_slots": 20,
    "max_wal_senders": 20,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "shared_buffers": "64MB",
    # a worker that does not answer fails the coordinator's connection attempt after 2 s, not 30 s
    "citus.node_connection_timeout": 2000,
    # the shard rebalancer and the background mover poll quickly, so a test waits for them briefly
    "citus.background_task_queue_interval": 200,
}


def citus_library(bindir: Path | None = None) -> Path | None:
    """Where ``citus.so`` is for the PostgreSQL server found, or ``None``."""
    bindir = bindir or find_bindir()
    if bindir is None:
        return None
    return bindir.parent / "lib" / "citus.so"


def citus_unavailable_reason() -> str | None:
    """Why a Citus cluster cannot start here, or ``None`` when it should."""
    reason = postgres_unavailable_reason()
    if reason is not None:
        return reason
    library = citus_library()
    if library is None or not library.exists():
        return f"Citus is not installed ({library} is missing); scripts/test builds it (docs/scaling.md)"
    return None


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class CitusNode:
    """One PostgreSQL server with Citus loaded, listening on ``127.0.0.1:port``."""

    runner: _Runner
    workdir: Path
    port: int
    running: bool = False

    @property
    def data(self) -> Path:
        return self.workdir / "data"

    @property
    def log(self) -> Path:
        return self.workdir / "server.log"

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of this node's ``kontobok_test`` database (TCP, trust authentication)."""
        return f"postgresql+psycopg://{SUPERUSER}@{LOOPBACK}:{self.port}/{DATABASE}"

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=LOOPBACK, port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True, connect_timeout=10
        )

    def initialize(self) -> None:
        result = self.runner.run(
            "initdb",
            [
                "-D",
                str(self.data),
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
        settings = {**_NODE_SETTINGS, "port": self.port, "unix_socket_directories": str(self.workdir)}
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# kontobok Citus test node\n")
            conf.writelines(f"{key} = {_quote_conf(value)}\n" for key, value in settings.items())
        self.start()
        with self.connect("postgres") as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        with self.connect() as connection:
            connection.execute("CREATE EXTENSION citus")

    def start(self) -> None:
        result = self.runner.run(
            "pg_ctl", ["-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "start"], timeout=180
        )
        self.running = True  # even a failed start may have left a postmaster behind
        _check(result, "pg_ctl start", self.log)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash: no checkpoint, connections cut)."""
        if self.running:
            self.runner.run("pg_ctl", ["-D", str(self.data), "-m", mode, "-w", "stop"], timeout=120)
            self.running = False


@dataclass
class CitusCluster:
    """A coordinator and its workers. kontobok connects to the coordinator only (``url``)."""

    coordinator: CitusNode
    workers: list[CitusNode] = field(default_factory=list)
    _stack: ExitStack = field(default_factory=ExitStack)

    @property
    def url(self) -> str:
        return self.coordinator.url

    def add_worker(self) -> CitusNode:
        """Start one more worker and add it to the cluster (it holds no shards until a rebalance)."""
        node = self._stack.enter_context(_node())
        node.initialize()
        with self.coordinator.connect() as connection:
            connection.execute("SELECT citus_add_node(%s, %s)", (LOOPBACK, node.port))
        self.workers.append(node)
        return node


@contextmanager
def _node() -> Iterator[CitusNode]:
    bindir = find_bindir()
    assert bindir is not None
    account = _ensure_system_user() if _is_root() else None
    workdir = _make_workdir(account)
    node = CitusNode(_Runner(bindir, workdir, account), workdir, free_port())
    try:
        yield node
    finally:
        try:
            node.stop("immediate")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def running_citus(workers: int = 2) -> Iterator[CitusCluster]:
    """Start a coordinator and ``workers`` workers on loopback ports, yield the cluster, then stop and delete
    them all."""
    reason = citus_unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    with ExitStack() as stack:
        coordinator = stack.enter_context(_node())
        coordinator.initialize()
        with coordinator.connect() as connection:
            connection.execute("SELECT citus_set_coordinator_host(%s, %s)", (LOOPBACK, coordinator.port))
        cluster = CitusCluster(coordinator, _stack=stack)
        for _ in range(workers):
            cluster.add_worker()
        yield cluster


def main() -> None:
    """``python -m kontobok.bench.citus [WORKERS]``: a throwaway cluster until Ctrl-C, for trying kontobok
    on Citus (``docs/scaling.md``). Prints the coordinator's URL; everything is deleted on exit."""
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with running_citus(workers) as cluster:
        print(cluster.url, flush=True)
        ports = ", ".join(str(node.port) for node in [cluster.coordinator, *cluster.workers])
        print(f"coordinator and {workers} workers on 127.0.0.1 ({ports}); Ctrl-C stops them", file=sys.stderr)
        with suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
