"""The users page (admins): who may sign in, with which role. Users are added and removed
with ``backoffice users``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from backoffice.web.auth import guarded, workspace
from backoffice.web.render import page


@guarded("admin")
async def users_page(request: Request) -> Response:
    users = workspace(request).users.list()
    return page(request, "users.html", {"users": users}, {"users": [u.to_dict() for u in users]})
