"""``backoffice demo``: sample invoices through the sample bots, start to finish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from backoffice.commandline import STATE, JsonOption, emit_json, err, out


def demo(
    workspace: Annotated[Path, typer.Option(help="A fresh workspace for the demo (recreated).")] = Path(
        "backoffice-demo"
    ),
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
        emit_json(result.to_dict())
    else:
        print_demo(out, result)
