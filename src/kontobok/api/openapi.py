"""kontobok's own OpenAPI document (``/openapi.json``), made to say what the server really answers.

FastAPI documents every operation that takes input with a ``422 HTTPValidationError``; kontobok never
answers 422: a request that breaks a rule is a 400 in the error body of the dialect that was called (see
:mod:`kontobok.api.error_bodies`). So the generated document is rewritten once, here: the 422s go, and every
operation gets the error answers it can give, each with its body's schema.

Which errors an operation can give follows from what it takes, the same facts that produce them:

======  =======================================================================================
status  given by
======  =======================================================================================
400     every operation: the request breaks a rule (a NUL character in the URL is refused by
        every one)
401     an operation that takes a token, when it is missing, bad or expired; ``/oauth/token`` for
        an unknown client or a wrong secret
403     an operation that takes a token, when the token lacks one of its scopes
404     an operation with path parameters, when the object does not exist for the organization
409     a write (it takes ``Idempotency-Key``): the key was used with another request, or the
        object exists already (a bank account's number, a bank transaction's reference, a second
        reversal)
413     an operation with a request body, when it is larger than allowed
414     every operation, when the query string is longer than 8 KiB
429     ``/oauth/token``, after too many failed logins (``Retry-After``)
503     a write, when the books are busy with a long import (``Retry-After``)
======  =======================================================================================

The body of an error depends only on the path: ``/2.0`` is Powens', ``/oauth/token`` RFC 6749's, every
other the Office v1 vendor's. Every answer, errors included, has an ``X-Trace-Id`` header.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kontobok.api.error_bodies import ERROR_MODELS, OAuthError, OfficeError, PowensError
from kontobok.api.errors import LOGIN_PATH, POWENS_PREFIX

REF = "#/components/schemas/{model}"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
IDEMPOTENCY_HEADER = "Idempotency-Key"
# what FastAPI adds for the 422 it documents and kontobok never answers
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

DESCRIPTIONS = {
    400: "The request breaks a rule; nothing was stored.",
    401: "No token, or a bad or expired one.",
    403: "The token lacks a scope this operation needs.",
    404: "No such object for this organization.",
    409: "The Idempotency-Key was used with another request, or the object exists already.",
    413: "The request body is larger than allowed.",
    414: "The query string is longer than 8 KiB.",
    429: "Too many failed logins: try again after Retry-After seconds.",
    503: "The books are busy (a long import holds them): try again after Retry-After seconds.",
}
LOGIN_DESCRIPTIONS = {
    **DESCRIPTIONS,
    400: "The request is malformed, the grant type is not client_credentials or a scope is not the "
    "client's (RFC 6749).",
    401: "Unknown client or wrong secret.",
}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Trace-Id": {
        "description": "Identifies the answer; equal to the error body's trackingId or request_id.",
        "schema": {"type": "string"},
    },
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
    "WWW-Authenticate": {
        "description": "The authentication scheme (RFC 7235).",
        "schema": {"type": "string"},
    },
}
RETRY_STATUSES = (429, 503)


def error_model(path: str) -> type[BaseModel]:
    """The error body of the dialect that ``path`` belongs to."""
    if path == LOGIN_PATH:
        return OAuthError
    if path.startswith(POWENS_PREFIX):
        return PowensError
    return OfficeError


def error_statuses(path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses ``operation`` can answer (see the table in this module's docstring)."""
    if path == LOGIN_PATH:
        return [400, 401, 413, 414, 429]
    parameters = operation.get("parameters", [])
    statuses = {400, 414}
    if operation.get("security"):
        statuses |= {401, 403}
    if any(parameter["in"] == "path" for parameter in parameters):
        statuses.add(404)
    if "requestBody" in operation:
        statuses.add(413)
    if any(
        parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_HEADER for parameter in parameters
    ):
        statuses |= {409, 503}
    return sorted(statuses)


def error_response(path: str, status: int) -> dict[str, Any]:
    headers = ["X-Trace-Id"]
    if status in RETRY_STATUSES:
        headers.append("Retry-After")
    if status == 401 and path == LOGIN_PATH:
        headers.append("WWW-Authenticate")
    descriptions = LOGIN_DESCRIPTIONS if path == LOGIN_PATH else DESCRIPTIONS
    return {
        "description": descriptions[status],
        "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in headers},
        "content": {"application/json": {"schema": {"$ref": REF.format(model=error_model(path).__name__)}}},
    }


def add_schemas(document: dict[str, Any], models: Iterable[type[BaseModel]]) -> None:
    """Put ``models`` (and the models they use) into the document's components, by their class names."""
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template=REF, by_alias=True
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in definitions.get("$defs", {}).items():
        if name in components and components[name] != schema:
            raise ValueError(f"two different schemas are named {name} in the OpenAPI document")
        components[name] = schema


def describe_errors(document: dict[str, Any]) -> None:
    """Replace FastAPI's 422 with the errors every operation really gives, and say ``X-Trace-Id``."""
    add_schemas(document, ERROR_MODELS)
    document["components"].setdefault("headers", {}).update(HEADERS)
    for path, path_item in document.get("paths", {}).items():
        for method in METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status in error_statuses(path, operation):
                responses.setdefault(str(status), {}).update(error_response(path, status))
            for response in responses.values():
                response.setdefault("headers", {}).setdefault(
                    "X-Trace-Id", {"$ref": "#/components/headers/X-Trace-Id"}
                )
    text = json.dumps(document["paths"])
    for name in FASTAPI_VALIDATION_SCHEMAS:
        if f'"{REF.format(model=name)}"' not in text:
            document["components"]["schemas"].pop(name, None)


def install_openapi(app: FastAPI, extra_models: Iterable[type[BaseModel]] = ()) -> None:
    """Make ``app.openapi()`` build the document described above, once.

    ``extra_models`` are schemas that responses reference by hand (alternative media types, such as the
    HAL variant of the account balances)."""
    generate: Callable[[], dict[str, Any]] = app.openapi
    models = list(extra_models)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            add_schemas(document, models)
            describe_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
