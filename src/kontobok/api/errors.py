"""One place that turns every error into the vendor's error body.

``{"error": {"name", "message"}, "trackingId"}``, and for validation errors
``{"error": {"name": "ValidationError", "message", "payload": {"validationErrors": [{"path", "keyword",
"message"}]}}, "trackingId"}``. ``trackingId`` equals the response's ``X-Trace-Id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from kontobok.api.json import ExactJSONResponse
from kontobok.core.errors import KontobokError, Problem, ValidationFailed

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


def problems_body(problems: Sequence[Problem], trace_id: str) -> dict[str, Any]:
    return error_body(
        "ValidationError",
        "; ".join(f"{p.path}: {p.message}" for p in problems),
        trace_id,
        payload={
            "validationErrors": [
                {"path": p.path, "keyword": p.keyword, "message": p.message} for p in problems
            ]
        },
    )


def problems_from_pydantic(errors: Sequence[Any]) -> list[Problem]:
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        in_body = bool(location) and location[0] == "body"
        if in_body or (len(location) >= 2 and location[0] in ("query", "path", "header")):
            location = location[1:]
        keyword = _KEYWORDS.get(error.get("type", ""), "type")
        message = str(error.get("msg", "invalid value"))
        problems.append(Problem("/" + "/".join(location), keyword, message))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KontobokError)
    async def kontobok_error(request: Request, error: KontobokError) -> ExactJSONResponse:
        trace_id = trace_id_of(request)
        if isinstance(error, ValidationFailed):
            return ExactJSONResponse(problems_body(error.problems, trace_id), status_code=400)
        return ExactJSONResponse(error_body(error.name, error.message, trace_id), status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> ExactJSONResponse:
        return ExactJSONResponse(
            problems_body(problems_from_pydantic(error.errors()), trace_id_of(request)), status_code=400
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> ExactJSONResponse:
        names = {404: "NotFoundError", 405: "MethodNotAllowedError", 401: "UnauthorizedError"}
        return ExactJSONResponse(
            error_body(names.get(error.status_code, "HttpError"), str(error.detail), trace_id_of(request)),
            status_code=error.status_code,
            headers=error.headers,
        )
