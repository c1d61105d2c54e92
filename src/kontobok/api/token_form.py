"""The token request's media type: RFC 6749 (section 4.4.2) sends client credentials as a form.

A client that posts JSON to ``/oauth/token`` would otherwise see its fields as missing and be told about the
grant type; it is told instead that the body must be ``application/x-www-form-urlencoded``.
"""

from __future__ import annotations

from fastapi import Request

from kontobok.core.errors import ValidationFailed

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def require_form_body(request: Request) -> None:
    """A 400 ``invalid_request`` for a token request whose body is not a form."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in FORM_TYPES:
        shown = media_type or "no Content-Type"
        raise ValidationFailed.single(
            "/",
            "contentType",
            f"the token request must be a form with Content-Type application/x-www-form-urlencoded"
            f" (grant_type=client_credentials&client_id=…&client_secret=…), not {shown}",
        )
