"""The supervisor UI: routes only. ``backoffice ui`` serves :func:`create_app` with uvicorn."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backoffice.web import auth
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


def create_app(ws: Workspace) -> Starlette:
    from importlib import resources

    static = resources.files("backoffice.web") / "static"
    routes = [
        Route("/", dashboard.dashboard),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/exceptions", exceptions.exception_list),
        Route("/exceptions/bulk", exceptions.bulk, methods=["POST"]),
        Route("/items/{item_id:int}", item.item_page),
        Route("/items/{item_id:int}/pages/{number:int}.png", item.page_image),
        Route("/items/{item_id:int}/files/{sha256:str}", item.item_file),
        Route("/items/{item_id:int}/{action:str}", act.act, methods=["POST"]),
        Route("/users", people.users_page),
        Route("/layouts", layouts.layouts_page),  # learned layouts (backoffice.learning)
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        ws.close()

    app = Starlette(routes=routes, middleware=[Middleware(Headers)], lifespan=lifespan)
    app.state.workspace = ws
    return app
