"""The ``backoffice`` command: parse -> config -> library call. The only place that sets up logging."""

from __future__ import annotations

import getpass
import json
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.logging import RichHandler

from backoffice import __version__
from backoffice.cli_install import doctor as doctor_command
from backoffice.cli_install import init as init_command
from backoffice.cli_learning import extract_as_bot, layouts_app, queue_correct
from backoffice.cli_rules import rules_app
from backoffice.web.commands import ui as ui_command
from backoffice.web.commands import users_app
from backoffice.errors import BackofficeError, ConfigError
from backoffice.logs.redact import RedactFilter, redact
from backoffice.queue.base import Status

if TYPE_CHECKING:
    from backoffice.documents.models import Document

app = typer.Typer(
    name="backoffice",
    help="Bots that read inboxes, PDFs and portals, apply rule files and post to target systems, "
    "with a work queue that tracks every item. Start with `backoffice demo`.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
queue_app = typer.Typer(help="Inspect the work queue and act on items (list, show, retry, cancel).", no_args_is_help=True)
app.add_typer(queue_app, name="queue")
app.add_typer(rules_app, name="rules")
app.add_typer(users_app, name="users")
app.add_typer(layouts_app, name="layouts")
queue_app.command("correct")(queue_correct)
app.command("ui")(ui_command)
app.command("init")(init_command)
app.command("doctor")(doctor_command)

out = Console()
err = Console(stderr=True)
# Problems are printed whole on one line each, so that scripts and editors can read file:line.
ERR_LINE: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
STATE: dict = {"config": Path("bots.yaml"), "config_given": False}

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="BACKOFFICE_CONFIG", help="The deployment file.", show_default=True),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = RichHandler(console=err, show_path=False, rich_tracebacks=False, markup=False)
    handler.addFilter(RedactFilter())
    logger = logging.getLogger("backoffice")
    logger.handlers[:] = [handler]
    logger.setLevel(min(level, logging.INFO))
    handler.setLevel(level)


