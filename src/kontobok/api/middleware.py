"""Headers the vendor sends on every answer, errors included: ``X-Trace-Id`` and the CORS pair.

The dashboard's pages under ``/ui`` get ``X-Trace-Id`` only: they are for a browser on kontobok's own
origin, and no other site's script may read them with the user's session.

This is a plain ASGI middleware placed outermost, so it also catches what escaped every handler and answers
it with the vendor's error body rather than a bare 500 page.

CORS: the origins a browser may call kontobok from are configuration, ``KONTOBOK_CORS_ORIGINS``
(comma-separated, e.g. ``https://books.example.no,https://app.example.no``), none by default. A request
from an allowed origin gets that origin back with ``Access-Control-Allow-Credentials: true``, and its
preflight (``OPTIONS`` with ``Access-Control-Request-Method``) is answered 204. Every other answer still
carries the pair, as the vendor's do, but grants nothing: ``Access-Control-Allow-Origin: null`` and
``Access-Control-Allow-Credentials: false``. An origin is never reflected unless it is configured, and
``*`` or ``null`` in the configuration are ignored.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kontobok.api.errors import POWENS_PREFIX, error_body, powens_body
from kontobok.api.json import dumps

logger = logging.getLogger("kontobok.api")
UI_PREFIX = "/ui"

CORS_ORIGINS_ENV = "KONTOBOK_CORS_ORIGINS"
_PREFLIGHT_MAX_AGE = "600"
_ALLOWED_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
_ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key"


def configured_origins(text: str | None = None) -> frozenset[str]:
    """The allowed origins of ``KONTOBOK_CORS_ORIGINS`` (or ``text``); wildcards and ``null`` are dropped."""
    raw = os.environ.get(CORS_ORIGINS_ENV, "") if text is None else text
    origins = (part.strip().rstrip("/") for part in raw.split(","))
    return frozenset(origin for origin in origins if origin and origin not in ("*", "null"))


def cors_headers(origin: bytes | None, allowed: frozenset[str]) -> list[tuple[bytes, bytes]]:
    """The CORS pair for a request from ``origin``: itself and credentials if allowed, else nothing."""
    if origin is not None and origin.decode("latin-1") in allowed:
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
    return [
        (b"access-control-allow-origin", b"null"),
        (b"access-control-allow-credentials", b"false"),
        (b"vary", b"Origin"),
    ]


class VendorHeadersMiddleware:
    def __init__(self, app: ASGIApp, cors_origins: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.cors_origins = cors_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = uuid.uuid4().hex
        scope.setdefault("state", {})["trace_id"] = trace_id
        origin = _header(scope, b"origin")
        cors = cors_headers(origin, self.cors_origins)
        extra = [(b"x-trace-id", trace_id.encode())]
        path = str(scope.get("path", ""))
        is_ui = path == UI_PREFIX or path.startswith(UI_PREFIX + "/")
        if not is_ui:
            extra += [*cors, (b"access-control-expose-headers", b"X-Trace-Id, Link")]
        started = False
        if (
            not is_ui
            and scope["method"] == "OPTIONS"
            and cors[1][1] == b"true"
            and _header(scope, b"access-control-request-method") is not None
        ):
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        *extra,
                        (b"access-control-allow-methods", _ALLOWED_METHODS),
                        (b"access-control-allow-headers", _ALLOWED_HEADERS),
                        (b"access-control-max-age", _PREFLIGHT_MAX_AGE.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error, trace %s", trace_id)
            if started:
                raise
            message = "an unexpected error occurred"
            powens = str(scope.get("path", "")).startswith(POWENS_PREFIX)
            body = dumps(
                powens_body("internalError", message, trace_id)
                if powens
                else error_body("InternalError", message, trace_id)
            )
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body})


def _header(scope: dict[str, Any] | Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None
