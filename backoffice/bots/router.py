"""The built-in router: a Python bot that hands each document to the bot for its kind.

    - name: mailroom
      kind: python
      handler: backoffice.bots.router:by_kind
      settings:
        routes: {invoice: invoices, credit_note: invoices, timesheet: payroll, order: orders}
      source: {kind: imap, ...}        # or a folder: any source

The document is read with the auto extractor (which tells invoice, credit note, timesheet and
order apart) and handed, file and document, to the bot its kind routes to: that bot does not
read the file again. A document of no known kind, or of a kind without a route, goes to the
exception queue with a reason naming the file. The router's item is done when the bot it handed
to has finished the document (the mail roll-up), so a mail's parent waits for all of it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backoffice.api import Item, bot


class Routes(BaseModel):
    """The router's ``settings:``."""

    model_config = ConfigDict(extra="forbid")
    routes: dict[str, str] = Field(
        min_length=1, description="Document kind (invoice, credit_note, timesheet, order) -> the bot that takes it."
    )
    kind: str = Field("auto", description="The extractor that reads the document (auto tells the kinds apart).")
    wait: bool = Field(True, description="Done only when the bot handed to has finished the document.")


@bot
def by_kind(item: Item, settings: Routes) -> None:
    """Read the item's document and hand it to the bot its kind routes to."""
    document = item.read(kind=settings.kind)
    to = settings.routes.get(document.kind)
    if to is None:
        what = document.kind.replace("_", " ")
        item.business_error(
            f"{item.file}: a document of kind {what}, which no bot takes (routes: {', '.join(settings.routes)})",
            field="kind",
            code="no-route",
        )
    item.hand_to(to, payload={"document": document.to_dict()}, wait=settings.wait)
