"""The server secret: the one key that signs tokens, kept outside the database.

Every organization's token key is derived from it (:func:`kontobok.api.tokens.organization_key`), so the
database and its backups hold nothing that signs. It is read, in this order, from:

1. ``KONTOBOK_SECRET_KEY``: the secret itself, at least 32 characters;
2. ``KONTOBOK_SECRET_KEY_FILE``: a file holding it;
3. for a SQLite database file, the file beside it with ``.key`` appended (``kontobok.db.key``);
4. for PostgreSQL, ``kontobok-secret.key`` in the working directory.

A key file that does not exist yet is created on first start, mode 0600, with 384 random bits. A key file
that others than its owner may read or write is refused: the server does not start. A SQLite database in
memory gets a secret that lives as long as the process, as the database does.

Losing the secret invalidates every token (clients fetch new ones with their unchanged credentials);
changing it on purpose is how every organization's keys rotate at once.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

import sqlalchemy as sa

from kontobok.core.errors import KontobokError

SECRET_ENV = "KONTOBOK_SECRET_KEY"  # noqa: S105 (the variable's name, not a secret)
SECRET_FILE_ENV = "KONTOBOK_SECRET_KEY_FILE"  # noqa: S105 (the variable's name, not a secret)
POSTGRESQL_KEY_FILE = "kontobok-secret.key"
MIN_SECRET_LENGTH = 32


class SecretKeyProblem(KontobokError):
    """The server secret cannot be used; the server refuses to start rather than sign with a weak key."""


def key_file_for(url: sa.URL) -> Path | None:
    """Where the secret's file is for this database, or None for a SQLite database in memory."""
    configured = os.environ.get(SECRET_FILE_ENV)
    if configured:
        return Path(configured)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return None
        return Path(database + ".key")
    return Path(POSTGRESQL_KEY_FILE)


def load_server_secret(url: sa.URL) -> bytes:
    """The server secret for the database at ``url``: from the environment, or its key file (created)."""
    from_environment = os.environ.get(SECRET_ENV)
    if from_environment:
        return _checked(from_environment, SECRET_ENV)
    path = key_file_for(url)
    if path is None:
        return secrets.token_bytes(48)
    if not path.exists():
        _create_key_file(path)
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyProblem(
            f"the secret key file {path} is open to others (mode {stat.filemode(mode)}); "
            f"run: chmod 600 {path}"
        )
    return _checked(path.read_text(encoding="utf-8").strip(), str(path))


def _checked(secret: str, source: str) -> bytes:
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretKeyProblem(f"the secret key in {source} must be at least {MIN_SECRET_LENGTH} characters")
    return secret.encode("utf-8")


def _create_key_file(path: Path) -> None:
    """Write a new secret to ``path``, mode 0600, unless another process created it first.

    The secret is written to a private temporary file and linked into place, so a process starting at the
    same moment reads either no file or a whole one, and the first one linked wins.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".kontobok-secret-", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
            sink.write(secrets.token_urlsafe(48) + "\n")
            sink.flush()
            os.fsync(sink.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
