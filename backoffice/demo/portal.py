"""A demo legacy web portal, for portal bots to log into, scrape and type into (ASGI).

    python -m backoffice.demo.portal --port 8766 [--user clerk:secret] [--timesheets 45]
                                     [--error-rate 0.2 --slow-rate 0.2 --slow-seconds 1.5]

Deliberately old-fashioned: a login form with a CSRF token and a session cookie that expires
(``--session-seconds``; ``POST /_admin/expire`` ends every session now); a frameset (menu and
main frame); paginated tables of timesheets and orders with per-row PDF and CSV downloads; a
slow page (``/reports``); GET pages that sometimes answer 500 (``error_rate``) or slowly
(``slow_rate``); an order-entry form with server-side validation errors and a confirmation
number after submit; the order list searchable by reference. It never refuses a second order
with the same reference, as the old systems did not: not posting twice is the bot's job.

Admin, JSON and without login: ``GET /_admin/orders``, ``GET /_admin/stats``,
``PUT /_admin/faults`` (error_rate, slow_rate, slow_seconds, error_every, slow_every,
confirm_delay, session_seconds),
``POST /_admin/expire``, ``GET /health``. State lives in memory for the life of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from backoffice.demo import portal_pages as pages
from backoffice.demo.serve import running
from backoffice.demo.portal_data import (
    Faults,
    PortalState,
    make_timesheets,
    order_file,
    timesheet_file,
    validate_order,
)

log = logging.getLogger(__name__)
PAGE_SIZE = 10


def create_app(
    users: dict[str, str], *, faults: Faults | None = None, timesheets: int = 45, seed: int = 3,
    files: Path | None = None,
) -> Starlette:  # fmt: skip
    """The portal as an ASGI app. ``files`` keeps generated downloads (default: a temporary folder)."""
    folder = Path(files or tempfile.mkdtemp(prefix="portal-files-"))
    folder.mkdir(parents=True, exist_ok=True)
    state = PortalState(users, faults or Faults(), make_timesheets(timesheets, seed), folder, random.Random(seed))

    def html(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status)

    def portal_page(handler, *, faulty: bool = True):
        """Login required; GET pages suffer the switched-on faults."""

        async def endpoint(request: Request) -> Response:
            state.stats["requests"] += 1
            if not state.signed_in(request):
                state.stats["to-login"] += 1
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            if faulty and request.method == "GET":
                state.stats["faultable"] += 1
                count, faults = state.stats["faultable"], state.faults
                if (faults.error_every and count % int(faults.error_every) == 0) or state.rng.random() < faults.error_rate:
                    state.stats["errors"] += 1
                    return html(pages.server_error(), 500)
                if (faults.slow_every and count % int(faults.slow_every) == 0) or state.rng.random() < faults.slow_rate:
                    state.stats["slow"] += 1
                    await asyncio.sleep(state.faults.slow_seconds)
            return await handler(request)

        return endpoint

    async def login_form(request: Request) -> Response:
        csrf = secrets.token_urlsafe(16)
        response = html(pages.login(csrf, request.query_params.get("next", "/")))
        response.set_cookie("csrf", csrf, httponly=True, samesite="lax")
        return response

    async def login(request: Request) -> Response:
        form = await request.form()
        csrf = str(form.get("csrf_token", ""))
        next_url = str(form.get("next", "/"))
        if not csrf or not secrets.compare_digest(csrf, request.cookies.get("csrf", "")):
            state.stats["csrf-refused"] += 1
            return html(pages.login(csrf, next_url, "Your form has expired, please sign in again."), 403)
        user, password = str(form.get("username", "")), str(form.get("password", ""))
        if user not in state.users or not secrets.compare_digest(state.users[user], password):
            state.stats["login-refused"] += 1
            return await login_form_with_error(next_url)
        token = secrets.token_urlsafe(24)
        state.sessions[token] = time.time() + state.faults.session_seconds
        state.stats["logins"] += 1
        response = RedirectResponse(next_url if next_url.startswith("/") else "/", status_code=303)
        response.set_cookie("session", token, httponly=True, samesite="lax")
        return response

    async def login_form_with_error(next_url: str) -> Response:
        csrf = secrets.token_urlsafe(16)
        response = html(pages.login(csrf, next_url, "Unknown user or wrong password."), 200)
        response.set_cookie("csrf", csrf, httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        state.sessions.pop(request.cookies.get("session", ""), None)
        return RedirectResponse("/login", status_code=303)

    async def home(request: Request) -> Response:
        return html(pages.frameset())

    async def menu(request: Request) -> Response:
        return html(pages.menu())

    async def welcome(request: Request) -> Response:
        return html(pages.page("Welcome", "<p id='welcome'>Welcome to the order portal.</p>"))

    async def reports(request: Request) -> Response:
        await asyncio.sleep(state.faults.slow_seconds)
        return html(pages.page("Reports", f"<p id='report'>{len(state.orders)} orders so far.</p>"))

    def page_number(request: Request) -> int:
        try:
            return max(int(request.query_params.get("page", "1")), 1)
        except ValueError:
            return 1

    async def timesheet_list(request: Request) -> Response:
        number = page_number(request)
        pages_count = -(-len(state.timesheets) // PAGE_SIZE)
        shown = state.timesheets[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        return html(pages.timesheets(shown, number, pages_count))

    async def timesheet_download(request: Request) -> Response:
        sheet_id, form = request.path_params["id"], request.path_params["form"]
        sheet = next((s for s in state.timesheets if s["id"] == sheet_id), None)
        if sheet is None or form not in ("pdf", "csv"):
            return html(pages.page("Not found", "<p>No such file.</p>"), 404)
        state.stats["downloads"] += 1
        path = await asyncio.to_thread(timesheet_file, state, sheet, form)
        return FileResponse(path, filename=path.name, content_disposition_type="attachment")

    async def order_list(request: Request) -> Response:
        reference = request.query_params.get("reference", "").strip()
        found = [o for o in state.orders if not reference or o["reference"] == reference]
        number = page_number(request)
        pages_count = -(-len(found) // PAGE_SIZE)
        return html(pages.orders(found[(number - 1) * PAGE_SIZE : number * PAGE_SIZE], number, pages_count, reference))

    async def order_download(request: Request) -> Response:
        confirmation, form = request.path_params["id"], request.path_params["form"]
        order = next((o for o in state.orders if o["confirmation"] == confirmation), None)
        if order is None or form not in ("pdf", "csv"):
            return html(pages.page("Not found", "<p>No such file.</p>"), 404)
        path = await asyncio.to_thread(order_file, state, order, form)
        return FileResponse(path, filename=path.name, content_disposition_type="attachment")

    async def order_form(request: Request) -> Response:
        csrf = secrets.token_urlsafe(16)
        response = html(pages.order_form(csrf, {}, []))
        response.set_cookie("order_csrf", csrf, httponly=True, samesite="lax")
        return response

    async def order_submit(request: Request) -> Response:
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        csrf = values.pop("csrf_token", "")
        errors = validate_order(values)
        if not csrf or not secrets.compare_digest(csrf, request.cookies.get("order_csrf", "")):
            errors.insert(0, "The form has expired, please enter the order again")
        if errors:
            state.stats["refused"] += 1
            fresh = secrets.token_urlsafe(16)
            response = html(pages.order_form(fresh, values, errors))
            response.set_cookie("order_csrf", fresh, httponly=True, samesite="lax")
            return response
        with state.lock:
            order = {"confirmation": f"C-{len(state.orders) + 100001}", **{k: values[k].strip() for k in (
                "reference", "order_number", "customer", "delivery_date", "total", "currency")}}  # fmt: skip
            state.orders.append(order)
        state.stats["orders"] += 1
        if state.faults.confirm_delay:
            await asyncio.sleep(state.faults.confirm_delay)  # saved, not yet answered
        return RedirectResponse(f"/orders/confirmation/{order['confirmation']}", status_code=303)

    async def order_confirmation(request: Request) -> Response:
        order = next((o for o in state.orders if o["confirmation"] == request.path_params["id"]), None)
        if order is None:
            return html(pages.page("Not found", "<p>No such order.</p>"), 404)
        return html(pages.confirmation(order))

    async def admin_orders(request: Request) -> JSONResponse:
        return JSONResponse({"orders": state.orders})

    async def admin_stats(request: Request) -> JSONResponse:
        return JSONResponse({**state.stats, "orders_held": len(state.orders), "sessions": len(state.sessions)})

    async def admin_faults(request: Request) -> JSONResponse:
        try:
            state.faults.update(await request.json())
        except ValueError as exc:
            return JSONResponse({"message": str(exc)}, status_code=422)
        return JSONResponse(state.faults.__dict__)

    async def admin_expire(request: Request) -> JSONResponse:
        ended = len(state.sessions)
        state.sessions.clear()
        return JSONResponse({"ended": ended})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout),
        Route("/", portal_page(home, faulty=False)),
        Route("/menu", portal_page(menu, faulty=False)),
        Route("/welcome", portal_page(welcome, faulty=False)),
        Route("/reports", portal_page(reports, faulty=False)),
        Route("/timesheets", portal_page(timesheet_list)),
        Route("/timesheets/{id}.{form}", portal_page(timesheet_download, faulty=False)),
        Route("/orders", portal_page(order_list)),
        Route("/orders/new", portal_page(order_form), methods=["GET"]),
        Route("/orders/new", portal_page(order_submit), methods=["POST"]),
        Route("/orders/confirmation/{id}", portal_page(order_confirmation, faulty=False)),
        Route("/orders/{id}.{form}", portal_page(order_download, faulty=False)),
        Route("/_admin/orders", admin_orders),
        Route("/_admin/stats", admin_stats),
        Route("/_admin/faults", admin_faults, methods=["PUT"]),
        Route("/_admin/expire", admin_expire, methods=["POST"]),
        Route("/health", health),
    ]
    app = Starlette(routes=routes)
    app.state.portal = state
    return app


@contextmanager
def running_portal(*, args: tuple[str, ...] = (), log_path: Path | None = None) -> Iterator[str]:
    """Start the demo portal in its own process on a free loopback port; yield its URL; stop it."""
    with running("backoffice.demo.portal", args, "the demo portal", log_path) as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m backoffice.demo.portal", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("--port", type=int, default=8766, help="port to listen on")
    parser.add_argument("--fd", type=int, help="listen on this inherited socket instead of --host/--port")
    parser.add_argument("--user", action="append", default=[], help="USER:PASSWORD that may sign in (repeatable)")
    parser.add_argument("--timesheets", type=int, default=45, help="how many timesheets the portal lists")
    parser.add_argument("--seed", type=int, default=3, help="seed of the timesheets and of the fault dice")
    parser.add_argument("--files", help="folder for generated downloads (default: a temporary folder)")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of GET pages that answer 500")
    parser.add_argument("--slow-rate", type=float, default=0.0, help="share of GET pages that answer slowly")
    parser.add_argument("--slow-seconds", type=float, default=1.0, help="delay of a slow page (and of /reports)")
    parser.add_argument("--confirm-delay", type=float, default=0.0, help="seconds between saving and answering")
    parser.add_argument("--session-seconds", type=float, default=1800.0, help="how long a session lasts")
    options = parser.parse_args(argv)
    users = dict(u.partition(":")[::2] for u in options.user) or {"clerk": "clerk"}
    faults = Faults(options.error_rate, options.slow_rate, options.slow_seconds, options.confirm_delay,
                    options.session_seconds)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="portal-files-") as scratch:
        app = create_app(users, faults=faults, timesheets=options.timesheets, seed=options.seed,
                         files=Path(options.files or scratch))  # fmt: skip
        config = uvicorn.Config(app, host=options.host, port=options.port, access_log=False,
                                log_level=os.environ.get("PORTAL_LOG_LEVEL", "warning"))  # fmt: skip
        sockets = [socket.socket(fileno=options.fd)] if options.fd is not None else None
        uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
