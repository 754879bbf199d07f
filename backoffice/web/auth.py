"""Sign-in, sessions and CSRF.

A session cookie (HttpOnly, Secure unless turned off for plain-HTTP testing, SameSite=Lax)
holds a random token; the server keeps its hash, the user, the CSRF token, when it expires
and when it was last used (a session unused for ``idle_seconds`` ends). Every POST carries
the session's CSRF token (a form field ``csrf`` or the ``X-CSRF-Token`` header); the sign-in
form, which comes before any session, uses a double-submit cookie.

Sign-in with a password is throttled per account and per address (:mod:`.throttle`); the
password is checked in a small pool of lower-priority threads of its own (``hash_threads``), so
guessers never hold up the event loop or other users' pages. Every attempt is logged and recorded with the
client's address and user agent. Sign-in with an OpenID provider: :mod:`.oidc`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from backoffice.web import throttle
from backoffice.web.context import Workspace
from backoffice.web.render import page, problem, wants_json
from backoffice.web.state import let_go
from backoffice.web.users import ROLE_NAME, ROLES, Session, SignIn, User, UserError

log = logging.getLogger(__name__)
SESSION_COOKIE = "bo_session"
LOGIN_COOKIE = "bo_login"
KEEP_SIGN_INS = 90 * 86400  # sign-in records older than this are deleted at the next sign-in

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
            session: Session | None = None
            if token:
                session = await run_in_threadpool(ws.users.session, token, ws.settings.idle_seconds)
            if session is None:
                if wants_json(request) or request.method not in ("GET", "HEAD"):
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


def _client(request: Request) -> tuple[str, str]:
    """The client's address and user agent, as sign-ins record them."""
    address = request.client.host if request.client else "unknown"
    return address, request.headers.get("user-agent", "")[:300]


