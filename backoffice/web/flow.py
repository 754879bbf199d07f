"""Working through a list: the item page opened from the exception queue carries the list's
query string (``?list=status%3Dexception%26sort%3Doldest``), so the page links to the previous
and next item of that list and, after an action that finishes an item (retry, cancel, reject),
the supervisor lands on the next one."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode

from backoffice.web import lists
from backoffice.web.context import Workspace
from backoffice.web.query import BadQuery, ItemFilter

MOVES_ON = ("retry", "cancel", "reject", "review", "leave")  # actions after which the supervisor moves on
DEFAULT_LIST = "status=exception&sort=oldest"  # where "Confirm and next" goes when the page came from no list
MAX_LIST = 1000  # characters of a list's query string carried along


@dataclass(frozen=True)
class Neighbours:
    listing: str  # the list's query string ("" when the page was not opened from a list)
    previous: str = ""  # links to the previous and next item, with their list
    next: str = ""

    @property
    def back(self) -> str:
        return f"/exceptions?{self.listing}" if self.listing else "/exceptions"


def link(item_id: int, listing: str) -> str:
    return f"/items/{item_id}" + (f"?list={quote(listing, safe='')}" if listing else "")


def _filter(listing: str) -> ItemFilter | None:
    if not listing or len(listing) > MAX_LIST:
        return None
    try:
        return ItemFilter.from_query(dict(parse_qsl(listing)))
    except BadQuery:
        return None


def normal(listing: str) -> str:
    """The list's query string as the list writes it ("" when it is not one)."""
    wanted = _filter(listing)
    return urlencode(wanted.query()) if wanted else ""


def neighbours(ws: Workspace, item_id: int, listing: str, me: str = "") -> Neighbours:
    """The items before and after ``item_id`` in the list ``listing`` shows (across its pages).
    With ``me``, the items someone else is reviewing now are passed over (see ``Store.hold``)."""
    wanted = _filter(listing)
    if wanted is None:
        return Neighbours("")
    listing = urlencode(wanted.query())
    found = lists.find(ws, wanted)
    others = {i for i, who in ws.store.holders().items() if who != me} if me else set()
    ids = [i.id for i in found.items if i.id == item_id or i.id not in others]
    if item_id not in ids:
        return Neighbours(listing, "", link(ids[0], listing) if ids else "")
    at = ids.index(item_id)
    previous = next_ = ""
    if at > 0:
        previous = link(ids[at - 1], listing)
    elif wanted.page > 1:
        before = ItemFilter.from_query(wanted.query(page=wanted.page - 1))
        items = lists.find(ws, before).items
        previous = link(items[-1].id, urlencode(before.query())) if items else ""
    if at + 1 < len(ids):
        next_ = link(ids[at + 1], listing)
    elif wanted.page < found.pages:
        after = ItemFilter.from_query(wanted.query(page=wanted.page + 1))
        items = [i for i in lists.find(ws, after).items if i.id not in others]
        next_ = link(items[0].id, urlencode(after.query())) if items else ""
    return Neighbours(listing, previous, next_)
