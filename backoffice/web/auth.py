"""Sign-in, sessions and CSRF.

A session cookie (HttpOnly, Secure unless turned off for plain-HTTP testing, SameSite=Lax)
holds a random token; the server keeps its hash, the user, the CSRF token and when it expires.
Every POST carries the session's CSRF token (a form field ``csrf`` or the ``X-CSRF-Token``
header); the sign-in form, which comes before any session, uses a double-submit cookie.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backoffice.web.context import Workspace
from backoffice.web.render import page, problem, wants_json
from backoffice.web.users import Session

log = logging.getLogger(__name__)
SESSION_COOKIE = "bo_session"
LOGIN_COOKIE = "bo_login"

Handler = Callable[[Request], Awaitable[Response]]


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _cookie(ws: Workspace, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=ws.settings.secure_cookies,
                        samesite="lax", path="/")  # fmt: skip


async def csrf_ok(request: Request, expected: str) -> bool:
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        given = form.get("csrf")
    return isinstance(given, str) and bool(expected) and secrets.compare_digest(given, expected)


def guarded(role: str) -> Callable[[Handler], Handler]:
    """A view for signed-in users with ``role`` or above; POSTs must carry the CSRF token."""

    def wrap(view: Handler) -> Handler:
        async def handler(request: Request) -> Response:
            ws = workspace(request)
            token = request.cookies.get(SESSION_COOKIE)
            session: Session | None = await run_in_threadpool(ws.users.session, token) if token else None
            if session is None:
                if wants_json(request) or request.method != "GET":
                    return problem(request, 401, "sign in first", title="Signed out")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            request.state.session = session
            if request.method == "POST" and not await csrf_ok(request, session.csrf):
                log.warning("refused a %s without its CSRF token from %s", request.url.path, session.user.name)
                return problem(request, 403, "the form's security token is missing or wrong; reload the page and try again",
                               title="Refused")  # fmt: skip
            if not session.user.can(role):
                return problem(request, 403, f"{session.user.name} is a {session.user.role}; this needs a {role}",
                               title="Not allowed")  # fmt: skip
            return await view(request)

        return handler

    return wrap


def _next(value: str | None) -> str:
    """Only a local path may follow sign-in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def login(request: Request) -> Response:
    ws = workspace(request)
    message, status = "", 200
    if request.method == "POST":
        form = await request.form()
        expected = request.cookies.get(LOGIN_COOKIE, "")
        given = form.get("csrf")
        if not (expected and isinstance(given, str) and secrets.compare_digest(given, expected)):
            return problem(request, 403, "the sign-in form's security token is missing or wrong; reload and try again",
                           title="Refused")  # fmt: skip
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        user = await run_in_threadpool(ws.users.verify, name, password)
        if user is not None:
            token, session = await run_in_threadpool(ws.users.start_session, user, ws.settings.session_seconds)
            log.info("%s signed in", user.name, extra={"action": "sign-in"})
            target = _next(str(form.get("next", "")))
            response: Response = RedirectResponse(target, status_code=303)
            if wants_json(request):
                from starlette.responses import JSONResponse

                response = JSONResponse({"user": user.to_dict(), "csrf": session.csrf, "expires": session.expires})
            _cookie(ws, response, SESSION_COOKIE, token, int(ws.settings.session_seconds))
            response.delete_cookie(LOGIN_COOKIE, path="/")
            return response
        log.warning("failed sign-in for %r", name[:64], extra={"action": "sign-in"})
        message, status = "Wrong name or password.", 401
    login_token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, "login.html", {"login_csrf": login_token, "message": message,
                                            "next": _next(request.query_params.get("next"))},
                    {"error": message or "sign in with POST name, password and csrf", "csrf": login_token},
                    status=status)  # fmt: skip
    _cookie(ws, response, LOGIN_COOKIE, login_token, 3600)
    return response


@guarded("viewer")
async def logout(request: Request) -> Response:
    ws = workspace(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(ws.users.end_session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
