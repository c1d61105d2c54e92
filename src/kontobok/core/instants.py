"""Instants: a moment in time, written as ISO 8601 with its offset from UTC (``2025-01-31T23:00:00Z``).

A read "as of" an instant answers as the books stood then. A day alone, or a time without an offset, names
no single moment (which zone's midnight?), so it is refused rather than guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from kontobok.core.errors import ValidationFailed


def parse_instant(text: str, *, path: str = "/asOf") -> datetime:
    """The instant ``text`` names, in UTC; a 400 naming ``path`` when it is not an instant with a zone."""

    def refuse(why: str) -> ValidationFailed:
        return ValidationFailed.single(path, "format", f"{text!r} is not an ISO 8601 instant: {why}")

    if "T" not in text.upper():
        raise refuse("it needs a time and an offset, e.g. 2025-01-31T23:00:00Z")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise refuse("it cannot be read as a date and time") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise refuse("it needs an offset from UTC, e.g. Z or +01:00")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise refuse("it is out of range") from None
