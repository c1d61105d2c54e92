"""The throwaway PostgreSQL server the tests run against: see :mod:`kontobok.bench.postgres`, which
``kontobok bench`` uses too."""

from kontobok.bench.postgres import (
    REQUIRED_ENV,
    find_bindir,
    postgres_available,
    postgres_required,
    postgres_unavailable_reason,
    running_postgres,
)

__all__ = [
    "REQUIRED_ENV",
    "find_bindir",
    "postgres_available",
    "postgres_required",
    "postgres_unavailable_reason",
    "running_postgres",
]
