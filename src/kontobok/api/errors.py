"""One place that turns every error into the error body of the dialect that was called.

Office v1 (and everything outside ``/2.0``): ``{"error": {"name", "message"}, "trackingId"}``, and for
validation errors ``{"error": {"name": "ValidationError", "message", "payload": {"validationErrors":
[{"path", "keyword", "message"}]}}, "trackingId"}``. ``trackingId`` equals the response's ``X-Trace-Id``.

Powens 2.0 (paths under ``/2.0``): ``{"code", "description", "message", "request_id"}`` with Powens' codes
(``missingParameter``, ``invalidValue``, ``notFound``, …); ``request_id`` equals ``X-Trace-Id``.

``POST /oauth/token``: RFC 6749's ``{"error", "error_description"}``, what OAuth2 client libraries parse,
for its own refusals (:mod:`kontobok.api.auth`) and for those made here alike (a form that cannot be read
is an ``invalid_request``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from kontobok.api.json import ExactJSONResponse, NulInBody
from kontobok.core.errors import KontobokError, Problem, ValidationFailed
from kontobok.core.text import NUL_MESSAGE

# pydantic error types and the JSON Schema keyword each one breaks
_KEYWORDS = {
    "missing": "required",
    "string_too_long": "maxLength",
    "string_too_short": "minLength",
    "too_long": "maxItems",
    "too_short": "minItems",
    "string_pattern_mismatch": "pattern",
    "greater_than_equal": "minimum",
    "greater_than": "exclusiveMinimum",
    "less_than_equal": "maximum",
    "less_than": "exclusiveMaximum",
    "literal_error": "enum",
    "enum": "enum",
    "extra_forbidden": "additionalProperties",
    "json_invalid": "format",
    "date_from_datetime_parsing": "format",
    "date_parsing": "format",
    "datetime_parsing": "format",
    "datetime_from_date_parsing": "format",
    "uuid_parsing": "format",
    "multiple_of": "multipleOf",
    "format": "format",
    "value_error": "format",
}


def trace_id_of(request: Request) -> str:
    return str(getattr(request.state, "trace_id", ""))


def error_body(
    name: str, message: str, trace_id: str, *, payload: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"name": name, "message": message}
    if payload is not None:
        error["payload"] = payload
    return {"error": error, "trackingId": trace_id}


def _located(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def problems_body(problems: Sequence[Problem], trace_id: str) -> dict[str, Any]:
    return error_body(
        "ValidationError",
        "; ".join(_located(p.path, p.message) for p in problems),
        trace_id,
        payload={
            "validationErrors": [
                {"path": p.path, "keyword": p.keyword, "message": p.message} for p in problems
            ]
        },
    )


def malformed_json(error: Any, document: object) -> Problem:
    """A body that is not JSON, with the line and column (from 1) where the parser stopped."""
    position = error["loc"][-1] if isinstance(error.get("loc", [None])[-1], int) else 0
    text = document if isinstance(document, str) else ""
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    reason = str(error.get("ctx", {}).get("error", "invalid JSON"))
    return Problem("", "format", f"Malformed JSON at line {line}, column {column}: {reason}")


def problems_from_pydantic(errors: Sequence[Any], document: object = None) -> list[Problem]:
    problems = []
    for error in errors:
        if error.get("type") == "json_invalid":
            problems.append(malformed_json(error, document))
            continue
        location = [str(part) for part in error.get("loc", ())]
        in_body = bool(location) and location[0] == "body"
        if in_body or (len(location) >= 2 and location[0] in ("query", "path", "header")):
            location = location[1:]
        keyword = _KEYWORDS.get(error.get("type", ""), "type")
        message = str(error.get("msg", "invalid value"))
        problems.append(Problem("/" + "/".join(location), keyword, message))
    return problems


def problems_of(error: RequestValidationError) -> list[Problem]:
    """What was wrong with a request; a NUL character in a JSON body is named by its field."""
    if isinstance(error.__cause__, NulInBody):
        return [Problem(error.__cause__.pointer, "format", NUL_MESSAGE)]
    return problems_from_pydantic(error.errors(), error.body)


POWENS_PREFIX = "/2.0/"
_POWENS_CODES = {
    401: "invalidToken",
    403: "forbidden",
    404: "notFound",
    405: "methodNotAllowed",
    409: "conflict",
    503: "serviceUnavailable",
    500: "internalError",
}


def is_powens(request: Request) -> bool:
    return request.url.path.startswith(POWENS_PREFIX)


def powens_body(code: str, message: str, trace_id: str) -> dict[str, Any]:
    return {"code": code, "description": message, "message": message, "request_id": trace_id}


def powens_problems_body(problems: Sequence[Problem], trace_id: str) -> dict[str, Any]:
    missing = [p for p in problems if p.keyword == "required"]
    code = "missingParameter" if missing else "invalidValue"
    first = (missing or list(problems))[0]
    message = "; ".join(_located(p.path.lstrip("/"), p.message) for p in problems)
    return powens_body(code, message or first.message, trace_id)


LOGIN_PATH = "/oauth/token"
_OAUTH_CODES = {
    401: "invalid_client",
    429: "too_many_requests",
    500: "server_error",
    503: "temporarily_unavailable",
}


def is_login(request: Request) -> bool:
    return request.url.path == LOGIN_PATH


def oauth_body(error: str, description: str) -> dict[str, Any]:
    """An RFC 6749 (section 5.2) error."""
    return {"error": error, "error_description": description}


def _answer(request: Request, status: int, name: str, message: str) -> ExactJSONResponse:
    trace_id = trace_id_of(request)
    if is_login(request):
        body = oauth_body(_OAUTH_CODES.get(status, "invalid_request"), message)
        return ExactJSONResponse(body, status_code=status)
    if is_powens(request):
        return ExactJSONResponse(
            powens_body(_POWENS_CODES.get(status, "invalidValue"), message, trace_id), status_code=status
        )
    return ExactJSONResponse(error_body(name, message, trace_id), status_code=status)


def _problems_answer(request: Request, problems: Sequence[Problem]) -> ExactJSONResponse:
    trace_id = trace_id_of(request)
    if is_login(request):
        message = "; ".join(_located(p.path.lstrip("/"), p.message) for p in problems)
        return ExactJSONResponse(oauth_body("invalid_request", message), status_code=400)
    if is_powens(request):
        return ExactJSONResponse(powens_problems_body(problems, trace_id), status_code=400)
    return ExactJSONResponse(problems_body(problems, trace_id), status_code=400)


NODE_RETRY_AFTER_SECONDS = 30
# connection_exception, sqlclient_unable_to_establish_sqlconnection, connection_does_not_exist,
# sqlserver_rejected_establishment_of_sqlconnection, connection_failure (not 08P01, a protocol violation)
_CONNECTION_FAILURES = frozenset({"08000", "08001", "08003", "08004", "08006"})


def is_node_unreachable(error: BaseException | None) -> bool:
    """Whether the database server reported a connection failure of its own (SQLSTATE class 08): a Citus
    coordinator says so when the worker holding the shard does not answer (``connection to the remote node
    … failed``, after ``citus.node_connection_timeout``)."""
    return getattr(error, "sqlstate", None) in _CONNECTION_FAILURES


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KontobokError)
    async def kontobok_error(request: Request, error: KontobokError) -> ExactJSONResponse:
        if isinstance(error, ValidationFailed):
            return _problems_answer(request, error.problems)
        return _answer(request, error.status, error.name, error.message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> ExactJSONResponse:
        return _problems_answer(request, problems_of(error))

    @app.exception_handler(sa.exc.OperationalError)
    async def database_busy(request: Request, error: sa.exc.OperationalError) -> ExactJSONResponse:
        """A write that waited out the lock timeout (a long import holds the books), or a Citus worker that
        holds the organization's shard and cannot be reached: try again later."""
        text = str(error.orig).lower()
        if is_node_unreachable(error.orig):
            answer = _answer(
                request,
                503,
                "ServiceUnavailableError",
                "the database node holding these books is unavailable; try again shortly",
            )
            answer.headers["Retry-After"] = str(NODE_RETRY_AFTER_SECONDS)
            return answer
        if "database is locked" not in text and "lock timeout" not in text:
            raise error
        answer = _answer(request, 503, "ServiceUnavailableError", "the books are busy; try again shortly")
        answer.headers["Retry-After"] = "5"
        return answer

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> ExactJSONResponse:
        names = {404: "NotFoundError", 405: "MethodNotAllowedError", 401: "UnauthorizedError"}
        answer = _answer(
            request, error.status_code, names.get(error.status_code, "HttpError"), str(error.detail)
        )
        if error.headers:
            answer.headers.update(error.headers)
        return answer
