"""Failed-login throttling for ``POST /oauth/token``.

Failed attempts (unknown client or wrong secret) are counted per ``(client_id, address)`` and per remote
address in a sliding window. A client id with 5 failures from one address in the last 60 s, or an address
with 20, gets 429 for every further attempt from that address, the right secret included, until the
oldest of those failures is 60 s old: at most 5 guesses at one client's secret, and 20 in all, per address
and minute. The answer is RFC 6749's shape, ``{"error": "too_many_requests", "error_description"}``, with
``Retry-After`` in whole seconds. Refused attempts are not checked and do not count.

* Never per client id alone: then anyone who knows a client id (it is not a secret; it shows in logs and
  configuration) could lock that client out from everywhere by failing five times a minute. An attacker
  hammering a client id throttles only its own address; the real client, calling from another, goes on.
* Per address, because an attacker may spread its guesses over many client ids. The address allows more
  failures than a client does, so that one misconfigured integration does not lock out the other clients
  on the same host (or behind the same NAT).
* An attacker with many addresses gets 5 guesses per address and minute at a secret of 256 random bits:
  that buys nothing.
* A successful login clears its client's failures from that address, not the address's: a caller holding
  one valid secret must not be able to wipe the address's count between guesses at other clients' secrets.
* Client secrets are 256 random bits, so this guards the database and the logs more than the secrets.
  Attempts in flight are counted when they finish, so a burst of parallel guesses can pass the limit by the
  number the server runs at once; with secrets that strong, no false 429 for a client's parallel logins is
  worth more than closing that gap.
* The counts live in this process's memory, at most 10 000 keys of each kind; when full, the key that
  failed least recently is forgotten. Each server process counts on its own, so with N processes (uvicorn
  ``--workers``) a client gets up to N times the failures, and a restart forgets them. Behind a reverse
  proxy the address is the one uvicorn takes from ``X-Forwarded-For`` of a trusted proxy
  (``--forwarded-allow-ips``); otherwise every caller shares the proxy's address.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Clock = Callable[[], float]

CLIENT_FAILURES = 5
ADDRESS_FAILURES = 20
WINDOW_SECONDS = 60.0
MAX_KEYS = 10_000
# a client id is at most 28 characters (``kb<organization>_<16 hex>``); longer ones cannot succeed anyway
_KEY_LENGTH = 80


class FailureWindow:
    """Failure times per key within a sliding window, for at most ``max_keys`` keys. Not thread-safe."""

    def __init__(self, limit: int, window: float, max_keys: int) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._failures)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 if it may now."""
        failures = self._failures.get(key)
        if failures is None:
            return 0.0
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0.0
        if len(failures) < self.limit:
            return 0.0
        return failures[0] + self.window - now

    def fail(self, key: str, now: float) -> None:
        failures = self._failures.pop(key, None)
        if failures is None:
            failures = deque(maxlen=self.limit)
        failures.append(now)
        self._failures[key] = failures  # now the most recent
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


def _client_key(client_id: str, address: str) -> str:
    return client_id[:_KEY_LENGTH] + "\x00" + address


class LoginThrottle:
    """Failed logins per (client id, address) and per address; ``clock`` is injectable for tests."""

    def __init__(
        self,
        *,
        client_failures: int = CLIENT_FAILURES,
        address_failures: int = ADDRESS_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        max_keys: int = MAX_KEYS,
        clock: Clock = time.monotonic,
    ) -> None:
        self.window_seconds = window_seconds
        self._clients = FailureWindow(client_failures, window_seconds, max_keys)
        self._addresses = FailureWindow(address_failures, window_seconds, max_keys)
        self._clock = clock
        self._lock = threading.Lock()

    def retry_after(self, client_id: str, address: str) -> int | None:
        """Whole seconds the caller must wait before this attempt is checked, or None if it may go on."""
        with self._lock:
            now = self._clock()
            wait = max(
                self._clients.wait(_client_key(client_id, address), now), self._addresses.wait(address, now)
            )
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failed(self, client_id: str, address: str) -> None:
        with self._lock:
            now = self._clock()
            self._clients.fail(_client_key(client_id, address), now)
            self._addresses.fail(address, now)

    def succeeded(self, client_id: str, address: str) -> None:
        with self._lock:
            self._clients.clear(_client_key(client_id, address))

    def tracked(self) -> tuple[int, int]:
        """How many (client id, address) pairs and addresses have failures on record (for diagnostics)."""
        with self._lock:
            return len(self._clients), len(self._addresses)
