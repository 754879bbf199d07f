"""The exception queue: filters, search, sort, pages, and bulk retry, cancel and assign with a
preview of the items each would touch before it runs."""

from __future__ import annotations

import logging
from dataclasses import replace

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backoffice import errors
from backoffice.queue.base import Status
from backoffice.web import actions, lists
from backoffice.web.auth import guarded, workspace
from backoffice.web.context import Workspace
from backoffice.web.query import NOBODY, PER_PAGE, SORTS, BadQuery, ItemFilter, summary
from backoffice.web.render import page, problem, wants_json
from backoffice.web.state import current_reason

log = logging.getLogger(__name__)
MAX_BULK = 500
MAX_ID = 10**18 - 1  # as the routes take them (backoffice.web.app.IdConvertor)


def views(ws: Workspace, wanted: ItemFilter, me: str, shown: int) -> list[tuple[str, dict[str, str], int, bool]]:
    """The list's views, each with the current filter's other choices: (label, query, count,
    whether it is the one shown): everyone's, mine (assigned to me), unassigned, and the items
    waiting for my approval (see :mod:`backoffice.web.lists`). ``shown``: how many the list
    shown finds (its view is not counted again)."""
    out = []
    for label, assignee, approver in (("Everyone's", "", ""), ("Mine", me, ""), ("Unassigned", NOBODY, ""),
                                      ("Waiting for my approval", "", me)):  # fmt: skip
        chosen = replace(wanted, assignee=assignee, approver=approver, page=1)
        current = (wanted.assignee, wanted.approver) == (assignee, approver)
        out.append((label, chosen.query(), shown if current else lists.count(ws, chosen), current))
    return out


@guarded("viewer")
async def exception_list(request: Request) -> Response:
    ws = workspace(request)
    try:
        wanted = ItemFilter.from_query(dict(request.query_params))
    except BadQuery as exc:
        return problem(request, 400, str(exc), title="Bad request")
    found = await run_in_threadpool(lists.find, ws, wanted)
    bots = await run_in_threadpool(ws.finder.bots)
    shown_views = await run_in_threadpool(views, ws, wanted, request.state.session.user.name, found.total)
    holders = await run_in_threadpool(ws.store.holders)
    reasons = {i.id: current_reason(i, ws.policy) for i in found.items}  # the current Verdict's, not the first
    data = {
        "filter": wanted.query(),
        "total": found.total,
        "page": wanted.page,
        "pages": found.pages,
        "items": [
            {**summary(i), "current_code": reasons[i.id][0], "current_reason": reasons[i.id][1],
             "held_by": holders.get(i.id, "")} for i in found.items
        ],
        "views": {label: count for label, _, count, _ in shown_views},
    }  # fmt: skip
    context = {"found": found, "reasons": reasons, "f": wanted, "views": shown_views, "holders": holders, "bots": bots, "statuses": [s.value for s in Status],
               "sorts": list(SORTS), "per_pages": PER_PAGE,
               "users": [u.name for u in ws.users.list()] if request.state.session.user.can("supervisor") else []}  # fmt: skip
    return page(request, "exceptions.html", context, data)


@guarded("supervisor")
async def bulk(request: Request) -> Response:
    """First POST: the preview (which items the action touches, which it skips and why).
    The preview's own form, with ``confirm=1``, runs it."""
    ws = workspace(request)
    form = await request.form()
    action = str(form.get("action", ""))
    if action not in actions.BULK:
        return problem(request, 400, f"unknown bulk action {action!r}: choose retry, cancel or assign")
    try:
        ids = sorted({int(v) for v in form.getlist("ids")})
    except ValueError:
        return problem(request, 400, "item ids must be numbers")
    if ids and not 1 <= ids[0] <= ids[-1] <= MAX_ID:
        return problem(request, 400, "item ids are whole numbers from 1 to 18 digits", title="Bad request")
    if not ids:
        return problem(request, 400, "choose at least one item")
    if len(ids) > MAX_BULK:
        return problem(request, 400, f"at most {MAX_BULK} items at once")
    why, to = str(form.get("why", "")), str(form.get("to", ""))
    if action == "assign" and to not in {u.name for u in ws.users.list()}:
        return problem(request, 400, f"choose a person to assign to (no user named {to!r})")
    items = await run_in_threadpool(ws.finder.by_ids, ids)
    user = request.state.session.user
    holders = await run_in_threadpool(ws.store.holders)  # an item someone else reviews now is theirs
    rows = [(item, actions.bulk_check(item, action, ws.policy, user.name, holders.get(item.id))) for item in items]
    if form.get("confirm") != "1":
        data = {"action": action, "to": to, "why": why, "touches": [summary(i) for i, skip in rows if not skip],
                "skips": [{**summary(i), "why": skip} for i, skip in rows if skip]}  # fmt: skip
        return page(request, "bulk_preview.html", {"action": action, "rows": rows, "why": why, "to": to,
                                                   "back": str(form.get("back", "/exceptions"))}, data)  # fmt: skip
    results = []
    for item, skip in rows:
        if skip:
            results.append({"id": item.id, "skipped": skip})
            continue
        try:
            argument = to if action == "assign" else why
            after = await run_in_threadpool(actions.BULK[action], ws, item.id, user, argument)
            results.append({"id": item.id, "status": after.status.value})
        except errors.BackofficeError as exc:
            results.append({"id": item.id, "error": str(exc)})
    log.info("%s: bulk %s of %d items", user.name, action, len(results), extra={"action": f"bulk-{action}"})
    if wants_json(request):
        from starlette.responses import JSONResponse

        return JSONResponse({"action": action, "results": results})
    back = str(form.get("back", "/exceptions"))
    back = back if back.startswith("/exceptions") else "/exceptions"
    done = sum(1 for r in results if "status" in r)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done={action}&n={done}", status_code=303)
