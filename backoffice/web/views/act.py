"""POST /items/{id}/{action}: a person's action on one item, then back to the item page."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from backoffice import errors
from backoffice.web import actions
from backoffice.web.auth import guarded, workspace
from backoffice.web.render import wants_json
from backoffice.web.views.item import item_json, item_view, show_item

log = logging.getLogger(__name__)


def _call(name: str, form: dict[str, str]):
    return {
        "correct": lambda ws, i, u: actions.correct(ws, i, u, form.get("field", ""), form.get("value", ""), form.get("why", "")),
        "rerun": lambda ws, i, u: actions.rerun(ws, i, u),
        "approve": lambda ws, i, u: actions.approve(ws, i, u, form.get("why", "")),
        "retry": lambda ws, i, u: actions.retry(ws, i, u, form.get("why", "")),
        "cancel": lambda ws, i, u: actions.cancel(ws, i, u, form.get("why", "")),
        "reject": lambda ws, i, u: actions.reject(ws, i, u, form.get("why", ""), form.get("reply") == "1"),
        "assign": lambda ws, i, u: actions.assign(ws, i, u, form.get("to", "")),
        "comment": lambda ws, i, u: actions.comment(ws, i, u, form.get("text", "")),
    }.get(name)  # fmt: skip


@guarded("supervisor")
async def act(request: Request) -> Response:
    ws = workspace(request)
    item_id, name = int(request.path_params["item_id"]), str(request.path_params["action"])
    form = {k: str(v) for k, v in (await request.form()).items()}
    call = _call(name, form)
    user = request.state.session.user
    if call is None:
        return await run_in_threadpool(show_item, request, item_id, f"unknown action {name!r}", 404)
    try:
        await run_in_threadpool(call, ws, item_id, user)
    except errors.ItemNotFound as exc:
        from backoffice.web.render import problem

        return problem(request, 404, str(exc), title="No such item")
    except errors.IllegalTransition as exc:
        return await run_in_threadpool(show_item, request, item_id, f"not done: {exc}", 409)
    except errors.BackofficeError as exc:  # a refused action, a reply that could not be sent
        log.info("%s: %s on item %s refused: %s", user.name, name, item_id, exc, extra={"item": item_id, "action": name})
        return await run_in_threadpool(show_item, request, item_id, f"not done: {exc}", 409)
    log.info("%s: %s on item %s", user.name, name, item_id, extra={"item": item_id, "action": name})
    if wants_json(request):
        return JSONResponse(item_json(await run_in_threadpool(item_view, ws, item_id)))
    return RedirectResponse(f"/items/{item_id}?done={name}", status_code=303)
