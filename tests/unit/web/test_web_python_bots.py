"""The supervisor UI shows what a Python bot (the demo's mailroom) posted and handed over."""

from __future__ import annotations

from backoffice.queue.base import Status
from tests.unit.web.conftest import sign_in


def test_an_item_page_shows_what_the_handler_posted_and_links_the_items_it_handed_to(client, ws):
    sign_in(client, "alice")
    sorted_ = ws.store.list(status=Status.DONE, bot="mailroom")
    assert sorted_, "the demo's mailroom finished no item"
    item = sorted_[0]
    (child,) = [i for i in ws.store.list(bot="invoices", limit=1000) if i.parent_id == item.id]
    page = client.get(f"/items/{item.id}").text
    assert "Posted by the bot's handler" in page and "<td>mailroom-log</td>" in page
    assert f"file = {item.payload['file']}" in page and "handed_to = invoices" in page
    assert f'handed to <a href="/items/{child.id}">item #{child.id}</a>' in page
    child_page = client.get(f"/items/{child.id}").text
    assert f'handed over by <a href="/items/{item.id}">item #{item.id}</a>' in child_page
    shown = client.get(f"/items/{item.id}?format=json").json()
    assert shown["payload"]["posted"]["mailroom-log"]["fields"]["handed_to"] == "invoices"
