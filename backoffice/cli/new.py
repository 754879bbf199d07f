"""``backoffice new bot``: start a Python bot in the deployment."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from backoffice.commandline import JsonOption, STATE, emit_json, out, refusals

new_app = typer.Typer(help="Start something new in the deployment: `backoffice new bot NAME`.", no_args_is_help=True)


@new_app.command("bot")
def bot(
    name: Annotated[str, typer.Argument(help="The new bot's name (letters, digits, - and _); its module is NAME.py.")],
    as_json: JsonOption = False,
) -> None:
    """Write a Python bot: NAME.py beside bots.yaml, its test tests/test_NAME.py, and its bots.yaml entry.

    The module's handler reads an invoice, checks it (number, totals, a limit from its
    settings) and posts it to the target `out` (a JSON-lines file); make it yours. The test
    runs the bot as `backoffice dev run` does, on generated invoices: run it with `pytest tests/`.
    The entry is added after the last bot of bots.yaml, keeping the file's comments, with
    `enabled: false` until you switch it on.

    Refused, writing nothing: a name bots.yaml already has, a name that is a Python module
    already, or a file that exists (nothing is ever overwritten).
    """
    from backoffice.bots.scaffold import new_bot

    with refusals():
        written = new_bot(STATE["config"], name)
    if as_json:
        emit_json(
            {
                "bot": written.name,
                "module": written.module,
                "test": written.test,
                "config": written.config,
                "handler": written.handler,
            }
        )
        return
    for what, path in (("module", written.module), ("test", written.test), ("entry", written.config)):
        out.print(f"wrote {what:<7} {escape(str(path))}", highlight=False, soft_wrap=True)
    out.print(f"try it: backoffice dev run {written.name} --file invoice.pdf", highlight=False)
