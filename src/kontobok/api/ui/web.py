"""What every dashboard page shares: the templates, the logged-in viewer, and the headers of an answer.

Templates autoescape everything they print. Every answer carries a Content-Security-Policy that lets a page
load scripts, styles, images and data from the kontobok server only, with no inline script or style, no
framing, and forms that post back to the server only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kontobok.api.auth import engine_of
from kontobok.api.ui.formatting import NumberStyle, format_minor, number_style_for
from kontobok.api.ui.sessions import COOKIE_NAME, Session, SessionStore
from kontobok.store.clients import token_holder
from kontobok.store.database import one_statement_read
from kontobok.store.organizations import Organization

PACKAGE_DIRECTORY = Path(__file__).parent
STATIC_DIRECTORY = PACKAGE_DIRECTORY / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PACKAGE_DIRECTORY / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRequired(Exception):
    """The request has no live session; the answer sends the browser to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of a page: the session and the organization it is bound to."""

    session: Session
    organization: Organization

    @property
    def number_style(self) -> NumberStyle:
        return number_style_for(self.organization.organization_number)

    def money(self, minor: int | None, currency: str | None = None) -> str:
        if minor is None:
            return ""
        return format_minor(minor, currency or self.organization.base_currency, self.number_style)


def sessions_of(request: Request) -> SessionStore:
    store: SessionStore = request.app.state.ui_sessions
    return store


def current_viewer(request: Request) -> Viewer:
    session = sessions_of(request).find(request.cookies.get(COOKIE_NAME))
    if session is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    # Read fresh on every page, as for a bearer token: a revoked client or a rotated key ends the session.
    with one_statement_read(engine_of(request)) as connection:
        organization = token_holder(connection, session.organization_id, session.client_id)
    if organization is None or organization.key_generation != session.key_generation:
        raise LoginRequired("/ui/")
    return Viewer(session, organization)


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    page = environment.get_template(template).render(
        request=request,
        viewer=viewer,
        money=viewer.money if viewer is not None else format_minor,
        csrf_token=viewer.session.csrf_token if viewer is not None else context.pop("csrf_token", ""),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers=SECURITY_HEADERS)


def not_found(request: Request, viewer: Viewer, what: str) -> HTMLResponse:
    return render(request, "not_found.html", viewer, status_code=404, what=what)


def redirect(location: str, *, status_code: int = 303) -> Response:
    return RedirectResponse(location, status_code=status_code, headers=SECURITY_HEADERS)


def login_redirect(request: Request, error: LoginRequired) -> Response:
    location = "/ui/login?next=" + quote(error.next_path, safe="/")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={**SECURITY_HEADERS, "HX-Redirect": location})
    return redirect(location)


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path of the dashboard, never another site."""
    if path and path.startswith("/ui/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/ui/"
