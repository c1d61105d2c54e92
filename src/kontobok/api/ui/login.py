"""Logging in to the dashboard with an API client's id and secret, and logging out.

The check is the one ``POST /oauth/token`` makes: the client's secret against its stored hash, with the same
failed-login throttle (per client id and per address), so the login form is no easier to guess at than the
token endpoint. A successful login opens a server-side session (:mod:`kontobok.api.ui.sessions`) bound to
the client's organization and scopes.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.throttle import LoginThrottle
from kontobok.api.ui.csrf import LOGIN_COOKIE_NAME, request_is_genuine
from kontobok.api.ui.sessions import ABSOLUTE_SECONDS, COOKIE_NAME
from kontobok.api.ui.web import CurrentViewer, redirect, render, safe_next, sessions_of
from kontobok.store.clients import authenticate_client, token_holder
from kontobok.store.database import read_transaction

router = APIRouter()

LOGIN_FORM_SECONDS = 3600


def _set_cookie(response: Response, name: str, value: str, *, max_age: int, path: str) -> None:
    """``Secure`` always: browsers accept it over plain HTTP on ``localhost`` and ``127.0.0.1``."""
    response.set_cookie(
        name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite="strict"
    )


def _login_page(
    request: Request, *, next_path: str, error: str | None = None, status_code: int = 200, client_id: str = ""
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        status_code=status_code,
        csrf_token=token,
        next_path=next_path,
        error=error,
        client_id=client_id,
    )
    _set_cookie(response, LOGIN_COOKIE_NAME, token, max_age=LOGIN_FORM_SECONDS, path="/ui/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
def log_in(
    request: Request,
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/ui/",
) -> Response:
    next_path = safe_next(next)
    if not request_is_genuine(request, request.cookies.get(LOGIN_COOKIE_NAME), csrf_token):
        return _login_page(
            request, next_path=next_path, status_code=403, error="The form has expired; please try again."
        )
    client_id = client_id.strip()
    if not client_id or not client_secret:
        return _login_page(
            request, next_path=next_path, status_code=400, error="Enter the client id and the secret."
        )
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else ""
    wait = throttle.retry_after(client_id, address)
    if wait is not None:
        answer = _login_page(
            request,
            next_path=next_path,
            status_code=429,
            error=f"Too many failed logins; try again in {wait} seconds.",
            client_id=client_id,
        )
        answer.headers["Retry-After"] = str(wait)
        return answer
    with read_transaction(engine_of(request)) as connection:
        client = authenticate_client(connection, client_id, client_secret)
        holder = (
            None if client is None else token_holder(connection, client.organization_id, client.client_id)
        )
    if client is None or holder is None:
        throttle.failed(client_id, address)
        return _login_page(
            request,
            next_path=next_path,
            status_code=401,
            error="Unknown client or wrong secret.",
            client_id=client_id,
        )
    throttle.succeeded(client_id, address)
    session_id, _ = sessions_of(request).open(
        client.organization_id, client.client_id, client.scopes, holder.key_generation
    )
    response = redirect(next_path)
    _set_cookie(response, COOKIE_NAME, session_id, max_age=ABSOLUTE_SECONDS, path="/ui")
    response.delete_cookie(LOGIN_COOKIE_NAME, path="/ui/login", secure=True, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def log_out(request: Request, viewer: CurrentViewer, csrf_token: Annotated[str, Form()] = "") -> Response:
    if not request_is_genuine(request, viewer.session.csrf_token, csrf_token):
        return render(request, "forbidden.html", viewer, status_code=403)
    sessions_of(request).close(request.cookies.get(COOKIE_NAME))
    response = redirect("/ui/login")
    response.delete_cookie(COOKIE_NAME, path="/ui", secure=True, httponly=True, samesite="strict")
    return response
