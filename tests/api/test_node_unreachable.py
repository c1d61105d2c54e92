"""Which database errors mean "a node holding the books cannot be reached" (a 503 with Retry-After).

The Citus cluster tests stop a worker for real (``tests/citus/test_worker_failure.py``); here the choice of
SQLSTATEs is pinned: a connection failure reported by the server is one, a protocol violation is a bug."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kontobok.api.errors import is_node_unreachable


@dataclass
class ServerError(Exception):
    sqlstate: str | None


@pytest.mark.parametrize(
    ("sqlstate", "unreachable"),
    [
        ("08006", True),  # Citus: connection to the remote node … failed
        ("08001", True),
        ("08000", True),
        ("08P01", False),  # protocol violation: a bug, not an outage
        ("55P03", False),  # lock not available: the busy answer, not this one
        ("40001", False),
        (None, False),
    ],
)
def test_only_connection_failures_reported_by_the_server_count(
    sqlstate: str | None, unreachable: bool
) -> None:
    assert is_node_unreachable(ServerError(sqlstate)) is unreachable
    assert is_node_unreachable(None) is False
