"""Dashboard sessions: who is logged in, kept on the server, named to the browser by an opaque cookie.

Logging in with an API client's id and secret opens a session for that client's organization. The browser
holds only a random 256-bit session id in the ``kontobok_session`` cookie (``Secure``, ``HttpOnly``,
``SameSite=Strict``): the organization, the client and the scopes stay in this process's memory, so there
is nothing in the cookie a user could change to see another organization, and no server secret to keep.
Logging out forgets the session at once.

* A session ends 30 minutes after its last request (:data:`IDLE_SECONDS`) and 8 hours after the login
  (:data:`ABSOLUTE_SECONDS`), whichever comes first.
* Each session has its own CSRF token, sent in a hidden field of every form and checked on every POST.
* At most :data:`MAX_SESSIONS` sessions are kept; beyond that the least recently used is forgotten.
* Sessions live in the serving process: a restart logs everyone out, and several server processes would
  each know only their own sessions (``kontobok serve`` runs one).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE_NAME = "kontobok_session"
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 8 * 3600
MAX_SESSIONS = 10_000


@dataclass(frozen=True)
class Session:
    organization_id: int
    client_id: str
    scopes: frozenset[str]
    csrf_token: str
    started_at: float
    last_seen: float
    key_generation: int = 1


class SessionStore:
    """The open sessions of this process, by session id; ``clock`` is injectable for tests."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_sessions: int = MAX_SESSIONS
    ) -> None:
        self._clock = clock
        self._max = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def open(
        self, organization_id: int, client_id: str, scopes: frozenset[str], key_generation: int = 1
    ) -> tuple[str, Session]:
        """A new session and the id to set in the cookie.

        ``key_generation`` is the organization's signing-key generation at login: rotating the
        organization's key ends its sessions as it ends its tokens.
        """
        now = self._clock()
        session_id = secrets.token_urlsafe(32)
        session = Session(
            organization_id, client_id, scopes, secrets.token_urlsafe(32), now, now, key_generation
        )
        with self._lock:
            self._sessions[session_id] = session
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)
        return session_id, session

    def find(self, session_id: str | None) -> Session | None:
        """The live session of ``session_id`` (its idle time restarts), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_seen > IDLE_SECONDS or now - session.started_at > ABSOLUTE_SECONDS:
                del self._sessions[session_id]
                return None
            session = replace(session, last_seen=now)
            self._sessions[session_id] = session
            self._sessions.move_to_end(session_id)
        return session

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(session_id, None)
