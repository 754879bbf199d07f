"""One item: the document's pages with each field's box, the fields, the Verdict, the mail it
came from, portal evidence, effects and the journal; its page images and files."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from backoffice.documents.registry import field_types
from backoffice.errors import BusinessError, ItemNotFound
from backoffice.queue.base import RETRY_FROM, StoredFile, WorkItem
from backoffice.rules import approvals
from backoffice.web import actions, fieldview, flow, sheetview, state
from backoffice.web.auth import guarded, workspace
from backoffice.web.context import Workspace
from backoffice.web.images import PageSize
from backoffice.web.users import User
from backoffice.web.render import page, problem, wants_json

WORD_PAGES = 10  # pages whose words are drawn to click and find
FLASH_COOKIE = "bo_flash"  # a refused action's message, shown once after the redirect
DONE_MESSAGES = {
    "correct": "Correction saved; the rules ran again.", "rerun": "The rules ran again.",
    "approve": "Approved.", "retry": "Sent back to the queue.", "cancel": "Cancelled.",
    "reject": "Rejected.", "assign": "Assigned.", "comment": "Comment added.", "leave": "Left to others.",
    "review": "Reviewed; the corrections are saved and the rules ran again.",
}  # fmt: skip


def failing_fields(item: WorkItem) -> dict[str, str]:
    """Field name -> ``error`` or ``warning``: the worst failing rule that read it (error
    boxes are drawn red, warning boxes amber)."""
    out: dict[str, str] = {}
    for outcome in (item.payload.get("verdict") or {}).get("outcomes", []):
        if outcome.get("ok") or outcome.get("skipped"):
            continue
        names = list(outcome.get("values", {}))
        if outcome.get("action") == "required":
            names.append(outcome["rule"].removeprefix("required:"))
        for name in names:
            if out.get(name) != "error":
                out[name] = "error" if outcome.get("severity") == "error" else "warning"
    return out


def evidence(item: WorkItem) -> list[StoredFile]:
    found = []
    for data in item.payload.get("evidence") or []:
        try:
            found.append(StoredFile.from_dict(data))
        except TypeError:
            continue
    return found


def _has_rules(ws: Workspace, bot: str) -> bool:
    try:
        return ws.rules_for(bot) is not None
    except BusinessError:  # an unknown bot or an invalid rule file: re-running is refused with why
        return False


def item_view(ws: Workspace, item_id: int, user: User | None = None, *, hold: bool = False) -> dict[str, Any]:
    """What the item page shows; ``offer`` (action -> "" or why not) for ``user``. With ``hold``
    (a person opens the page to review it) a supervisor takes or renews the item's hold."""
    item = ws.store.get(item_id)
    holder = state.take_hold(ws.store, item, user) if user and hold else ws.store.holders().get(item_id)
    journal = ws.store.journal(item_id)
    effects = ws.store.effects(item_id)
    source = item.files[0] if item.files else None
    sizes = ws.images.sizes(source) if source else []
    document = item.payload.get("document") or {}
    fields = document.get("fields") or {}
    failing = failing_fields(item)
    verdict = item.payload.get("verdict") or {}
    outcomes = verdict.get("outcomes", [])
    view = {
        "item": item, "journal": journal, "effects": effects, "pages": sizes, "document": document,
        "fields": fields, "failing": failing, "verdict": verdict,
        "first_failing": next((n for n, sev in failing.items() if sev == "error"), ""),
        "failed": [o for o in outcomes if not o.get("ok") and not o.get("skipped")],
        "passed": [o for o in outcomes if o.get("ok") or o.get("skipped")],
        "field_names": sorted(field_types(document.get("kind", ""))),
        "found_fields": fieldview.found(document),
        "mail": item.payload.get("mail") or {}, "evidence": evidence(item),
        "corrections": item.payload.get("corrections", []), "approvals": item.payload.get("approvals", []),
        "needs": approvals.needs(item.payload, ws.policy), "missing": actions.missing(ws, item),
        "covers": approvals.covers(item.payload), "current_approvals": approvals.current(item.payload),
        "correctors": sorted(actions.correctors(item)),
        "reason": state.current_reason(item, ws.policy), "rejected": state.rejected(item, journal),
        "offer": state.offered(item, user, ws.policy, journal, _has_rules(ws, item.bot), holder) if user else {},
        "holder": holder or "", "renew_seconds": state.RENEW_SECONDS,
        "users": [u.name for u in ws.users.list()],
    }  # fmt: skip
    view["why_not"] = _why_not(view)
    view.update(review_view(ws, item, document, failing, sizes))
    return view


def review_view(
    ws: Workspace, item: WorkItem, document: dict[str, Any], failing: dict[str, str], sizes: list[PageSize]
) -> dict[str, Any]:
    """The review form (fields and line items with their status), the page words a click puts
    into a field, a CSV/XLSX file as a table, and what is wrong with a file that shows nothing."""
    confirmed = item.payload.get("confirmed") or {}
    rows = fieldview.rows(document, failing, confirmed)
    lines = fieldview.line_rows(document, failing, confirmed)
    source = item.files[0] if item.files else None
    shown = sizes[:WORD_PAGES]  # the words of a long document's first pages only: the page stays light
    # a scan's words are read by OCR when the page asks for them (pages/N/words), not here
    words = {p.number: ws.images.words(source, p.number, read=False) for p in shown} if source else {}
    table = trouble = None
    if source and not sizes and sheetview.is_table(source.name, source.media_type):
        table = sheetview.sheet(ws.files.path(source), source.name, source.media_type, document)
    elif source and not sizes:
        trouble = ws.images.trouble(source) or f"{source.name} shows no pages"
    statuses = [r.status for r in rows] + [c.status for line in lines for c in line if c]
    return {
        "rows": rows,
        "line_columns": fieldview.line_columns(document),
        "line_rows": lines,
        "words": words,
        "sheet": table,
        "trouble": trouble,
        "to_review": statuses.count(fieldview.TO_REVIEW),
        "locale": fieldview.locale_of(document),
        "review_below": fieldview.REVIEW_BELOW,
    }


