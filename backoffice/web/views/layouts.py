"""The learned layouts page (admins): the vendors and layouts known, how many documents each
read, how often a person still corrected them, and every change. Layouts are exported and
deleted with ``backoffice layouts``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from backoffice.learning.store import layouts, rows
from backoffice.web.auth import guarded, workspace
from backoffice.web.render import page


@guarded("admin")
async def layouts_page(request: Request) -> Response:
    learned = layouts(workspace(request).store)
    found = list(rows(learned))
    journal = [change.to_dict() for change in learned.journal()][-200:][::-1]  # the latest first
    return page(request, "layouts.html", {"layouts": found, "journal": journal}, {"layouts": found, "journal": journal})
