"""Python bots' handlers used by the tests (named in test deployments as ``tests.python_bots:NAME``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from backoffice.api import Item, bot


class CheckSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    target: str = Field(description="where a checked invoice is posted")
    max_total: int = Field(10_000, gt=0)


@bot
def check_invoice(item: Item, settings: CheckSettings) -> None:
    """Read an invoice, refuse one over the limit (a business error naming the field), post it."""
    document = item.read(kind="invoice")
    total = document.value("grand_total")
    if total is None or total > settings.max_total:
        raise item.business_error(f"{item.file}: total {total} is over {settings.max_total}", field="grand_total")
    item.save(checked_total=str(total))
    item.post(settings.target, {"number": document.value("invoice_number"), "total": total,
                                "due": document.value("due_date")})  # fmt: skip


@bot
def erp_down(item: Item) -> None:
    """A handler whose system is down: every attempt raises a plain exception."""
    item.note("calling the ERP")
    raise ConnectionError("ERP refused the connection")


@bot
def application_error(item: Item) -> None:
    item.application_error("ERP answered 503", code="erp-503")


@bot(settings=CheckSettings)
def post_document(item: Item, settings: CheckSettings) -> None:
    """Post the item's document as read (the slow target of the SIGKILL test)."""
    item.post(settings.target, item.read())


class HandSettings(BaseModel):
    to: str
    wait: bool = True


@bot
def hand_over(item: Item, settings: HandSettings) -> None:
    """Hand the item's file to another bot, and a second, new file as a child of its own."""
    item.hand_to(settings.to, wait=settings.wait)
    extra = Path(tempfile.mkdtemp()) / "note.txt"
    extra.write_text(f"a note about item {item.id}\n", encoding="utf-8")
    item.hand_to(settings.to, file=extra, payload={"document": {"kind": "invoice", "method": "test"}},
                 wait=settings.wait)  # fmt: skip


def not_a_handler(item: Item) -> None:
    """A plain function: bots.yaml may not name it as a handler."""
