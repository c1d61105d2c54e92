"""A real ``kontobok serve`` on loopback, for the benchmark and the load test.

The server runs as its own process (one uvicorn process, as a user runs it) on ``127.0.0.1`` and a free port;
whoever measures it sends requests from another process, so the two never share an interpreter.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

HOST = "127.0.0.1"


@dataclass
class Server:
    """A running ``kontobok serve``; after it stops, its exit code and the error lines of its log."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    exit_code: int | None = None
    log_problems: tuple[str, ...] = ()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def read_log_problems(self) -> tuple[str, ...]:
        """Lines of the log that tell of an error: tracebacks, ``ERROR`` records, 5xx in the access log."""
        return tuple(
            line
            for line in self.log_text().splitlines()
            if "Traceback" in line or line.startswith("ERROR") or '" 5' in line
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def kontobok_command() -> list[str]:
    """The ``kontobok`` console script next to this Python, else ``python -m``-style via the CLI module."""
    script = Path(sys.executable).parent / "kontobok"
    if script.exists():
        return [str(script)]
    found = shutil.which("kontobok")
    if found is not None:
        return [found]
    return [sys.executable, "-c", "from kontobok.cli import main; main()"]


@contextlib.contextmanager
def running_server(database_url: str, *, startup_timeout: float = 90.0) -> Iterator[Server]:
    """``kontobok serve`` on 127.0.0.1 and a free port, ready (``/health`` answered); stopped on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="kontobok-serve-"))
    log = workdir / "server.log"
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("KONTOBOK_DATABASE_URL", None)
    if not database_url.startswith("sqlite") and not (
        env.get("KONTOBOK_SECRET_KEY") or env.get("KONTOBOK_SECRET_KEY_FILE")
    ):
        # a throwaway server's tokens need no lasting secret; keep it out of the caller's working directory
        env["KONTOBOK_SECRET_KEY_FILE"] = str(workdir / "secret.key")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                *kontobok_command(),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--database-url",
                database_url,
            ],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    server = Server(f"http://{HOST}:{port}", process, log)
    try:
        _wait_until_healthy(server, startup_timeout)
        yield server
    finally:
        server.exit_code = _stop(process)
        server.log_problems = server.read_log_problems()
        if os.environ.get("KONTOBOK_KEEP_SERVER_LOG"):
            print(f"server log kept in {log}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"kontobok serve exited with {server.process.returncode}:\n{server.log_text()[-4000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{server.base_url}/health").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError(
        f"kontobok serve did not answer /health in {timeout:.0f} s:\n{server.log_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C (uvicorn's graceful shutdown), then SIGTERM, then SIGKILL; the exit code."""
    for how, wait in ((signal.SIGINT, 20.0), (signal.SIGTERM, 10.0)):
        if process.poll() is not None:
            break
        process.send_signal(how)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(wait)
    if process.poll() is None:
        process.kill()
    return process.wait(10.0)


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of values sorted ascending (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = math.ceil(round(fraction * len(sorted_values), 6))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def machine() -> str:
    """The date, the cores, the memory and the load average before the run (others' work skews figures)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    cores = len(os.sched_getaffinity(0))
    return f"{now}; {_cpu_model()}, nproc {cores}, {memory:.0f} GiB memory; load average {load}"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"
