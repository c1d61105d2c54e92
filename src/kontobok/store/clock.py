"""The one place the store reads the wall clock, always in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; kontobok only ever writes UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
