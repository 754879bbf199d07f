"""The supervisor UI: routes only. ``backoffice ui`` serves :func:`create_app` with uvicorn."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backoffice.web import auth, oidc
from backoffice.web.render import problem
from backoffice.web.context import Workspace
from backoffice.web.views import act, dashboard, exceptions, item, layouts, people

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
     b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]  # fmt: skip


class Headers:
    """Security headers on every answer, and ``Server-Timing: app;dur=<ms>`` (what bench/ui.py reads)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers += [*SECURITY_HEADERS, (b"server-timing", f"app;dur={took:.1f}".encode())]
                cached = any(k.lower() == b"cache-control" for k, _ in headers)
                if not cached and not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class IdConvertor(IntegerConvertor):
    """An item id or page number: at most 18 digits, so that it fits the queue's 64-bit ids; a
    longer one matches no route and answers 404."""

    regex = "[0-9]{1,18}"


register_url_convertor("id", IdConvertor())


class App(Starlette):
    """Starlette with :class:`Headers` outside everything, so that even the answer to an
    unexpected error (made by Starlette's outermost middleware) carries the security headers."""

    def build_middleware_stack(self) -> ASGIApp:
        return Headers(super().build_middleware_stack())


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    title = "Not found" if status == 404 else "Not allowed"
    return problem(request, status, getattr(exc, "detail", "") or "no such page", title=title)


def create_app(ws: Workspace) -> Starlette:
    from importlib import resources

    static = resources.files("backoffice.web") / "static"
    routes = [
        Route("/", dashboard.dashboard),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/login/oidc", auth.oidc_start),
        Route("/login/oidc/callback", auth.oidc_callback, name="oidc_callback"),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/exceptions", exceptions.exception_list),
        Route("/exceptions/bulk", exceptions.bulk, methods=["POST"]),
        Route("/items/{item_id:id}", item.item_page),
        Route("/items/{item_id:id}/pages/{number:id}.png", item.page_image),
        Route("/items/{item_id:id}/pages/{number:id}/words", item.page_words),
        Route("/items/{item_id:id}/files/{sha256:str}", item.item_file),
        Route("/items/{item_id:id}/{action:str}", act.act, methods=["POST"]),
        Route("/users", people.users_page),
        Route("/layouts", layouts.layouts_page),  # learned layouts (backoffice.learning)
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if getattr(app.state, "hashing", None) is not None:
            app.state.hashing.shutdown(wait=True)
        ws.close()

    middleware = []
    if ws.settings.oidc is not None:  # the OpenID state, nonce and PKCE verifier, for ten minutes
        middleware.append(Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32),
                                     session_cookie=oidc.STATE_COOKIE, max_age=600, same_site="lax",
                                     https_only=ws.settings.secure_cookies))
    app = App(routes=routes, middleware=middleware, lifespan=lifespan,
              exception_handlers={404: not_found, 405: not_found})
    app.state.workspace = ws
    app.state.oidc = oidc.client(ws.settings.oidc) if ws.settings.oidc else None
    return app
