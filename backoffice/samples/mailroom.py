"""The sample Python bot: a mailroom that sorts a pile of documents and hands each to its bot.

Everything a Python bot uses is here (README "Bots in Python"):

- its ``settings:`` in bots.yaml, checked by :class:`Settings` when bots.yaml is read;
- ``item.read(kind="auto")``: the document, whatever its kind (kept in the item's payload);
- ``item.business_error(...)``: a document no bot takes goes to the exception queue, its reason
  naming the file and its field the one at fault;
- ``item.post(...)``: a line in the mailroom's log, through the effect ledger (at most once);
- ``item.hand_to(...)``: a new item in the bot for the document's kind, with the document
  already read, so that bot does not read the file again.

In bots.yaml::

    - name: mailroom
      kind: python
      handler: backoffice.samples.mailroom:mailroom
      settings: {routes: {invoice: invoices, credit_note: invoices}}
      source: {kind: folder, path: mailroom, create: true}
      targets: [{kind: files, name: mailroom-log, path: out/mailroom.csv}]
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backoffice.api import Item, bot


class Settings(BaseModel):
    """The mailroom's ``settings:``."""

    model_config = ConfigDict(extra="forbid")
    routes: dict[str, str] = Field(
        min_length=1, description="Document kind (invoice, credit_note, timesheet, order) -> the bot that takes it."
    )
    log: str = Field("mailroom-log", description="The target (its name in bots.yaml) that logs each hand-over.")
    wait: bool = Field(
        False, description="Keep each item open until the bot it went to has finished it (the mail roll-up)."
    )


NUMBERS = {"invoice": "invoice_number", "credit_note": "invoice_number", "order": "order_number"}


@bot
def mailroom(item: Item, settings: Settings) -> None:
    """Read the document, check it names itself, log it and hand it to the bot for its kind."""
    document = item.read(kind="auto")
    to = settings.routes.get(document.kind)
    if to is None:
        item.business_error(
            f"{item.file}: a {document.kind.replace('_', ' ')}, which this mailroom does not take "
            f"(it takes {', '.join(sorted(settings.routes))})",
            field="kind",
            code="no-route",
        )
    number = NUMBERS.get(document.kind)
    if number is not None and document.value(number) is None:
        item.business_error(f"{item.file}: no {number.replace('_', ' ')} found", field=number, code="no-number")
    item.post(
        settings.log,
        {
            "file": item.file,
            "kind": document.kind,
            "number": document.value(number) if number else None,
            "sender": document.value("seller_name"),
            "handed_to": to,
        },
    )
    item.hand_to(to, payload={"document": document.to_dict()}, wait=settings.wait)
