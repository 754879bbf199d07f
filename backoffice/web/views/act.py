"""POST /items/{id}/{action}: a person's action on one item.

Every answer to a browser is a redirect (303) to the item page, also when the action is refused:
the refusal travels in a short-lived cookie and is shown once there (so reloading the page never
posts again). Scripts asking for JSON get the item, or 409 with the refusal. Cancel and reject
need ``confirm=1`` (the form's "yes" box, ticked by the page's confirm dialog)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from backoffice import errors
from backoffice.web import actions, flow, state
from backoffice.web.auth import guarded, workspace
from backoffice.web.render import problem, wants_json
from backoffice.web.state import DESTRUCTIVE, UNHELD, ActionRefused
from backoffice.web.views.item import FLASH_COOKIE, item_json, item_view

FLASH_SECONDS = 60

log = logging.getLogger(__name__)


def _call(name: str, form: dict[str, str]):
    return {
        "correct": lambda ws, i, u: (
            actions.correct_fields(ws, i, u, {k[4:]: v for k, v in form.items() if k.startswith("set.")}, form.get("why", ""))
            if any(k.startswith("set.") for k in form)  # the page's form: several fields, one why
            else actions.correct(ws, i, u, form.get("field", ""), form.get("value", ""), form.get("why", ""))),
        "review": lambda ws, i, u: actions.review(ws, i, u, {k[4:]: v for k, v in form.items() if k.startswith("set.")},
                                                  form.get("why", ""), [k[4:] for k in form if k.startswith("set.")]),
        "rerun": lambda ws, i, u: actions.rerun(ws, i, u),
        "approve": lambda ws, i, u: actions.approve(ws, i, u, form.get("why", "")),
        "retry": lambda ws, i, u: actions.retry(ws, i, u, form.get("why", "")),
        "cancel": lambda ws, i, u: actions.cancel(ws, i, u, form.get("why", "")),
        "reject": lambda ws, i, u: actions.reject(ws, i, u, form.get("why", ""), form.get("reply") == "1"),
        "assign": lambda ws, i, u: actions.assign(ws, i, u, form.get("to", "")),
        "comment": lambda ws, i, u: actions.comment(ws, i, u, form.get("text", "")),
        "hold": lambda ws, i, u: actions.hold(ws, i, u),  # the open page renews its hold
        "leave": lambda ws, i, u: actions.let_go(ws, i, u),  # done with it: others may take it
    }.get(name)  # fmt: skip


@guarded("supervisor")
async def act(request: Request) -> Response:
    ws = workspace(request)
    item_id, name = int(request.path_params["item_id"]), str(request.path_params["action"])
    form = {k: str(v) for k, v in (await request.form()).items()}
    call = _call(name, form)
    user = request.state.session.user
    if call is None:
        return problem(request, 404, f"unknown action {name!r}", title="No such action")
    try:
        if name in DESTRUCTIVE and form.get("confirm") != "1":
            raise ActionRefused(f"{name} needs a confirmation: tick “yes” and send it again", code="confirm")
        nav = flow.Neighbours("")
        listing = form.get("list") or (flow.DEFAULT_LIST if name in ("review", "leave") else "")  # "... and next"
        if name in flow.MOVES_ON and listing:  # where to go next, before the item leaves the list
            nav = await run_in_threadpool(flow.neighbours, ws, item_id, listing, user.name)
        if name not in UNHELD:  # someone else reviewing it now: refused, with who (journaled)
            holder = (await run_in_threadpool(ws.store.holders)).get(item_id)
            if holder and holder != user.name and name != "hold":
                await run_in_threadpool(state.journal_refusal, ws.store, item_id, user.name, name, holder)
            state.check_held(item_id, user, holder)
        await run_in_threadpool(call, ws, item_id, user)
        if name in flow.MOVES_ON:  # the item is finished or moved on: let go of it
            await run_in_threadpool(actions.let_go, ws, item_id, user, f"{name}: done with it")
    except errors.ItemNotFound as exc:
        return problem(request, 404, str(exc), title="No such item")
    except errors.BackofficeError as exc:  # refused, an illegal move, a reply that could not be sent
        log.info("%s: %s on item %s refused: %s", user.name, name, item_id, exc, extra={"item": item_id, "action": name})
        if wants_json(request):
            view = await run_in_threadpool(item_view, ws, item_id, user)
            return JSONResponse({"error": f"not done: {exc}", **item_json(view)}, status_code=409)
        return refused(request, item_id, f"not done: {exc}", form.get("list", ""))
    log.info("%s: %s on item %s", user.name, name, item_id, extra={"item": item_id, "action": name})
    if wants_json(request):
        return JSONResponse(item_json(await run_in_threadpool(item_view, ws, item_id, user)))
    if nav.listing:  # on to the next item of the list (or back to the list at its end)
        target = nav.next or nav.back
        sep = "&" if "?" in target else "?"
        return RedirectResponse(f"{target}{sep}done={name}&from={item_id}", status_code=303)
    here = flow.link(item_id, flow.normal(form.get("list", "")))
    return RedirectResponse(f"{here}{'&' if '?' in here else '?'}done={name}", status_code=303)


def refused(request: Request, item_id: int, message: str, listing: str) -> Response:
    """Back to the item page (303, in its list), which shows ``message`` once."""
    answer = RedirectResponse(flow.link(item_id, flow.normal(listing)), status_code=303)
    answer.set_cookie(FLASH_COOKIE, quote(message[:1500]), max_age=FLASH_SECONDS, httponly=True,
                      secure=workspace(request).settings.secure_cookies, samesite="lax", path=f"/items/{item_id}")
    return answer
