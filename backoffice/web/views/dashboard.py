"""The dashboard: items by bot and status, throughput today, exceptions by reason, the oldest
waiting items and items past their deadline."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from backoffice.queue.base import Status
from backoffice.web.auth import guarded, workspace
from backoffice.web.render import page
from backoffice.web.state import current_reason


@guarded("viewer")
async def dashboard(request: Request) -> Response:
    ws = workspace(request)
    board = await run_in_threadpool(ws.finder.dashboard, ws.clock())
    totals = {s.value: sum(c.get(s.value, 0) for c in board.counts.values()) for s in Status}
    reasons = {i.id: current_reason(i, ws.policy) for i in (*board.oldest, *board.overdue)}  # why each waits now
    return page(
        request,
        "dashboard.html",
        {"board": board, "statuses": [s.value for s in Status], "totals": totals, "reasons": reasons},
        board.to_dict(),
    )
