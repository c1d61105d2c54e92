"""Headers the vendor sends on every answer, errors included: ``X-Trace-Id`` and the CORS pair.

The dashboard's pages under ``/ui`` get ``X-Trace-Id`` only: they are for a browser on kontobok's own
origin, and no other site's script may read them with the user's session.

This is a plain ASGI middleware placed outermost, so it also catches what escaped every handler and answers
it with the vendor's error body rather than a bare 500 page.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kontobok.api.errors import POWENS_PREFIX, error_body, powens_body
from kontobok.api.json import dumps

logger = logging.getLogger("kontobok.api")
UI_PREFIX = "/ui"


class VendorHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = uuid.uuid4().hex
        scope.setdefault("state", {})["trace_id"] = trace_id
        origin = _header(scope, b"origin")
        extra = [(b"x-trace-id", trace_id.encode())]
        path = str(scope.get("path", ""))
        if not (path == UI_PREFIX or path.startswith(UI_PREFIX + "/")):
            extra += [
                (b"access-control-allow-origin", origin or b"*"),
                (b"access-control-allow-credentials", b"true"),
                (b"access-control-expose-headers", b"X-Trace-Id, Link"),
            ]
        started = False

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
