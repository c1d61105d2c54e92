"""Size limits on what a request may send: its body and its query string.

A plain ASGI middleware, placed just inside :class:`~kontobok.api.middleware.VendorHeadersMiddleware` so that
its refusals carry ``X-Trace-Id`` and the CORS headers like every other answer. It answers before anything
is parsed, authenticated or stored, so an oversized request costs the server at most the limit in memory.

Bodies
    The ``Content-Length`` header is checked up front (a request that announces too much is refused without
    reading a byte of it), and the bytes that actually arrive are counted as they stream, so a chunked body
    or one that sends more than it announced is refused as soon as it passes the limit. The answer is 413.

    * 1 MiB (:data:`DEFAULT_MAX_BODY`) for every path, except
    * ``POST /v1/transactions``: 4 MiB (:data:`VOUCHER_MAX_BODY`). A voucher may have 1000 lines. Measured
      with compact JSON, 1000 ordinary lines (account, amount, tax code, a short comment) take about 95 kB;
      with every scalar field of every line at its maximum length about 560 kB; with ten 100-character
      dimensions on every line as well, as large as the schema's field lengths allow, about 1.97 MB (2.05 MB
      with ``json.dumps``' default separators, 2.6 MB indented). 4 MiB holds even that with a margin of two.
      (Non-ASCII text escaped as ``\\uXXXX`` takes six bytes a character; no size limit covers every
      spelling of a valid document.)
    * ``POST /oauth/token`` and the dashboard's login form ``POST /ui/login``: 16 KiB
      (:data:`TOKEN_MAX_BODY`). The form is a few hundred bytes, and the endpoint is open to anyone.
    * ``POST /ui/import``, the dashboard's file upload: 64 MiB (:data:`UI_IMPORT_MAX_BODY`); larger files
      are imported with ``kontobok import`` on the server.

Query strings
    At most 8 KiB (:data:`MAX_QUERY`) of the raw, still percent-encoded query string; a longer one is 414
    URI Too Long. No operation takes a list in its query, and the longest real query (every filter of
    ``/v1/transactionlines`` set) is a few hundred bytes. Servers and proxies in front have limits of their
    own on the request head (uvicorn's h11 parser: 16 KiB of a head still arriving, answered with a bare
    400); this one sits below them, so a caller gets the API's own error body.

Errors use the body of the dialect that was called: the vendor's ``{"error": {"name", "message"},
"trackingId"}`` (names ``PayloadTooLargeError`` and ``UriTooLongError``), Powens' ``{"code", "description",
"message", "request_id"}`` under ``/2.0`` (codes ``payloadTooLarge`` and ``uriTooLong``), and RFC 6749's
``{"error": "invalid_request", "error_description"}`` on ``/oauth/token``. A refused body is not read to
its end, so the answer also says ``Connection: close``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kontobok.api.errors import LOGIN_PATH, POWENS_PREFIX, error_body, oauth_body, powens_body
from kontobok.api.json import dumps

KiB = 1024
MiB = 1024 * KiB

DEFAULT_MAX_BODY = 1 * MiB
VOUCHER_MAX_BODY = 4 * MiB
TOKEN_MAX_BODY = 16 * KiB
UI_IMPORT_MAX_BODY = 64 * MiB
MAX_QUERY = 8 * KiB

BODY_LIMITS: Mapping[str, int] = {
    "/v1/transactions": VOUCHER_MAX_BODY,
    LOGIN_PATH: TOKEN_MAX_BODY,
    "/ui/login": TOKEN_MAX_BODY,
    "/ui/import": UI_IMPORT_MAX_BODY,
}

_NAMES = {400: "ValidationError", 413: "PayloadTooLargeError", 414: "UriTooLongError"}
_POWENS_CODES = {400: "invalidValue", 413: "payloadTooLarge", 414: "uriTooLong"}
NUL_MESSAGE = "the request must not contain the NUL character"


class _BodyTooLarge(Exception):
    """Raised into the application when the body it is reading passes the limit."""


class RequestLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        body_limits: Mapping[str, int] = BODY_LIMITS,
        max_query: int = MAX_QUERY,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_limits = dict(body_limits)
        self.max_query = max_query

    def body_limit(self, path: str) -> int:
        return self.body_limits.get(path.rstrip("/") or "/", self.max_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _path(scope)
        if _has_nul(scope):
            await _refuse(scope, send, path, 400, NUL_MESSAGE)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            message = f"the query string is longer than {self.max_query} bytes"
            await _refuse(scope, send, path, 414, message)
            return
        limit = self.body_limit(path)
        too_large = f"the request body is larger than {limit} bytes"
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, path, 413, too_large)
            return

        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge(too_large)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the application makes of a body it could not read, the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _refuse(scope, send, path, 413, too_large)


def _path(scope: Scope) -> str:
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length; the bytes are counted in any case
    return None


def _has_nul(scope: Scope) -> bool:
    """NUL anywhere in the path or query string: no identifier or filter holds it, PostgreSQL cannot."""
    raw = bytes(scope.get("raw_path") or b"") + b"?" + bytes(scope.get("query_string", b""))
    return "\x00" in str(scope.get("path", "")) or b"%00" in raw or b"\x00" in raw


def _body(path: str, status: int, message: str, trace_id: str) -> dict[str, Any]:
    if path == LOGIN_PATH:
        return oauth_body("invalid_request", message)
    if path.startswith(POWENS_PREFIX):
        return powens_body(_POWENS_CODES[status], message, trace_id)
    return error_body(_NAMES[status], message, trace_id)


async def _refuse(scope: Scope, send: Send, path: str, status: int, message: str) -> None:
    trace_id = str(scope.get("state", {}).get("trace_id", ""))
    body = dumps(_body(path, status, message, trace_id))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
