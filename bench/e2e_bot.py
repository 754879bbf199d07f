"""The Python bot of ``bench/e2e.py --python``: the declarative bot's work (extract an invoice,
post it to the SQL target) written as a handler, to measure what the Python path costs."""

from __future__ import annotations

from backoffice.api import Item, bot


@bot
def post_invoice(item: Item) -> None:
    item.post("ledger", item.read(kind="invoice"))
