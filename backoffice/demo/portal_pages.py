"""The HTML of the demo legacy portal: tables, forms and a frameset, the way portals of 2003 looked.

Every function returns a whole page as text; values are escaped here, so callers pass raw data.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

CURRENCIES = ("EUR", "USD", "GBP", "CHF")
STYLE = "body{font:13px Verdana,sans-serif} table{border-collapse:collapse} td,th{border:1px solid #999;padding:2px 6px}"


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>")  # fmt: skip


def login(csrf: str, next_url: str, error: str = "") -> str:
    problem = f"<p class='error' id='login-error'>{escape(error)}</p>" if error else ""
    return page("Sign in", f"""{problem}
<form id="login" method="post" action="/login">
  <input type="hidden" name="csrf_token" value="{escape(csrf)}">
  <input type="hidden" name="next" value="{escape(next_url)}">
  <table><tr><td>User</td><td><input name="username" id="username"></td></tr>
  <tr><td>Password</td><td><input type="password" name="password" id="password"></td></tr></table>
  <input type="submit" value="Sign in">
</form>""")


def frameset() -> str:
    return """<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Frameset//EN"><html><head><title>Portal</title></head>
<frameset cols="180,*"><frame name="menu" src="/menu"><frame name="main" src="/welcome"></frameset></html>"""


def menu() -> str:
    links = [("/timesheets", "Timesheets"), ("/orders", "Orders"), ("/orders/new", "New order"),
             ("/reports", "Reports"), ("/logout", "Sign out")]  # fmt: skip
    items = "".join(f"<li><a target='main' href='{href}'>{text}</a></li>" for href, text in links)
    return page("Menu", f"<ul id='menu'>{items}</ul>")


def table(table_id: str, head: list[str], rows: list[list[str]]) -> str:
    """``rows`` hold ready HTML cells (the caller escapes text)."""
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table id='{table_id}'><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def pager(path: str, number: int, pages: int, query: dict[str, str] | None = None) -> str:
    def link(n: int, text: str, rel: str) -> str:
        return f"<a class='{rel}' rel='{rel}' href='{path}?{escape(urlencode({**(query or {}), 'page': n}))}'>{text}</a>"

    parts = [link(number - 1, "&laquo; Previous", "prev")] if number > 1 else []
    parts.append(f"<span class='page'>Page {number} of {max(pages, 1)}</span>")
    if number < pages:
        parts.append(link(number + 1, "Next &raquo;", "next"))
    return f"<p class='pager'>{' | '.join(parts)}</p>"


def timesheets(sheets: list[dict[str, Any]], number: int, pages: int) -> str:
    rows = [[escape(s["id"]), escape(s["employee_name"]), escape(f"{s['period_start']} - {s['period_end']}"),
             escape(s["total_hours"]),
             f"<a class='pdf' href='/timesheets/{s['id']}.pdf'>PDF</a> <a class='csv' href='/timesheets/{s['id']}.csv'>CSV</a>"]
            for s in sheets]  # fmt: skip
    head = ["ID", "Employee", "Period", "Hours", "Files"]
    return page("Timesheets", table("timesheets", head, rows) + pager("/timesheets", number, pages))


def orders(found: list[dict[str, Any]], number: int, pages: int, reference: str) -> str:
    search = (f"<form id='search' method='get' action='/orders'>Reference <input name='reference' id='reference' "
              f"value='{escape(reference)}'> <input type='submit' value='Search'></form>")  # fmt: skip
    rows = [[f"<span class='confirmation'>{escape(o['confirmation'])}</span>", escape(o["reference"]),
             escape(o["order_number"]), escape(o["customer"]), escape(f"{o['total']} {o['currency']}"),
             f"<a class='pdf' href='/orders/{o['confirmation']}.pdf'>PDF</a> "
             f"<a class='csv' href='/orders/{o['confirmation']}.csv'>CSV</a>"] for o in found]  # fmt: skip
    head = ["Confirmation", "Reference", "Order no.", "Customer", "Total", "Files"]
    query = {"reference": reference} if reference else {}
    empty = "<p id='no-orders'>No orders found.</p>" if not found else ""
    return page("Orders", search + table("orders", head, rows) + empty + pager("/orders", number, pages, query))


def order_form(csrf: str, values: dict[str, str], errors: list[str]) -> str:
    problems = ""
    if errors:
        problems = "<ul class='errors' id='errors'>" + "".join(f"<li>{escape(e)}</li>" for e in errors) + "</ul>"

    def field(name: str, label: str) -> str:
        return (f"<tr><td><label for='{name}'>{label}</label></td>"
                f"<td><input name='{name}' id='{name}' value='{escape(values.get(name, ''))}'></td></tr>")  # fmt: skip

    chosen = values.get("currency", "EUR")
    options = "".join(f"<option{' selected' if c == chosen else ''}>{c}</option>" for c in CURRENCIES)
    return page("New order", f"""{problems}
<form id="order" method="post" action="/orders/new">
  <input type="hidden" name="csrf_token" value="{escape(csrf)}">
  <table>{field("reference", "Your reference")}{field("order_number", "Order number")}
  {field("customer", "Customer")}{field("delivery_date", "Delivery date (YYYY-MM-DD)")}{field("total", "Total")}
  <tr><td><label for="currency">Currency</label></td><td><select name="currency" id="currency">{options}</select></td></tr>
  </table>
  <input type="submit" id="submit" value="Save order">
</form>""")


def confirmation(order: dict[str, Any]) -> str:
    return page("Order saved", f"<p id='saved'>Order saved. Confirmation number: "
                               f"<b id='confirmation'>{escape(order['confirmation'])}</b></p>"
                               f"<p>Reference {escape(order['reference'])}</p><a href='/orders/new'>Another order</a>")


def server_error() -> str:
    return page("500 Internal Server Error", "<p>java.lang.NullPointerException at portal.OrderServlet</p>")
