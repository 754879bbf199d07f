"""Working through a list: an item opened from the exception queue links to the previous and
next item of that list, and retry, cancel and reject go on to the next one (back to the list
after the last); other actions stay on the item, in its list."""

from __future__ import annotations

import re
from urllib.parse import quote

from backoffice.queue.base import Status
from backoffice.web import flow
from tests.unit.web.conftest import sign_in

LISTING = "status=exception&sort=oldest&page=1&per_page=50"


def listed(ws) -> list[int]:
    return sorted(i.id for i in ws.store.list(status=Status.EXCEPTION))


def test_neighbours_follow_the_lists_order_and_pages(ws, monkeypatch):
    monkeypatch.setattr("backoffice.queue.finder.PER_PAGE", (2, 50))  # pages of two: a boundary in the demo
    ids = listed(ws)
    assert len(ids) >= 3
    middle = flow.neighbours(ws, ids[1], LISTING)
    assert middle.previous == flow.link(ids[0], LISTING) and middle.next == flow.link(ids[2], LISTING)
    assert flow.neighbours(ws, ids[0], LISTING).previous == "" and flow.neighbours(ws, ids[-1], LISTING).next == ""
    first, second = "status=exception&sort=oldest&page=1&per_page=2", "status=exception&sort=oldest&page=2&per_page=2"
    assert flow.neighbours(ws, ids[1], first).next == flow.link(ids[2], second)  # across a page boundary
    assert flow.neighbours(ws, ids[2], second).previous == flow.link(ids[1], first)
    assert flow.neighbours(ws, ids[0], "page=99999999") == flow.Neighbours("")  # not a list: no links
    assert flow.neighbours(ws, ids[0], "") == flow.Neighbours("")


def test_next_passes_over_the_items_someone_else_is_reviewing(ws):
    ids = listed(ws)
    assert len(ids) >= 3
    ws.store.hold(ids[1], "bob")
    assert flow.neighbours(ws, ids[0], LISTING, "alice").next == flow.link(ids[2], LISTING)
    assert flow.neighbours(ws, ids[0], LISTING, "bob").next == flow.link(ids[1], LISTING)  # his own
    assert flow.neighbours(ws, ids[1], LISTING, "alice").next == flow.link(ids[2], LISTING)  # the one open stays


def test_the_list_links_items_with_the_list_and_the_item_page_links_on(client, ws):
    sign_in(client, "alice")
    ids = listed(ws)
    page = client.get("/exceptions?status=exception&sort=oldest").text
    assert f'href="/items/{ids[0]}?list={quote(LISTING, safe="")}"' in page
    item = client.get(f"/items/{ids[1]}?list={quote(LISTING, safe='')}").text
    assert (
        f'rel="next" href="{flow.link(ids[2], LISTING)}"' in item
        and f'rel="prev" href="{flow.link(ids[0], LISTING)}"' in item
    )
    assert "Keys:" in item and f'name="list" value="{LISTING}"' in item.replace("&amp;", "&")


def test_retry_goes_on_to_the_next_item_and_the_last_goes_back_to_the_list(client, ws):
    csrf = sign_in(client, "alice")
    ids = listed(ws)
    done = client.post(f"/items/{ids[0]}/retry", data={"csrf": csrf, "list": LISTING})
    assert (
        done.status_code == 303 and done.headers["location"] == f"{flow.link(ids[1], LISTING)}&done=retry&from={ids[0]}"
    )
    page = client.get(done.headers["location"]).text
    assert f"Item #{ids[0]}: Sent back to the queue. This is the next item of your list." in page
    last = client.post(f"/items/{ids[-1]}/cancel", data={"csrf": csrf, "list": LISTING, "confirm": "1"})
    assert last.headers["location"] == f"/exceptions?{LISTING}&done=cancel&from={ids[-1]}"
    assert "That was the last item of this list" in client.get(last.headers["location"]).text


def test_other_actions_and_refusals_stay_on_the_item_in_its_list(client, ws):
    csrf = sign_in(client, "alice")
    item = listed(ws)[0]
    comment = client.post(f"/items/{item}/comment", data={"csrf": csrf, "list": LISTING, "text": "looking"})
    assert comment.headers["location"] == f"{flow.link(item, LISTING)}&done=comment"
    refused = client.post(f"/items/{item}/cancel", data={"csrf": csrf, "list": LISTING})  # not confirmed
    assert refused.status_code == 303 and refused.headers["location"] == flow.link(item, LISTING)
    no_list = client.post(f"/items/{item}/comment", data={"csrf": csrf, "text": "again"})
    assert no_list.headers["location"] == f"/items/{item}?done=comment"


def test_the_list_sorts_by_amount_and_shows_amounts_with_separators(client, ws):
    sign_in(client, "alice")
    page = client.get("/exceptions?status=all&sort=amount&per_page=200").text
    assert 'aria-sort="descending">Amount</a>' in page
    amounts = [float(a.replace(",", "")) for a in re.findall(r'<td class="num">([\d,]+\.\d\d)</td>', page)]
    assert amounts and amounts == sorted(amounts, reverse=True)
    assert any("," in a for a in re.findall(r'<td class="num">([\d,]+\.\d\d)</td>', page))  # thousands separated
    for sort in ("document-date", "number", "attempts", "assignee"):
        assert client.get(f"/exceptions?status=all&sort={sort}").status_code == 200
