"""Fixtures shared by the whole suite: a real database on each backend, organizations, and an API client.

Every database test runs twice, on SQLite (a file in WAL mode) and on a real PostgreSQL server started for
the test session. Tests share one migrated database per backend and isolate themselves the way kontobok
isolates its tenants: each test gets a fresh organization.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kontobok.store.database import create_engine, migrate
from kontobok.store.organizations import Organization
from tests.factories import Api, new_organization
from tests.support.postgres import postgres_required, postgres_unavailable_reason, running_postgres

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)

# Apps on the PostgreSQL test server would otherwise keep their secret key in the working directory; the
# tests of the key file itself unset this.
os.environ.setdefault(
    "KONTOBOK_SECRET_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="kontobok-test-secret-")) / "secret.key")
)

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    reason = postgres_unavailable_reason()
    if reason is not None:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required here but cannot run: {reason}")
        pytest.skip(f"PostgreSQL cannot run here: {reason}")
    with running_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'kontobok.db'}"


@pytest.fixture(scope="session", params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """A migrated engine on each backend, shared by the session."""
    url = request.getfixturevalue(f"{request.param}_url")
    engine = create_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def organization(engine: sa.Engine) -> Organization:
    """A fresh organization with the standard books and fiscal years 2023–2026 open."""
    return new_organization(engine)


@pytest.fixture
def api(engine: sa.Engine, organization: Organization) -> Iterator[Api]:
    """An HTTP client on the ASGI app, holding a token with every scope for ``organization``."""
    with Api.for_organization(engine, organization) as client:
        yield client


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
