"""``backoffice new bot NAME``: a Python bot's module, its test and its bots.yaml entry.

The module (``NAME.py`` beside bots.yaml, where :func:`backoffice.api.load_handler` finds it)
holds a handler that reads an invoice, checks it and posts it; the test (``tests/test_NAME.py``)
runs the bot as ``backoffice dev run`` does (:mod:`backoffice.bots.devrun`) on invoices the
demo's generator writes. The entry is inserted as text after the last bot of bots.yaml's
``bots:`` list, so the file keeps its comments, order and layout; the new file is validated
before it replaces the old one, and nothing is written when any step is refused.
"""

from __future__ import annotations

import importlib.util
import keyword
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from backoffice.config import load_config
from backoffice.errors import BackofficeError, ConfigError
from backoffice.yamlfile import check_nodes

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class NewBot:
    """What :func:`new_bot` wrote."""

    name: str
    module: Path
    test: Path
    config: Path
    handler: str


def module_name(name: str) -> str:
    """The Python module of bot ``name``: lower case, ``-`` as ``_``."""
    return name.lower().replace("-", "_")


def new_bot(config_path: Path, name: str) -> NewBot:
    """Write bot ``name``'s module and test beside ``config_path`` and add it to that bots.yaml.
    Raises BackofficeError (ConfigError for the file) saying what is refused, having written nothing."""
    if not NAME.match(name):
        raise BackofficeError(f"{name!r}: a bot name starts with a letter and has letters, digits, - and _ only")
    module = module_name(name)
    text = config_path.read_text(encoding="utf-8")
    config = load_config(config_path, check_paths=False)
    if any(bot.name == name for bot in config.bots):
        raise BackofficeError(f"{config_path}: a bot named {name} already exists; choose another name")
    folder = config_path.parent
    test = folder / "tests" / f"test_{module}.py"
    written = NewBot(name, folder / f"{module}.py", test, config_path, f"{module}:handle")
    for path in (written.module, written.test):
        if path.exists():
            raise BackofficeError(f"{path} exists; it is never overwritten: move it away or choose another name")
    if keyword.iskeyword(module) or importlib.util.find_spec(module) is not None:
        raise BackofficeError(
            f"{name}: {module} is a Python keyword or an installed module, which the bot's module "
            f"{written.module.name} would not be imported in place of: choose another name"
        )
    new_text = insert_bot(text, config_path, entry(name, written.handler))
    staged = config_path.with_name(f".{config_path.name}.new")
    written.test.parent.mkdir(exist_ok=True)
    created = []
    try:
        for path, content in ((written.module, MODULE), (written.test, TEST)):
            path.write_text(content.replace("{name}", name).replace("{module}", module), encoding="utf-8")
            created.append(path)
        staged.write_text(new_text, encoding="utf-8")
        load_config(staged, check_paths=False)  # the bots.yaml as it will be, with the module in place
        os.replace(staged, config_path)
    except BaseException:
        for path in (*created, staged):
            path.unlink(missing_ok=True)
        raise
    return written


def insert_bot(text: str, path: Path, block: str) -> str:
    """``text`` (bots.yaml) with ``block`` (one ``- name: ...`` item, indented from column 0)
    added after the last item of its ``bots:`` list, at that list's indentation."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not YAML: {exc}") from None
    check_nodes(root, path)
    bots = None
    if isinstance(root, yaml.MappingNode):
        bots = next((value for key, value in root.value if key.value == "bots"), None)
    if not isinstance(bots, yaml.SequenceNode) or bots.flow_style or not bots.value:
        line = bots.start_mark.line + 1 if bots is not None else 1
        raise ConfigError(f"{path}:{line}: bots: must be a list of bots written one '- name: ...' per item")
    lines = text.splitlines(keepends=True)
    first = bots.value[0].start_mark
    dash = lines[first.line].rfind("-", 0, first.column)
    indent = " " * max(dash, 0)
    after = _last_line(bots.value[-1]) + 1
    if after > 0 and not lines[after - 1].endswith("\n"):
        lines[after - 1] += "\n"
    added = ["\n", *(f"{indent}{line}\n" if line else "\n" for line in block.splitlines())]
    return "".join(lines[:after] + added + lines[after:])


def _last_line(node: yaml.Node) -> int:
    """The index of the last line that holds a value of ``node`` (not the comments after it)."""
    if isinstance(node, yaml.MappingNode):
        return max(_last_line(part) for pair in node.value for part in pair)
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return max(_last_line(child) for child in node.value)
    end = node.end_mark
    return end.line if end.column > 0 else end.line - 1


def entry(name: str, handler: str) -> str:
    """The bots.yaml item of a new Python bot."""
    return f"""# {name}: a Python bot, written by `backoffice new bot {name}`: its handler is {handler.split(":")[0]}.py
