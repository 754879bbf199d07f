"""The ``backoffice`` command: parse -> config -> library call. The only place that sets up logging.

Each module of this package holds a few commands; they share the helpers of
:mod:`backoffice.commandline` (consoles, global options, the deployment and its queue) and
nothing of each other's. This module puts them together in the order ``--help`` lists them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler

from backoffice import __version__
from backoffice.cli import check, demo, dev, extract, install, learning, new, queue, rules, run, status
from backoffice.commandline import ERR_LINE, STATE, err, out
from backoffice.errors import BackofficeError, ConfigError
from backoffice.logs.redact import RedactFilter, redact
from backoffice.web import commands as web_commands

app = typer.Typer(
    name="backoffice",
    help="Bots that read inboxes, PDFs and portals, apply rule files and post to target systems, "
    "with a work queue that tracks every item. Start with `backoffice demo`.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(queue.queue_app, name="queue")
app.add_typer(rules.rules_app, name="rules")
app.add_typer(web_commands.users_app, name="users")
app.add_typer(learning.layouts_app, name="layouts")
app.command("ui")(web_commands.ui)
app.command("init")(install.init)
app.command("doctor")(install.doctor)
app.command("run")(run.run)
app.command("check")(check.check)
app.command("schema")(check.schema)
app.command("extract")(extract.extract)
app.command("status")(status.status)
app.command("demo")(demo.demo)
app.add_typer(dev.dev_app, name="dev")
app.add_typer(new.new_app, name="new")

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="BACKOFFICE_CONFIG", help="The deployment file.", show_default=True),
]


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
