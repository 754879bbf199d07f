"""What every command of ``backoffice`` shares: the consoles, the global options, the deployment
file and its queue, JSON for scripts.

The commands live in :mod:`backoffice.cli` (and the UI's in :mod:`backoffice.web.commands`);
they all use this module and none imports another's helpers, so it sits below both.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from backoffice.errors import BackofficeError

if TYPE_CHECKING:
    from backoffice.config import Config
    from backoffice.queue.base import Store

out = Console()
err = Console(stderr=True)
# Problems are printed whole on one line each, so that scripts and editors can read file:line.
ERR_LINE: dict[str, Any] = {"markup": False, "highlight": False, "soft_wrap": True}
# The global options (set by the callback of backoffice.cli): the deployment file, and whether
# -c or BACKOFFICE_CONFIG named it.
STATE: dict[str, Any] = {"config": Path("bots.yaml"), "config_given": False}

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")]


def deployment(check_paths: bool = True) -> Config:
    """The deployment file the global options name, validated."""
    from backoffice.config import load_config

    return load_config(STATE["config"], check_paths=check_paths)


def open_queue(config: Config, *, existing: bool = False) -> Store:
    """The queue; ``existing`` refuses to create one (a mistyped workspace must not look empty)."""
    from backoffice.queue import open_store

    url = config.queue_url
    if existing and url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise BackofficeError(f"no queue at {url.removeprefix('sqlite:///')}: check the workspace in {config.path}")
    return open_store(url)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@contextmanager
def refusals() -> Iterator[None]:
    """A refused action (no such layout, item or bot; a bad FIELD=VALUE) is one line on stderr, exit 1."""
    try:
        yield
    except BackofficeError as exc:
        err.print(str(exc), **ERR_LINE)
        raise typer.Exit(1) from None