@app.callback()
def main_options(
    ctx: typer.Context,
    config: ConfigOption = Path("bots.yaml"),
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output (-vv for debug).")] = 0,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        out.print(__version__)
        raise typer.Exit()
    STATE["config"] = config
    STATE["config_given"] = getattr(ctx.get_parameter_source("config"), "name", "") != "DEFAULT"
    _setup_logging(verbose)


def _config(check_paths: bool = True):
    from backoffice.config import load_config

    return load_config(STATE["config"], check_paths=check_paths)


def _store(config, *, existing: bool = False):
    """The queue; ``existing`` refuses to create one (a mistyped workspace must not look empty)."""
    from backoffice.queue import open_store

    url = config.queue_url
    if existing and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise BackofficeError(f"no queue at {url.removeprefix('sqlite:///')}: check the workspace in {config.path}")
    return open_store(url)


def _emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# -- run ---------------------------------------------------------------------------------------
@app.command()
def run(
    bots: Annotated[Optional[list[str]], typer.Argument(help="Bots to run (default: every enabled bot).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Collect once, process what is due, then exit.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run the bots: collect new work from their sources and process queued items.

    Without --once the runner keeps polling until SIGINT or SIGTERM: the first signal stops
    claiming after the current item, a second releases the current item back to the queue.
    """
    from backoffice.bots import Interrupted, Runner
    from backoffice.report import progress_bar, print_summary

    config = _config()
    store = _store(config)
    runner = Runner(config, store, bots=bots or None)
    _install_signal_handlers(runner, Interrupted)
    try:
        if once:
            with progress_bar(err, store, enabled=not as_json) as advance:
                summary = runner.run_once(on_item=advance)
        else:
            from backoffice.bots.service import Service

            service = Service(runner)
            _start_metrics(config, store, runner)
            err.print(f"runner [bold]{runner.owner}[/] running {', '.join(runner.bots) or 'no bots'}; Ctrl-C stops")
            summary = service.serve()
    except Interrupted:
        err.print("[yellow]interrupted: the current item was released back to the queue[/]")
        raise typer.Exit(130) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)  # the shutdown deadline is moot once the item is done
        runner.close()
    if as_json:
        _emit_json({**summary.to_dict(), "queue": store.counts()})
    else:
        print_summary(out, summary, store.counts())
    store.close()


def _install_signal_handlers(runner, interrupted: type[BaseException]) -> None:
    """The first SIGINT/SIGTERM stops claiming and gives the current item
    ``runner.shutdown_seconds`` to finish (SIGALRM then releases it); a second releases it now."""
    deadline = runner.config.runner.shutdown_seconds

    def on_signal(signum, frame):
        if runner.stopping or signum == signal.SIGALRM:
            raise interrupted()
        err.print(f"[yellow]{signal.Signals(signum).name}: finishing the current item (at most {deadline:g} s), "
                  "then stopping (again to stop now)[/]")  # fmt: skip
        runner.request_stop()
        if deadline > 0:
            signal.setitimer(signal.ITIMER_REAL, deadline)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)


def _start_metrics(config, store, runner) -> None:
    if config.runner.metrics_port is None:
        return
    from backoffice.metrics import serve_metrics

    port = serve_metrics(store, config.runner.metrics_host, config.runner.metrics_port, runner=runner)
    err.print(f"metrics on http://{config.runner.metrics_host}:{port}/metrics")


# -- check and schema ---------------------------------------------------------------------------
@app.command()
def check(as_json: JsonOption = False) -> None:
    """Validate bots.yaml and every rule file it names; exit 1 on any problem.

    Rule files are checked with their includes and master data (PostgreSQL sources are
    connected to): syntax, unknown fields, columns and lookups, conditions never true.
    """
    from backoffice.rules import load_rules

    problems: list[str] = []
    checked: list[str] = []
    warnings: list[str] = []
    routed: list[tuple[str, str]] = []  # (role, where a rule routes approvals to it)
    try:
        config = _config()
        checked.append(str(config.path))
        for bot in config.bots:
            rules_path = config.rules_path(bot)
            if rules_path and str(rules_path) not in checked:  # bots may share a rule file
                checked.append(str(rules_path))
                try:
                    ruleset = load_rules(rules_path, probe=True)
                    kind = ruleset.kind
                    routed += [(r.route.role, f"{rules_path}: rule {r.id}") for r in ruleset.rules
                               if r.route is not None and r.route.to == "approval" and r.route.role]
                except ConfigError as exc:
                    problems += exc.problems
                    continue
                if bot.extractor not in ("auto", kind) and {bot.extractor, kind} != {"invoice", "credit_note"}:
                    problems.append(f"{config.path}: bots[{config.bots.index(bot)}].rules: {rules_path.name} has "
                                    f"rules for {kind} documents, the bot extracts {bot.extractor}")  # fmt: skip
        warnings += _role_warnings(config, routed)
    except ConfigError as exc:
        problems += exc.problems
    if as_json:
        _emit_json({"ok": not problems, "checked": checked, "problems": problems, "warnings": warnings})
    else:
        for warning in warnings:
            err.print(f"warning: {warning}", **ERR_LINE)
        for problem in problems:
            err.print(problem, **ERR_LINE)
        if not problems:
            out.print(f"[green]ok[/] {', '.join(checked)}")
    if problems:
        raise typer.Exit(1)


def _role_warnings(config, routed: list[tuple[str, str]]) -> list[str]:
    """Roles that rule files route approvals to and no user of the UI holds (none said when
    the deployment has no SQLite queue yet)."""
    url = config.queue_url
    if not routed or not url.startswith("sqlite:///") or not Path(url.removeprefix("sqlite:///")).exists():
        return []
    from backoffice.web.users import SQLiteUsers

    users = SQLiteUsers(url.removeprefix("sqlite:///"))
    try:
        held = {role for user in users.list() for role in user.roles}
    finally:
        users.close()
    return [f"{where}: routes approvals to {role}, and no user holds that role "
            f"(backoffice users add NAME --approves {role})" for role, where in routed if role not in held]


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of bots.yaml, for editors (e.g. yaml-language-server)."""
    from backoffice.config import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


# -- extract -----------------------------------------------------------------------------------
@app.command()
def extract(
    files: Annotated[list[Path], typer.Argument(help="Files to read: PDF, scan image, XML e-invoice, CSV/XLSX, e-mail, HTML or text.", exists=False)],
    kind: Annotated[str, typer.Option(help="Document kind: auto, invoice, timesheet or order.")] = "auto",
    ignore_embedded: Annotated[bool, typer.Option("--ignore-embedded", help="Read the printed pages even when a PDF embeds an e-invoice (Factur-X, ZUGFeRD, XRechnung, Order-X).")] = False,
    templates: Annotated[Optional[Path], typer.Option(help="A folder of templates (invoice2data YAML/JSON format) to try first.")] = None,
    bot: Annotated[Optional[str], typer.Option("--bot", help="Read as this bot of bots.yaml would: its kind, templates and learned layouts.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Read documents and print their fields with page, box, confidence and method."""
    if bot is not None:
        return extract_as_bot(bot, files, as_json)
    from backoffice import documents
    from backoffice.documents.templates import load_templates

    loaded = load_templates(templates) if templates else None

    def read(path: Path) -> list[tuple[Document, dict[str, Any]]]:
        found = documents.extract_all(path, kind=kind, ignore_embedded=ignore_embedded, templates=loaded)
        return [(document, {}) for document in found]

    read_each(files, read, as_json)


def read_each(files: list[Path], read: Callable[[Path], list[tuple[Document, dict[str, Any]]]], as_json: bool) -> None:
    """Read every file with ``read`` (its Documents, each with further JSON keys) and print each
    Document, or answer one JSON for all; a file that cannot be read is said, and exits 1."""
    from backoffice.report import print_document

    results, failed = [], False
    for path in files:
        try:
            if not path.is_file():
                raise BackofficeError(f"{path}: no such file")
            for document, extra in read(path):
                results.append({"file": str(path), **document.to_dict(), **extra})
                if not as_json:
                    print_document(out, path, document)
        except (BackofficeError, ValueError) as exc:
            failed = True
            code = getattr(exc, "code", "error")
            results.append({"file": str(path), "error": str(exc), "code": code})
            if not as_json:
                err.print(str(exc), **ERR_LINE)
    if as_json:
        _emit_json(results[0] if len(results) == 1 else results)
    if failed:
        raise typer.Exit(1)


# -- queue -------------------------------------------------------------------------------------
@queue_app.command("list")
def queue_list(
    status: Annotated[Optional[Status], typer.Option(help="Only items in this status.")] = None,
    bot: Annotated[Optional[str], typer.Option(help="Only items of this bot.")] = None,
    limit: Annotated[int, typer.Option(help="How many items.")] = 50,
    offset: Annotated[int, typer.Option(help="Skip this many items.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """List items, newest first (e.g. --status exception for the exception queue)."""
    from backoffice.report import print_items

    store = _store(_config(check_paths=False), existing=True)
    items = store.list(status=status, bot=bot, limit=limit, offset=offset)
    if as_json:
        _emit_json([i.to_dict() for i in items])
    else:
        print_items(out, items)


@queue_app.command("show")
def queue_show(
    item_id: Annotated[int, typer.Argument(help="The item id.")],
    as_json: JsonOption = False,
) -> None:
    """Show one item: status, reason, extracted fields, rule verdicts and its journal."""
    from backoffice.report import print_item

    store = _store(_config(check_paths=False), existing=True)
    item = store.get(item_id)
    journal = store.journal(item_id)
    if as_json:
        _emit_json({**item.to_dict(), "journal": [e.to_dict() for e in journal]})
    else:
        print_item(out, item, journal)


def _act(action: str, ids: list[int], why: str, actor: str | None, as_json: bool) -> None:
    from backoffice.rules import approvals

    config = _config(check_paths=False)
    store = _store(config, existing=True)
    actor = actor or getpass.getuser()
    results = []
    for item_id in ids:
        try:
            if action == "retry":  # the same four-eyes rule as the UI (the runner would refuse to post it)
                approvals.refuse_retry(store.get(item_id), approvals.Policy.of(config))
            item = getattr(store, action)(item_id, actor=actor, why=why)
            results.append({"id": item.id, "status": item.status.value})
            if not as_json:
                out.print(f"item {item.id}: {item.status.value}")
        except BackofficeError as exc:
            results.append({"id": item_id, "error": str(exc)})
            if not as_json:
                err.print(str(exc), **ERR_LINE)
    if as_json:
        _emit_json(results)
    if any("error" in r for r in results):
        raise typer.Exit(1)


WhyOption = Annotated[str, typer.Option("--why", help="Why; kept in the item's journal.")]
ActorOption = Annotated[Optional[str], typer.Option("--as", help="Who acts (default: your user name).")]


@queue_app.command("retry")
def queue_retry(
    ids: Annotated[list[int], typer.Argument(help="Item ids.")],
    why: WhyOption = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send items back to pending, due now, with fresh attempts (from exception, retrying or cancelled)."""
    _act("retry", ids, why, actor, as_json)


@queue_app.command("cancel")
def queue_cancel(
    ids: Annotated[list[int], typer.Argument(help="Item ids.")],
    why: WhyOption = "",
    actor: ActorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel items so no runner takes them (from pending, retrying or exception)."""
    _act("cancel", ids, why, actor, as_json)


# -- status ------------------------------------------------------------------------------------
@app.command()
def status(as_json: JsonOption = False) -> None:
    """Show the runners sharing the queue, the schedule leader, each bot's last and next run
    (and why it did not run), and the queue depth by status."""
    from backoffice.bots.status import status_report

    config = _config(check_paths=False)
    store = _store(config, existing=True)
    try:
        report = status_report(config, store)
    finally:
        store.close()
    if as_json:
        _emit_json(report)
        return
    leader = report["leader"]
    out.print(f"leader: {leader['runner'] + ' since ' + leader['since'] if leader else '[yellow]none[/]'}")
    for runner in report["runners"]:
        doing = f"item {runner['item']}" if runner["item"] else "idle"
        out.print(f"runner {runner['name']} ({runner['host']}, pid {runner['pid']}): {runner['state']}, {doing}, "
                  f"seen {runner['seen']}")  # fmt: skip
    for bot in report["bots"]:
        if not bot["enabled"]:
            out.print(f"bot {bot['bot']}: disabled")
            continue
        last = bot["last_run"]
        last_text = f"{last['started']} {last['outcome']}" if last else "never"
        out.print(f"bot {bot['bot']} ({bot['schedule']}, {bot['timezone']}): last run {last_text}, "
                  f"next run {bot['next_run']}", **ERR_LINE)  # fmt: skip
        if bot.get("source_down"):
            out.print(f"  source down since {bot['source_down']['since']}: {bot['source_down']['reason']}", **ERR_LINE)
        for reason in bot["not_run"]:
            out.print(f"  not run: {reason}", **ERR_LINE)
    for bot, counts in sorted(report["queue"].items()):
        out.print(f"queue {bot}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


# -- demo --------------------------------------------------------------------------------------
@app.command()
def demo(
    workspace: Annotated[Path, typer.Option(help="A fresh workspace for the demo (recreated).")] = Path("backoffice-demo"),
    count: Annotated[int, typer.Option(min=1, max=10_000, help="How many sample invoices.")] = 24,
    seed: Annotated[int, typer.Option(help="Seed of the sample generator.")] = 7,
    portal: Annotated[
        bool, typer.Option(help="Start the demo portal and run the portal bots too (needs a Chromium).")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Generate sample invoices (some with mistakes), run the sample bots over them, show the queue.

    Uses bots.yaml (see --config) with its workspace replaced by --workspace; without a bots.yaml
    here, the sample deployment of the package (what `backoffice init` writes). With --portal (the
    default) the demo portal runs on loopback meanwhile: the timesheet bot scrapes it and the
    order bot types generated orders into its form.
    """
    from backoffice.demo.run import run_demo
    from backoffice.report import print_demo, progress_bar

    config = STATE["config"]
    if not STATE["config_given"] and not Path(config).exists():
        config = None  # the packaged sample

    with progress_bar(err, None, enabled=not as_json, total=None if portal else count) as advance:
        result = run_demo(config, workspace, count=count, seed=seed, on_item=advance, portal=portal)
    if as_json:
        _emit_json(result.to_dict())
    else:
        print_demo(out, result)


def main() -> None:
    try:
        app()
    except ConfigError as exc:
        for problem in exc.problems:
            err.print(redact(problem), **ERR_LINE)
        sys.exit(2)
    except BackofficeError as exc:
        err.print(redact(str(exc)), **ERR_LINE)
        sys.exit(1)
    except Exception as exc:  # a bug or an unforeseen failure: say what, never a secret
        logging.getLogger("backoffice.cli").debug("unexpected error", exc_info=True)
        err.print(redact(f"error: {type(exc).__name__}: {exc} (run with -vv for the traceback)"), **ERR_LINE)
        sys.exit(1)
