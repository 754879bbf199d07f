"""A demo ERP: accounts payable with vendors, purchase orders and invoices, over HTTP (ASGI).

    python -m backoffice.demo.erp --db erp.db --port 8765 [--token T] [--client ID:SECRET]
                                  [--fault-rate 0.3 --faults error,timeout,slow,drop]

The demo and the tests post to it. Records persist in SQLite. ``POST /api/invoices`` takes an
``Idempotency-Key`` header (a repeat returns the first invoice, 200 instead of 201); invoices
are found again by ``GET /api/invoices?reference=R`` or ``GET /api/invoices/by-reference/R``.
A wrong invoice is refused with 422 and a message (or 409 for a duplicate, when switched on).

Faults, switchable at start or by ``PUT /_admin/faults``, hit a share of ``/api/`` requests:
``error`` answers 500 and does nothing; ``timeout`` answers only after ``hang_seconds`` (and
then does the work: the client has given up, the record exists); ``slow`` answers after
``slow_seconds``; ``drop`` does the work, commits, then drops the connection without an
answer. ``GET /_admin/stats`` counts requests, faults, replays and invoices.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import random
import secrets
import socket
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backoffice.demo.erp_ledger import Ledger, Problem, validate_invoice
from backoffice.demo.serve import running

log = logging.getLogger(__name__)
FAULT_KINDS = ("error", "timeout", "slow", "drop")


@dataclass
class Faults:
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    slow_seconds: float = 0.2
    hang_seconds: float = 2.0
    seed: int | None = None
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not 0 <= self.rate <= 1:
            raise ValueError(f"faults: rate must be 0..1 and kinds among {FAULT_KINDS}")
        self._rng = random.Random(self.seed)

    def draw(self) -> str | None:
        if self.rate and self.kinds and self._rng.random() < self.rate:
            return self._rng.choice(self.kinds)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if not k.startswith("_")}


@dataclass
class Access:
    """Who may call the API; nothing configured: everyone."""

    tokens: set[str] = field(default_factory=set)
    users: dict[str, str] = field(default_factory=dict)  # basic auth
    clients: dict[str, str] = field(default_factory=dict)  # OAuth2 client credentials
    token_seconds: float = 3600.0
    issued: dict[str, float] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return not (self.tokens or self.users or self.clients)

    def allows(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value in self.tokens or self.issued.get(value, 0) > time.time()
        if scheme.lower() == "basic":
            user, _, password = _decode_basic(value)
            return user in self.users and secrets.compare_digest(self.users[user], password)
        return False


def _decode_basic(value: str) -> tuple[str, str, str]:
    try:
        return base64.b64decode(value).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", "", ""


def create_app(
    db: Path | str, *, faults: Faults | None = None, access: Access | None = None,
    known_vendors_only: bool = False, reject_duplicates: bool = False,
) -> Starlette:  # fmt: skip
    """The ERP as an ASGI app (wrapped by the fault injector)."""
    ledger, access = Ledger(db), access or Access()
    state: dict[str, Any] = {"faults": faults or Faults(), "stats": Counter()}
    stats: Counter = state["stats"]

    def guarded(handler):
        async def endpoint(request: Request) -> JSONResponse:
            if not access.open and not access.allows(request.headers.get("authorization", "")):
                return JSONResponse({"message": "not signed in"}, status_code=401)
            try:
                return await handler(request)
            except Problem as problem:
                stats[f"refused-{problem.status}"] += 1
                return JSONResponse({"message": problem.message, "errors": problem.errors}, status_code=problem.status)

        return endpoint

    async def body(request: Request) -> Any:
        try:
            return json.loads(await request.body() or b"null")
        except ValueError:
            raise Problem(400, "the body is not JSON") from None

    async def post_invoice(request: Request) -> JSONResponse:
        data = validate_invoice(await body(request))
        key = request.headers.get("idempotency-key")
        with ledger.tx() as conn:
            if key and (row := conn.execute("SELECT id FROM invoices WHERE idempotency_key = ?", (key,)).fetchone()):
                stats["replays"] += 1
                return JSONResponse(ledger.invoice(conn, row[0]), headers={"Idempotent-Replayed": "true"})
            vendor = ledger.vendor_id(conn, data["vendor"], create=not known_vendors_only)
            if vendor is None:
                raise Problem(422, f"vendor {data['vendor']!r} is unknown", [{"field": "vendor", "message": "unknown"}])
            if data["po_number"] and not conn.execute(
                "SELECT 1 FROM purchase_orders WHERE number = ?", (data["po_number"],)
            ).fetchone():
                raise Problem(422, f"purchase order {data['po_number']!r} does not exist")
            if reject_duplicates and (dup := conn.execute(
                "SELECT id FROM invoices WHERE vendor_id = ? AND number = ?", (vendor, data["number"])
            ).fetchone()):  # fmt: skip
                raise Problem(409, f"invoice {data['number']} of {data['vendor']} already exists as {dup[0]}")
            invoice_id = conn.execute(
                "INSERT INTO invoices (vendor_id, number, reference, idempotency_key, issue_date, due_date, currency, "
                "net_total, tax_total, total, po_number, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (vendor, data["number"], data["reference"], key, data["issue_date"], data["due_date"], data["currency"],
                 data["net_total"], data["tax_total"], data["total"], data["po_number"], time.time()),
            ).lastrowid  # fmt: skip
            conn.executemany(
                "INSERT INTO invoice_lines (invoice_id, line_no, description, quantity, unit_price, amount) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(invoice_id, ln["line_no"], ln["description"], ln["quantity"], ln["unit_price"], ln["amount"])
                 for ln in data["lines"]],
            )  # fmt: skip
            stats["invoices"] += 1
            created = ledger.invoice(conn, invoice_id)
        return JSONResponse(created, status_code=201, headers={"Location": f"/api/invoices/{invoice_id}"})

    async def list_invoices(request: Request) -> JSONResponse:
        clauses, args = [], []
        for name, column in (("reference", "i.reference"), ("number", "i.number"), ("vendor", "v.name")):
            if name in request.query_params:
                clauses.append(f"{column} = ?")
                args.append(request.query_params[name])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        limit = min(int(request.query_params.get("limit", 100)), 1000)
        with ledger.lock:
            conn = ledger.conn
            total = conn.execute(f"SELECT COUNT(*) FROM invoices i JOIN vendors v ON v.id = i.vendor_id {where}",
                                 args).fetchone()[0]  # fmt: skip
            ids = conn.execute(f"SELECT i.id FROM invoices i JOIN vendors v ON v.id = i.vendor_id {where} "
                               "ORDER BY i.id LIMIT ?", (*args, limit)).fetchall()  # fmt: skip
            items = [ledger.invoice(conn, row[0]) for row in ids]
        return JSONResponse({"items": items, "total": total})

    async def get_invoice(request: Request) -> JSONResponse:
        with ledger.lock:
            if "reference" in request.path_params:
                row = ledger.conn.execute(
                    "SELECT id FROM invoices WHERE reference = ? ORDER BY id", (request.path_params["reference"],)
                ).fetchone()
                invoice = ledger.invoice(ledger.conn, row[0]) if row else None
            else:
                invoice = ledger.invoice(ledger.conn, request.path_params["id"])
        if invoice is None:
            raise Problem(404, "no such invoice")
        return JSONResponse(invoice)

    async def post_vendor(request: Request) -> JSONResponse:
        data = await body(request)
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise Problem(422, "name is required")
        with ledger.tx() as conn:
            if conn.execute("SELECT 1 FROM vendors WHERE name = ?", (name,)).fetchone():
                raise Problem(409, f"vendor {name!r} already exists")
            vendor_id = conn.execute("INSERT INTO vendors (name, vat_id, created_at) VALUES (?, ?, ?)",
                                     (name, data.get("vat_id"), time.time())).lastrowid  # fmt: skip
        return JSONResponse({"id": vendor_id, "name": name, "vat_id": data.get("vat_id")}, status_code=201)

    async def get_vendor(request: Request) -> JSONResponse:
        with ledger.lock:
            row = ledger.conn.execute("SELECT id, name, vat_id FROM vendors WHERE id = ?",
                                      (request.path_params["id"],)).fetchone()  # fmt: skip
        if row is None:
            raise Problem(404, "no such vendor")
        return JSONResponse(dict(zip(("id", "name", "vat_id"), row, strict=True)))

    async def post_order(request: Request) -> JSONResponse:
        data = await body(request)
        if not isinstance(data, dict) or not data.get("number") or not data.get("vendor"):
            raise Problem(422, "number and vendor are required")
        with ledger.tx() as conn:
            if conn.execute("SELECT 1 FROM purchase_orders WHERE number = ?", (data["number"],)).fetchone():
                raise Problem(409, f"purchase order {data['number']!r} already exists")
            vendor = ledger.vendor_id(conn, data["vendor"], create=True)
            order_id = conn.execute(
                "INSERT INTO purchase_orders (number, vendor_id, currency, total, created_at) VALUES (?, ?, ?, ?, ?)",
                (data["number"], vendor, data.get("currency"), str(data.get("total") or ""), time.time()),
            ).lastrowid
        return JSONResponse({"id": order_id, **data}, status_code=201)

    async def get_order(request: Request) -> JSONResponse:
        with ledger.lock:
            row = ledger.conn.execute(
                "SELECT p.id, p.number, v.name, p.currency, p.total FROM purchase_orders p "
                "JOIN vendors v ON v.id = p.vendor_id WHERE p.number = ?", (request.path_params["number"],),
            ).fetchone()  # fmt: skip
        if row is None:
            raise Problem(404, "no such purchase order")
        return JSONResponse(dict(zip(("id", "number", "vendor", "currency", "total"), row, strict=True)))

    async def token(request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        client, _, secret = _decode_basic(request.headers.get("authorization", "").partition(" ")[2])
        client, secret = client or str(form.get("client_id", "")), secret or str(form.get("client_secret", ""))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if client not in access.clients or not secrets.compare_digest(access.clients[client], secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        issued = secrets.token_urlsafe(24)
        access.issued[issued] = time.time() + access.token_seconds
        stats["tokens"] += 1
        return JSONResponse({"access_token": issued, "token_type": "Bearer", "expires_in": access.token_seconds})

    async def faults_endpoint(request: Request) -> JSONResponse:
        if request.method == "PUT":
            data = await request.json()
            try:
                state["faults"] = Faults(**{**data, "kinds": tuple(data.get("kinds", FAULT_KINDS))})
            except (TypeError, ValueError) as exc:
                return JSONResponse({"message": str(exc)}, status_code=422)
        return JSONResponse(state["faults"].to_dict())

    async def stats_endpoint(request: Request) -> JSONResponse:
        with ledger.lock:
            stored = ledger.conn.execute("SELECT COUNT(*) FROM invoices").fetchone()[0]
        return JSONResponse({"requests": 0, **stats, "stored_invoices": stored})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[
        Route("/health", health),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/api/invoices", guarded(post_invoice), methods=["POST"]),
        Route("/api/invoices", guarded(list_invoices), methods=["GET"]),
        Route("/api/invoices/by-reference/{reference}", guarded(get_invoice), methods=["GET"]),
        Route("/api/invoices/{id:int}", guarded(get_invoice), methods=["GET"]),
        Route("/api/vendors", guarded(post_vendor), methods=["POST"]),
        Route("/api/vendors/{id:int}", guarded(get_vendor), methods=["GET"]),
        Route("/api/purchase-orders", guarded(post_order), methods=["POST"]),
        Route("/api/purchase-orders/{number}", guarded(get_order), methods=["GET"]),
        Route("/_admin/faults", faults_endpoint, methods=["GET", "PUT"]),
        Route("/_admin/stats", stats_endpoint, methods=["GET"]),
    ])  # fmt: skip
    app.state.erp = state
    return FaultInjector(app, state)  # type: ignore[return-value]


class FaultInjector:
    """ASGI middleware that makes a share of ``/api/`` requests fail in the configured ways."""

    def __init__(self, app: Starlette, state: dict[str, Any]):
        self.app, self.state = app, state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        self.state["stats"]["requests"] += 1
        faults: Faults = self.state["faults"]
        kind = faults.draw()
        if kind is None:
            return await self.app(scope, receive, send)
        self.state["stats"][f"fault-{kind}"] += 1
        if kind == "error":
            return await JSONResponse({"message": "injected failure"}, status_code=500)(scope, receive, send)
        replay = await _buffer(receive)  # the work happens even if the client has gone
        if kind in ("timeout", "slow"):
            await asyncio.sleep(faults.hang_seconds if kind == "timeout" else faults.slow_seconds)
            return await self.app(scope, replay, send)

        async def swallow(message: dict) -> None:
            pass

        await self.app(scope, replay, swallow)  # committed; now drop the connection mid-answer
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})


async def _buffer(receive: Any) -> Any:
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body, sent = b"".join(chunks), False

    async def replay() -> dict:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # like a client that says nothing more
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


# -- running it --------------------------------------------------------------------------------
@contextmanager
def running_erp(db: Path, *, args: tuple[str, ...] = (), log_path: Path | None = None) -> Iterator[str]:
    """Start the demo ERP in its own process on a free loopback port; yield its base URL; stop it."""
    with running("backoffice.demo.erp", ("--db", str(db), *args), "the demo ERP", log_path) as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m backoffice.demo.erp", description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="erp.db", help="SQLite file that keeps the ERP's records")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on")
    parser.add_argument("--fd", type=int, help="listen on this inherited socket instead of --host/--port")
    parser.add_argument("--token", action="append", default=[], help="accept this bearer token (repeatable)")
    parser.add_argument("--user", action="append", default=[], help="accept basic auth USER:PASSWORD")
    parser.add_argument("--client", action="append", default=[], help="OAuth2 client ID:SECRET")
    parser.add_argument("--known-vendors-only", action="store_true", help="refuse invoices of unknown vendors")
    parser.add_argument("--reject-duplicates", action="store_true", help="409 for a vendor's invoice number twice")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of /api/ requests that fail")
    parser.add_argument("--faults", default=",".join(FAULT_KINDS), help="comma-separated: error,timeout,slow,drop")
    parser.add_argument("--slow-seconds", type=float, default=0.2, help="delay of a slow answer")
    parser.add_argument("--hang-seconds", type=float, default=2.0, help="delay of a timeout")
    parser.add_argument("--seed", type=int, help="seed of the fault dice")
    options = parser.parse_args(argv)
    faults = Faults(options.fault_rate, tuple(k for k in options.faults.split(",") if k), options.slow_seconds,
                    options.hang_seconds, options.seed)  # fmt: skip
    access = Access(
        tokens=set(options.token),
        users=dict(u.partition(":")[::2] for u in options.user),
        clients=dict(c.partition(":")[::2] for c in options.client),
    )
    app = create_app(options.db, faults=faults, access=access, known_vendors_only=options.known_vendors_only,
                     reject_duplicates=options.reject_duplicates)  # fmt: skip
    config = uvicorn.Config(app, host=options.host, port=options.port, access_log=False,
                            log_level=os.environ.get("ERP_LOG_LEVEL", "warning"))  # fmt: skip
    # An inherited socket is taken as it is (socket.socket(fileno=) reads its family and protocol,
    # so asyncio sets TCP_NODELAY on each connection; uvicorn's own --fd would not).
    sockets = [socket.socket(fileno=options.fd)] if options.fd is not None else None
    uvicorn.Server(config).run(sockets=sockets)


if __name__ == "__main__":
    main()