def _why_not(view: dict[str, Any]) -> dict[str, str]:
    """Why Approve or Retry is not offered, where a supervisor would look for it."""
    status, offer = view["item"].status, view["offer"]
    out = {}
    if offer.get("approve") and view["needs"] and status in state.OPEN:
        out["Approve"] = offer["approve"]
    if offer.get("retry") and status in RETRY_FROM:
        out["Retry"] = offer["retry"]
    return out


def item_json(view: dict[str, Any]) -> dict[str, Any]:
    item: WorkItem = view["item"]
    return {
        **item.to_dict(), "journal": [e.to_dict() for e in view["journal"]],
        "effects": [e.to_dict() for e in view["effects"]],
        "pages": [{"number": p.number, "width": p.width, "height": p.height,
                   "image": f"/items/{item.id}/pages/{p.number}.png"} for p in view["pages"]],
        "current_reason": view["reason"][1], "current_code": view["reason"][0], "held_by": view["holder"],
        "offered": sorted(name for name, why in view["offer"].items() if not why),
        "failing_fields": view["failing"], "needs_approval": bool(view["needs"]),
        "approvals_missing": view["missing"], "covers": view["covers"],
        "review": {r.name: r.status for r in view["rows"] if r.status}
        | {c.name: c.status for line in view["line_rows"] for c in line if c and c.status},
    }  # fmt: skip


def _item_id(request: Request) -> int:
    return int(request.path_params["item_id"])


@guarded("viewer")
async def item_page(request: Request) -> Response:
    ws = workspace(request)
    try:
        user, opened = request.state.session.user, not wants_json(request)  # a person opened the page
        view = await run_in_threadpool(lambda: item_view(ws, _item_id(request), user, hold=opened))
    except ItemNotFound as exc:
        return problem(request, 404, str(exc), title="No such item")
    done, came_from = request.query_params.get("done", ""), request.query_params.get("from", "")
    view["done"] = DONE_MESSAGES.get(done, "")
    if view["done"] and came_from.isdigit() and int(came_from) != view["item"].id:
        view["done"] = f"Item #{came_from}: {view['done']} This is the next item of your list."
    listing = request.query_params.get("list", "")
    view["nav"] = await run_in_threadpool(flow.neighbours, ws, view["item"].id, listing, user.name)
    view["review_list"] = view["nav"].listing or flow.DEFAULT_LIST  # where "Confirm and next" goes
    flash = request.cookies.get(FLASH_COOKIE)
    view["error"] = unquote(flash) if flash else ""
    answer = page(request, "item.html", view, item_json(view))
    if flash:
        answer.delete_cookie(FLASH_COOKIE, path=request.url.path)
    return answer


def _stored(item: WorkItem, sha256: str) -> StoredFile | None:
    for stored in (*item.files, *evidence(item)):
        if stored.sha256 == sha256:
            return stored
    return None


@guarded("viewer")
async def page_image(request: Request) -> Response:
    ws = workspace(request)
    try:
        item = await run_in_threadpool(ws.store.get, _item_id(request))
    except ItemNotFound as exc:
        return problem(request, 404, str(exc))
    if not item.files:
        return problem(request, 404, "the item has no document")
    path = await run_in_threadpool(ws.images.png, item.files[0], int(request.path_params["number"]))
    if path is None:
        return problem(request, 404, "no such page")
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@guarded("viewer")
async def page_words(request: Request) -> Response:
    """The words of a page as JSON ([text, x0, top, x1, bottom] in points): read by OCR on a
    scan the first time (seconds), then cached."""
    ws = workspace(request)
    try:
        item = await run_in_threadpool(ws.store.get, _item_id(request))
    except ItemNotFound as exc:
        return problem(request, 404, str(exc))
    number = int(request.path_params["number"])
    if not item.files or number > WORD_PAGES:
        return JSONResponse([])
    found = await run_in_threadpool(ws.images.words, item.files[0], number)
    return JSONResponse(found or [], headers={"Cache-Control": "private, max-age=86400"})


@guarded("viewer")
async def item_file(request: Request) -> Response:
    """A file of the item (its source document, a screenshot, a trace) as a download."""
    ws = workspace(request)
    try:
        item = await run_in_threadpool(ws.store.get, _item_id(request))
    except ItemNotFound as exc:
        return problem(request, 404, str(exc))
    stored = _stored(item, str(request.path_params["sha256"]))
    if stored is None or not ws.files.path(stored).exists():
        return problem(request, 404, "the item has no such file")
    inline = request.query_params.get("inline") == "1" and stored.media_type in ("image/png", "image/jpeg")
    return FileResponse(ws.files.path(stored), media_type=stored.media_type if inline else "application/octet-stream",
                        filename=stored.name, content_disposition_type="inline" if inline else "attachment")  # fmt: skip
