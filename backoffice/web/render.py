"""Pages as HTML (Jinja2, autoescaped) or as JSON: the same view answers both.

JSON is chosen by ``?format=json`` or an ``Accept`` header that prefers ``application/json``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from backoffice.web.fieldview import label

env = Environment(
    loader=PackageLoader("backoffice.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _amount(value: Any) -> str:
    """1234567.5 -> "1,234,567.50" (an amount as a person reads it); anything else as it is."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


FOUND_BY = {
    "label": "its label",
    "pattern": "its shape",
    "template": "a known layout",
    "learned": "a learned layout",
    "table": "a table",
    "embedded-xml": "the embedded e-invoice",
    "xml": "the XML file",
    "ocr": "OCR",
    "computed": "computed from other fields",
    "cell": "a spreadsheet cell",
    "correction": "correction by a person",
}


env.filters["when"] = _when
env.filters["found_by"] = lambda method: FOUND_BY.get(str(method), str(method))
env.filters["amount"] = _amount
env.filters["field_label"] = label
env.filters["urlencode_query"] = lambda query: urlencode(query)
env.globals["version"] = __import__("backoffice").__version__


def wants_json(request: Request) -> bool:
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page(request: Request, template: str, context: dict[str, Any], data: Any, status: int = 200) -> Response:
    """The HTML page, or ``data`` as JSON for scripts."""
    if wants_json(request):
        return JSONResponse(data, status_code=status)
    session = getattr(request.state, "session", None)
    html = env.get_template(template).render(
        request=request, session=session, user=session.user if session else None,
        csrf=session.csrf if session else "", path=request.url.path, **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)


def problem(request: Request, status: int, message: str, *, title: str = "Not done") -> Response:
    return page(request, "error.html", {"title": title, "message": message, "status": status},
                {"error": message, "status": status}, status=status)  # fmt: skip