# beside this file, its test tests/test_{handler.split(":")[0]}.py. Try it on one file, posting nothing:
#   backoffice dev run {name} --file invoice.pdf
# then set enabled: true (or run it by name: backoffice run {name}).
- name: {name}
  description: Invoices checked by Python code ({handler.split(":")[0]}.py) and written to out/{name}.jsonl.
  enabled: false
  kind: python
  handler: {handler}
  settings: {{max_total: 10000}}
  source: {{kind: folder, path: {name}-inbox, create: true, patterns: ["*.pdf"]}}
  extractor: invoice
  targets:
    - {{kind: files, name: out, path: out/{name}.jsonl}}
  retry:
    max_attempts: 5
    backoff_seconds: 30
"""


MODULE = '''"""The {name} bot: reads an invoice, checks it, posts it to the target named ``out``.

Written by ``backoffice new bot {name}``; make it yours. bots.yaml names the handler
(``handler: {module}:handle``) and gives its settings (``settings:``), which the ``Settings``
model below checks when bots.yaml is read. How the item ends:

- ``handle`` returns: the item is done;
- ``item.business_error(...)``: the data is wrong, the item goes to the exception queue for a
  person (never retried);
- anything else raised (``item.application_error(...)``, a ``ConnectionError``): the item is
  retried with the bot's backoff.

``item.post`` goes through the effect ledger: a retry never posts twice. Try the bot on one file
with ``backoffice dev run {name} --file invoice.pdf`` (nothing is posted unless ``--post``).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from backoffice.api import Item, bot


class Settings(BaseModel):
    """The bot's ``settings:`` in bots.yaml."""

    model_config = ConfigDict(extra="forbid")
    max_total: Decimal = Field(Decimal(10_000), gt=0, description="A larger total goes to a person.")


@bot
def handle(item: Item, settings: Settings) -> None:
    """Check one invoice and post it."""
    document = item.read(kind="invoice")
    if document.value("invoice_number") is None:
        item.business_error(f"{item.file}: no invoice number found", field="invoice_number")
    net, tax, total = document.value("net_total"), document.value("tax_total"), document.value("grand_total")
    if total is None:
        item.business_error(f"{item.file}: no total found", field="grand_total")
    if net is not None and tax is not None and net + tax != total:
        item.business_error(f"net {net} + tax {tax} is not the total {total}", field="grand_total")
    if total > settings.max_total:
        item.business_error(f"total {total} is above {settings.max_total}: a person checks it", field="grand_total")
    item.save(checked_total=str(total))
    item.post("out", document)
'''


TEST = '''"""Tests of the {name} bot (written by ``backoffice new bot {name}``). Each runs one invoice
through the bot as ``backoffice dev run`` does: the bots.yaml above this folder, the real runner,
a fresh SQLite queue in a scratch folder, and targets that post nothing. Run: pytest tests/
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice.bots.devrun import dev_run
from backoffice.config import load_config
from backoffice.demo.invoices import generate

CONFIG = Path(__file__).resolve().parent.parent / "bots.yaml"
BOT = "{name}"


@pytest.fixture(scope="module")
def invoices(tmp_path_factory):
    """Sample invoices by their deliberate mistake: "none", "totals" (net + tax is not the total)."""
    found = {}
    for invoice in generate(tmp_path_factory.mktemp("invoices"), count=6, seed=7):
        found.setdefault(invoice.mistake or "none", []).append(invoice)
    return found


def test_a_good_invoice_is_checked_and_posted(invoices, tmp_path):
    invoice = invoices["none"][0]
    run = dev_run(load_config(CONFIG), BOT, invoice.path, tmp_path / "scratch")
    assert run.done, run.item.reason
    assert run.item.payload["saved"] == {"checked_total": invoice.expected["grand_total"]}
    [post] = [stage for stage in run.stages if stage.name == "post"]
    assert post.detail["target"] == "out" and post.detail["dry_run"]
    assert post.detail["values"]["invoice_number"] == invoice.expected["invoice_number"]


def test_totals_that_do_not_add_up_go_to_a_person(invoices, tmp_path):
    invoice = invoices["totals"][0]
    run = dev_run(load_config(CONFIG), BOT, invoice.path, tmp_path / "scratch")
    assert run.item.status == "exception" and "is not the total" in run.item.reason
    assert not [stage for stage in run.stages if stage.name == "post"]
'''
