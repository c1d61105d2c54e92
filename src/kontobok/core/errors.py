"""One error hierarchy for the whole ledger.

Every error carries the HTTP status it maps to, so a single handler in the API can render them all in the
vendor's shape; the core itself never imports a web framework.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a JSON pointer), which rule, and what to do about it."""

    path: str
    keyword: str
    message: str


class KontobokError(Exception):
    """Base of every error kontobok raises on purpose."""

    status: int = 500
    name: str = "InternalError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(KontobokError):
    """The input breaks one or more rules; nothing was stored."""

    status = 400
    name = "ValidationError"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems) or "invalid input")
        self.problems = problems

    @classmethod
    def single(cls, path: str, keyword: str, message: str) -> ValidationFailed:
        return cls([Problem(path, keyword, message)])


class NotAuthenticated(KontobokError):
    status = 401
    name = "UnauthorizedError"


class Forbidden(KontobokError):
    status = 403
    name = "ForbiddenError"


class NotFound(KontobokError):
    """The object does not exist for this organization (also when it exists for another one)."""

    status = 404
    name = "NotFoundError"


class Conflict(KontobokError):
    status = 409
    name = "ConflictError"
