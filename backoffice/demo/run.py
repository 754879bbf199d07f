"""``backoffice demo``: the sample deployment over generated documents, in a fresh workspace.

The workspace receives a copy of bots.yaml (its ``workspace`` set to ``.``) and of the rule
files it names (without a bots.yaml, the package's sample deployment, as ``backoffice init`` writes it), so ``backoffice -c <workspace>/bots.yaml queue list`` works afterwards. Generated
invoices go into the first folder bot's inbox; a mixed pile (invoices, a timesheet, a note) into
the folder of the sample Python bot, the mailroom, when it is there. With ``portal`` (the default) the demo portal is
started on loopback and the portal bots run too: the timesheets are scraped from it and
generated orders (CSV and PDF) are typed into its order form; that needs a Chromium
(``backoffice.browser``).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from backoffice.bots import Runner, RunSummary
from backoffice.browser import why_no_browser
from backoffice.config import load_config
from backoffice.demo import invoices, orders
from backoffice.errors import BackofficeError, ConfigError
from backoffice.paths import inside
from backoffice.queue import Status, WorkItem, open_store

MARKER = ".backoffice-demo"
MAILROOM = "backoffice.samples.mailroom:mailroom"  # the sample Python bot: the demo gives it a mixed pile


@dataclass
class DemoResult:
    workspace: Path
    config: Path
    inbox: Path
    generated: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    pile: list = field(default_factory=list)  # the mixed documents dropped for the sample Python bot (mailroom)
    portal: str | None = None  # the demo portal's URL while the demo ran
    skipped: list[str] = field(default_factory=list)  # what the demo left out, and why
    summary: RunSummary | None = None
    counts: dict = field(default_factory=dict)
    exceptions: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "workspace": str(self.workspace),
            "config": str(self.config),
            "generated": len(self.generated),
            "orders": len(self.orders),
            "pile": len(self.pile),
            "portal": self.portal,
            "skipped": self.skipped,
            "run": self.summary.to_dict() if self.summary else None,
            "queue": self.counts,
            "exceptions": self.exceptions,
            "outputs": self.outputs,
        }


def fresh_workspace(path: Path) -> Path:
    path = path.resolve()
    if path.exists():
        if not (path / MARKER).exists() and any(path.iterdir()):
            raise BackofficeError(f"{path}: exists and is not a demo workspace; choose another --workspace")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("created by `backoffice demo`; recreated by the next demo run\n")
    return path


def copy_deployment(config_path: Path, workspace: Path) -> Path:
    """Copy bots.yaml (workspace: .) and the rule files it names (with their includes and
    master data) into the workspace."""
    source = load_config(config_path, check_paths=False)
    for bot in source.bots:
        if bot.rules:
            relative = Path(bot.rules)
            if relative.is_absolute() or ".." in relative.parts:
                continue
            for used in _rule_files(source.config_dir, relative):
                (workspace / used).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source.config_dir / used, workspace / used)
    text = Path(config_path).read_text(encoding="utf-8")
    text, replaced = re.subn(r"(?m)^workspace:.*$", "workspace: .", text)
    if not replaced:
        text = "workspace: .\n" + text
    copied = workspace / "bots.yaml"
    copied.write_text(text, encoding="utf-8")
    return copied


def _orders(inbox: Path, seed: int) -> list[Path]:
    """The generated sample orders a folder bot reads (CSV and PDF), in ``inbox``."""
    inbox.mkdir(parents=True, exist_ok=True)
    kept = []
    for order in orders.generate(inbox / ".generated", seed=seed):
        if order.path.suffix in (".csv", ".pdf"):
            kept.append(Path(shutil.move(order.path, inbox / order.path.name)))
    shutil.rmtree(inbox / ".generated")
    return kept


def _pile(folder: Path, seed: int) -> list[Path]:
    """A mixed pile for a Python bot that sorts documents (the sample mailroom): three correct
    invoices, a timesheet and a note that is no document, in ``folder``."""
    from backoffice.demo import timesheets

    made = folder / ".generated"
    bills = [g.path for g in invoices.generate(made, count=8, seed=seed + 1) if not g.mistake][:3]
    sheet = next(t.path for t in timesheets.generate(made, seed=seed, days=(5,)) if t.path.suffix == ".pdf")
    kept = [Path(shutil.move(path, folder / f"mailroom-{path.name}")) for path in [*bills, sheet]]
    note = folder / "mailroom-lunch-menu.txt"
    note.write_text("Monday: soup. Tuesday: pasta. Wednesday: fish.\n", encoding="utf-8")
    shutil.rmtree(made)
    return [*kept, note]


def _rule_files(base: Path, rules: Path) -> list[Path]:
    """The rule file and every file it reads that lives beside bots.yaml, relative to it."""
    from backoffice.rules import load_rules

    try:
        used = load_rules(base / rules).local_files()
    except ConfigError:  # copied as it is: the run reports the rule file's problems
        return [rules]
    root = base.resolve()
    return [p.resolve().relative_to(root) for p in used if p.resolve().is_relative_to(root)]


def run_demo(
    config_path: Path | None,
    workspace: Path,
    *,
    count: int = 24,
    seed: int = 7,
    on_item: Callable[[WorkItem], None] | None = None,
    portal: bool = True,
) -> DemoResult:
    workspace = fresh_workspace(workspace)
    if config_path is None:
        from backoffice.install import sample

        sample.write(workspace, sample.plan(list(sample.EXAMPLES), workspace="."))
        copied = workspace / "bots.yaml"
    else:
        copied = copy_deployment(config_path, workspace)
    skipped = []
    if portal and (reason := why_no_browser()):
        skipped.append(f"the portal bots: {reason}")
        portal = False
    with _demo_portal(workspace, portal) as url:
        result = _run(load_config(copied), count, seed, on_item)
    result.portal, result.skipped = url, skipped
    return result


PORTAL_USER = "clerk:clerk"  # the sample bots.yaml's default credentials


@contextmanager
def _demo_portal(workspace: Path, wanted: bool) -> Iterator[str | None]:
    """The demo portal on loopback, with the portal bots switched on, for the demo's run."""
    if not wanted:
        yield None
        return
    from backoffice.demo.portal import running_portal

    saved = {name: os.environ.get(name) for name in ("PORTAL_URL", "BACKOFFICE_PORTAL_ENABLED")}
    (workspace / "logs").mkdir(exist_ok=True)
    with running_portal(args=("--user", PORTAL_USER), log_path=workspace / "logs" / "demo-portal.log") as url:
        os.environ.update(PORTAL_URL=url, BACKOFFICE_PORTAL_ENABLED="true")
        try:
            yield url
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _run(config, count: int, seed: int, on_item: Callable[[WorkItem], None] | None) -> DemoResult:
    folder_bots = [b for b in config.bots if b.enabled and b.source.kind == "folder" and b.extractor != "order"]
    if not folder_bots:
        raise ConfigError(f"{config.path}: the demo needs an enabled bot with a folder source")
    inbox = inside(config.workspace_path, folder_bots[0].source.path)
    inbox.mkdir(parents=True, exist_ok=True)
    result = DemoResult(config.workspace_path, config.path, inbox)
    result.generated = invoices.generate(inbox, count=count, seed=seed)
    for bot in config.bots:  # orders for the bots that take order files (CSV, PDF) from a folder
        if bot.enabled and bot.source.kind == "folder" and bot.extractor == "order":
            result.orders += _orders(inside(config.workspace_path, bot.source.path), seed)
        elif bot.enabled and bot.handler == MAILROOM and bot.source.kind == "folder":
            result.pile += _pile(inside(config.workspace_path, bot.source.path), seed)
    written = time.time() - 60  # finished files: older than any settle time
    for path in [g.path for g in result.generated] + result.orders + result.pile:
        os.utime(path, (written, written))
    store = open_store(config.queue_url)
    runner = Runner(config, store)
    try:
        result.summary = runner.run_once(on_item=on_item)
    finally:
        runner.close()
    result.counts = store.counts()
    result.exceptions = [
        {"id": i.id, "file": i.payload.get("file", ""), "reason": i.reason or "", "code": i.error_code}
        for i in reversed(store.list(status=Status.EXCEPTION, limit=10_000))
    ]
    for bot in config.bots:
        if not bot.enabled:
            continue
        for target in bot.targets:  # the outputs a person can open: files and SQLite databases
            url = getattr(target, "url", None) or ""
            where = getattr(target, "path", None) or (url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None)
            if where and f"{target.kind}: {inside(config.workspace_path, where)}" not in result.outputs:
                result.outputs.append(f"{target.kind}: {inside(config.workspace_path, where)}")
    store.close()
    return result
