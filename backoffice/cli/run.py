"""``backoffice run``: the runner, once or until a signal stops it."""

from __future__ import annotations

import signal
from typing import Annotated, Optional

import typer

from backoffice.commandline import JsonOption, deployment, emit_json, err, open_queue, out


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
    from backoffice.report import print_summary, progress_bar

    config = deployment()
    store = open_queue(config)
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
        emit_json({**summary.to_dict(), "queue": store.counts()})
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
        err.print(
            f"[yellow]{signal.Signals(signum).name}: finishing the current item (at most {deadline:g} s), "
            "then stopping (again to stop now)[/]"
        )
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
