"""The change feed: a page of an organization's events after a cursor.

The cursor is opaque to clients: URL-safe base64 of ``v1:<position>:<index>``, the last event a page held.
It is not trusted: anything that does not decode to that form is refused, and since every read filters by
the organization of the token, a cursor names a place in that organization's journal only. After the last
event a page is empty and its ``next`` still names the last event, so a client polls with it until
something new arrives.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from kontobok.core.errors import ValidationFailed
from kontobok.store.database import read_transaction
from kontobok.store.events import read_events

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
START = (0, -1)
_CURSOR = re.compile(r"v1:(\d{1,18}):(-1|\d{1,10})")


def encode_cursor(position: int, index: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}:{index}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, int]:
    """The (position, index) a cursor names; the start of the feed without one; a 400 for anything else."""
    if cursor is None or cursor == "":
        return START
    try:
        if len(cursor) > 64:
            raise ValueError(cursor)
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise _bad_cursor()
    return int(match.group(1)), int(match.group(2))


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed.single("/after", "format", "after must be a cursor from an earlier page's next")


@dataclass(frozen=True)
class FeedPage:
    events: list[dict[str, Any]]
    next: str

    def as_json(self) -> dict[str, Any]:
        return {"events": self.events, "next": self.next}


def read_feed(engine: sa.Engine, organization_id: int, after: str | None, limit: int) -> FeedPage:
    """Up to ``limit`` events after the cursor ``after``, in the order they were recorded."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.single("/limit", "maximum", f"limit must be between 1 and {MAX_LIMIT}")
    start = decode_cursor(after)
    with read_transaction(engine) as connection:
        events, last = read_events(connection, organization_id, start, limit)
    return FeedPage([event.as_json() for event in events], encode_cursor(*last))
