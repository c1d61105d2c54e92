"""Cross-site request forgery: every POST of the dashboard must come from one of its own pages.

Two checks, both required:

* the form's hidden ``csrf_token`` field equals the session's token (before login: the token of the
  short-lived ``kontobok_login`` cookie the login page set), compared in constant time;
* the browser's ``Origin`` header, when sent, is this server's own origin; without ``Origin``, a
  ``Sec-Fetch-Site`` header, when sent, says ``same-origin``.

The session cookie is ``SameSite=Strict`` as well, so a browser does not send it with another site's request
in the first place.
"""

from __future__ import annotations

import hmac

from fastapi import Request

LOGIN_COOKIE_NAME = "kontobok_login"


def same_origin(request: Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == f"{request.url.scheme}://{request.url.netloc}"
    site = request.headers.get("Sec-Fetch-Site")
    return site is None or site == "same-origin"


def token_matches(expected: str | None, sent: str | None) -> bool:
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def request_is_genuine(request: Request, expected: str | None, sent: str | None) -> bool:
    return same_origin(request) and token_matches(expected, sent)
