"""The error bodies kontobok answers with, as models for the OpenAPI document.

Which body an answer carries depends only on the path that was called, as in :mod:`kontobok.api.errors`
and :mod:`kontobok.api.limits`:

- **Office v1** (``/v1`` and everything else): :class:`OfficeError`, the vendor's ``{"error": {"name",
  "message"}, "trackingId"}``; a validation error adds ``error.payload.validationErrors``, one entry per
  problem (a refusal made before the request is parsed, such as a NUL character in the URL, has none).
- **Powens 2.0** (``/2.0``): :class:`PowensError`, ``{"code", "description", "message", "request_id"}``.
- **OAuth** (``POST /oauth/token``): :class:`OAuthError`, RFC 6749's ``{"error", "error_description"}``,
  which is what OAuth2 client libraries parse.

These models describe what the handlers write; the handlers build the bodies themselves (as plain dicts
sent by :class:`~kontobok.api.json.ExactJSONResponse`), so a model here never filters or reshapes an answer.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema


class OfficeValidationProblem(BaseModel):
    """One thing wrong with the request: where (a JSON pointer into the body, or ``/name`` of a
    parameter), the JSON Schema keyword or rule it breaks, and what is wrong."""

    path: str
    keyword: str
    message: str


class OfficeValidationPayload(BaseModel):
    validationErrors: list[OfficeValidationProblem]  # noqa: N815


class OfficeErrorDetail(BaseModel):
    name: str = Field(
        description="ValidationError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, "
        "PayloadTooLargeError, UriTooLongError, ServiceUnavailableError, …"
    )
    message: str
    # present on validation errors only, never null
    payload: OfficeValidationPayload | SkipJsonSchema[None] = None


class OfficeError(BaseModel):
    """The Office v1 error body; ``trackingId`` equals the answer's ``X-Trace-Id`` header."""

    error: OfficeErrorDetail
    trackingId: str  # noqa: N815


class PowensError(BaseModel):
    """The Powens 2.0 error body; ``request_id`` equals the answer's ``X-Trace-Id`` header."""

    code: str = Field(
        description="missingParameter, invalidValue, invalidToken, forbidden, notFound, conflict, "
        "payloadTooLarge, uriTooLong, serviceUnavailable, …"
    )
    description: str
    message: str
    request_id: str


class OAuthError(BaseModel):
    """An RFC 6749 (section 5.2) error of the token endpoint."""

    error: str = Field(
        description="invalid_request, invalid_client, invalid_scope, unsupported_grant_type, "
        "too_many_requests"
    )
    error_description: str


ERROR_MODELS: tuple[type[BaseModel], ...] = (OfficeError, PowensError, OAuthError)