def _lower_priority() -> None:
    """Make the calling thread yield the CPU to page requests (Linux: the nice value is per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: same priority as the rest
        pass


def _hashing(request: Request) -> ThreadPoolExecutor:
    """The threads that check passwords: ``hash_threads`` of them, at a lower priority (made on
    first use; the app's lifespan shuts them down)."""
    state = request.app.state
    if getattr(state, "hashing", None) is None:
        state.hashing = ThreadPoolExecutor(
            workspace(request).settings.hash_threads, thread_name_prefix="password", initializer=_lower_priority
        )
    return state.hashing


def _record(ws: Workspace, name: str, address: str, agent: str, outcome: str) -> None:
    ws.users.record_sign_in(SignIn(ws.users.clock(), name[:64], address, agent, outcome))


async def pause(seconds: float) -> None:
    """Hold an answer back without holding up anyone else (the tarpit of a locked sign-in)."""
    await anyio.sleep(seconds)


def _check(ws: Workspace, name: str, password: str, address: str, agent: str) -> tuple[float, User | None]:
    """``(seconds locked, None)``, or ``(0, the user)`` when the password is right. Runs in the
    hashing pool: the throttle is asked again there, so guesses queued at the same moment
    are counted one after the other, and a failure is recorded before the next one is checked."""
    wait = throttle.wait(ws.users, name, address, ws.settings.throttle)
    if wait > 0:
        return wait, None
    user = ws.users.verify(name, password)
    if user is None:
        _record(ws, name, address, agent, "failed")
    return 0.0, user


async def signed_in(request: Request, user: User, target: str, via: str) -> Response:
    """Start the user's session: the cookie, the record, and what they are told about failed
    sign-ins since their last one."""
    ws = workspace(request)
    address, agent = _client(request)
    notice = await run_in_threadpool(throttle.notice, ws.users, user.name, ws.settings.throttle)
    await run_in_threadpool(_record, ws, user.name, address, agent, "ok")
    await run_in_threadpool(ws.users.forget_sign_ins, ws.users.clock() - KEEP_SIGN_INS)
    token, session = await run_in_threadpool(ws.users.start_session, user, ws.settings.session_seconds, notice)
    log.info(
        "%s signed in with %s from %s (%s)",
        user.name,
        via,
        address,
        agent,
        extra={"action": "sign-in", "user": user.name, "address": address},
    )
    response: Response = RedirectResponse(target, status_code=303)
    if wants_json(request):
        response = JSONResponse(
            {"user": user.to_dict(), "csrf": session.csrf, "expires": session.expires, "notice": notice}
        )
    _cookie(ws, response, SESSION_COOKIE, token, int(ws.settings.session_seconds))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


async def login(request: Request) -> Response:
    ws = workspace(request)
    message, status, headers = "", 200, {}
    name, going = "", _next(request.query_params.get("next"))
    if request.method == "POST":
        form = await request.form()
        going = _next(str(form.get("next", "")))  # kept, with the name, after a wrong password
        expected = request.cookies.get(LOGIN_COOKIE, "")
        given = form.get("csrf")
        if not (expected and isinstance(given, str) and secrets.compare_digest(given, expected)):
            return problem(request, 403, "the sign-in form's security token is missing or wrong; reload and try again",
                           title="Refused")  # fmt: skip
        name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
        address, agent = _client(request)
        wait = await run_in_threadpool(throttle.wait, ws.users, name, address, ws.settings.throttle)
        user = None
        if wait <= 0:  # a locked attempt never waits for (or costs) a password check
            wait, user = await asyncio.get_running_loop().run_in_executor(
                _hashing(request), _check, ws, name, password, address, agent
            )
        if user is not None:
            return await signed_in(request, user, going, "a password")
        if wait > 0:
            await run_in_threadpool(_record, ws, name, address, agent, "locked")
            await pause(min(wait, ws.settings.throttle.tarpit))
            log.warning(
                "sign-in for %r from %s refused: locked for %.0f s more (%s)",
                name,
                address,
                wait,
                agent,
                extra={"action": "sign-in", "address": address},
            )
            message, status = f"Too many failed sign-ins: try again in {int(wait) + 1} seconds.", 429
            headers = {"retry-after": str(int(wait) + 1)}
        else:
            log.warning(
                "failed sign-in for %r from %s (%s)",
                name,
                address,
                agent,
                extra={"action": "sign-in", "address": address},
            )
            message, status = "Wrong name or password.", 401
    login_token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    oidc = ws.settings.oidc
    response = page(request, "login.html", {"login_csrf": login_token, "message": message,
                                            "next": going, "name": name,
                                            "oidc_label": oidc.label if oidc else ""},
                    {"error": message or "sign in with POST name, password and csrf", "csrf": login_token},
                    status=status)  # fmt: skip
    response.headers.update(headers)
    _cookie(ws, response, LOGIN_COOKIE, login_token, 3600)
    return response


async def oidc_start(request: Request) -> Response:
    """Off to the OpenID provider; it sends the browser back to :func:`oidc_callback`."""
    ws = workspace(request)
    if ws.settings.oidc is None:
        return problem(request, 404, "sign-in with an OpenID provider is not set up", title="Not found")
    request.session["next"] = _next(request.query_params.get("next"))
    try:
        callback = ws.settings.oidc.redirect_url or str(request.url_for("oidc_callback"))
        return await request.app.state.oidc.authorize_redirect(request, callback)
    except Exception as exc:  # the provider is down or its metadata is wrong
        log.warning("OpenID provider unreachable: %s", exc, extra={"action": "sign-in"})
        return problem(request, 502, f"the OpenID provider did not answer: {type(exc).__name__}", title="Not signed in")


async def oidc_callback(request: Request) -> Response:
    ws = workspace(request)
    settings = ws.settings.oidc
    if settings is None:
        return problem(request, 404, "sign-in with an OpenID provider is not set up", title="Not found")
    from backoffice.web.oidc import identity

    address, agent = _client(request)
    try:
        token = await request.app.state.oidc.authorize_access_token(request)
    except Exception as exc:  # a wrong state, a refused code, an ID token that does not check out
        log.warning("OpenID sign-in from %s refused: %s (%s)", address, exc, agent, extra={"action": "sign-in"})
        return problem(request, 401, f"the OpenID sign-in did not check out: {exc}", title="Not signed in")
    name, roles = identity(token.get("userinfo") or {}, settings)
    levels = [r for r in roles if r in ROLES]
    try:
        if not levels:
            raise UserError(
                f"the provider gives {name or 'this account'} no backoffice role "
                f"({settings.roles_claim}: {', '.join(roles) or 'none'})"
            )
        level = max(levels, key=ROLES.index)
        extra = [r for r in roles if r not in ROLES and ROLE_NAME.match(r)]  # the provider's other groups: not ours
        user = await run_in_threadpool(ws.users.add_external, name, level, extra)
    except UserError as exc:
        await run_in_threadpool(_record, ws, name or "?", address, agent, "failed")
        log.warning("OpenID sign-in of %r from %s refused: %s", name, address, exc, extra={"action": "sign-in"})
        return problem(request, 403, str(exc), title="Not signed in")
    return await signed_in(request, user, _next(request.session.pop("next", "/")), "OpenID Connect")


def _let_go_all(ws: Workspace, name: str) -> None:
    """Signing out lets go of the items the person was reviewing (see ``Store.hold``)."""
    for item_id, holder in ws.store.holders().items():
        if holder == name:
            let_go(ws.store, item_id, name, "signed out")


@guarded("viewer")
async def logout(request: Request) -> Response:
    ws = workspace(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(ws.users.end_session, token)
    await run_in_threadpool(_let_go_all, ws, request.state.session.user.name)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
