"""Exact JSON in and out.

Amounts travel as JSON numbers. Python's ``json`` would read ``1500.10`` as a binary float and FastAPI would
write a ``Decimal`` as a string, so kontobok parses request bodies with ``Decimal`` numbers and writes
responses with simplejson, which emits a ``Decimal`` as the number it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

import simplejson
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from kontobok.core.text import NUL_MESSAGE, nul_pointer


def dumps(content: object) -> bytes:
    return simplejson.dumps(content, use_decimal=True, ensure_ascii=False, separators=(",", ":")).encode()


class ExactJSONResponse(JSONResponse):
    """JSON with exact numbers. A ``JSONResponse`` so that FastAPI documents the body as JSON."""

    def render(self, content: object) -> bytes:
        return dumps(content)


class ExactJSONRequest(Request):
    """A request whose JSON body keeps every number exact (``Decimal``, never ``float``)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            text = await self.body()
            document = json.loads(text, parse_float=Decimal)
            # a raw NUL is not JSON; an escaped one is, but no text kontobok keeps may hold it
            if b"\\u0000" in text:
                pointer = nul_pointer(document)
                if pointer is not None:
                    raise NulInBody(pointer, text.decode(errors="replace"))
            self._json = document
        return self._json


class NulInBody(json.JSONDecodeError):
    """A JSON body with the NUL character in the string at ``pointer``. A ``JSONDecodeError`` so that
    FastAPI answers it as a bad body (a ``RequestValidationError`` caused by this); the error handler then
    names the field (see :func:`kontobok.api.errors.problems_of`)."""

    def __init__(self, pointer: str, document: str) -> None:
        super().__init__(f"{pointer or 'the body'} {NUL_MESSAGE}", document, max(document.find("\\u0000"), 0))
        self.pointer = pointer


class ExactJSONRoute(APIRoute):
    """Route class that hands handlers an :class:`ExactJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact_handler(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact_handler
