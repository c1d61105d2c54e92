"""The organizations that tokens name, kept in memory for a minute.

Every authenticated request needs its organization: the key its token is signed with, its base currency,
time zone and fiscal-year start. None of these change after the organization is created, so reading them
from the database on every request would cost a connection and a round trip for nothing. An entry is read
again after ``TTL_SECONDS``, which bounds how long a process keeps an organization it no longer needs.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization, get_organization

TTL_SECONDS = 60.0
MAX_ENTRIES = 10_000


class OrganizationCache:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._entries: dict[int, tuple[float, Organization]] = {}

    def get(self, organization_id: int) -> Organization:
        """The organization, or :class:`~kontobok.core.errors.NotFound` when there is none."""
        now = time.monotonic()
        entry = self._entries.get(organization_id)
        if entry is not None and now - entry[0] < TTL_SECONDS:
            return entry[1]
        with read_transaction(self._engine) as connection:
            organization = get_organization(connection, organization_id)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[organization_id] = (now, organization)
        return organization
