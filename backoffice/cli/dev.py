"""``backoffice dev run``: one file through one bot, in the foreground, each stage printed."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape

from backoffice.commandline import JsonOption, deployment, emit_json, out, refusals

dev_app = typer.Typer(
    help="Develop a bot locally: run one file through it with a scratch queue, each stage printed.",
    no_args_is_help=True,
)


@dev_app.command("run")
def run(
    bot: Annotated[str, typer.Argument(help="The bot of bots.yaml to run (enabled or not).")],
    file: Annotated[Path, typer.Option("--file", "-f", help="The document to give it, as its source would.")],
    post: Annotated[
        bool, typer.Option("--post", help="Post to the bot's real targets (default: a dry run that posts nothing).")
    ] = False,
    workspace: Annotated[
        Optional[Path],
        typer.Option(
            "--workspace", help="Keep the scratch queue and files in this folder (default: a temporary one, deleted)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run one file through BOT in the foreground, as `backoffice run` would, printing each stage.

    The deployment's bots.yaml and rule files are used as they are; the queue is a fresh SQLite
    queue in a scratch workspace, never the deployment's. Stages: intake, extract (the fields
    found and their confidences), rules (the verdict), post (each target), then the item's
    final status and reason. A Python bot (kind: python) shows what its handler did: extract
    (item.read), post (each item.post), then the handler's end (what it saved, or its error).

    Targets are NOT posted to unless --post is given: each is replaced by a dry run that shows
    what it would be given and answers `dry-run:<target>` (the real target is not even
    connected). With --post, a target writes where its settings say: paths relative to the
    workspace land in the scratch workspace, a database or web service named by URL is the real
    one. A duplicates rule sees only the scratch queue.

    Exit code 0 when the item ended `done`, 1 when it did not (exception, retrying), 2 when
    bots.yaml is wrong.
    """
    from backoffice.bots.devrun import dev_run

    config = deployment()
    report = None if as_json else _print_stage
    with refusals():
        if workspace is not None:
            result = dev_run(config, bot, file, workspace, post=post, report=report)
        else:
            with tempfile.TemporaryDirectory(prefix="backoffice-dev-") as scratch:
                result = dev_run(config, bot, file, Path(scratch), post=post, report=report)
    if as_json:
        emit_json(result.to_dict())
    elif workspace is not None:
        out.print(f"scratch workspace kept in {escape(str(workspace))}", highlight=False)
    if not result.done:
        raise typer.Exit(1)


def _print_stage(stage: Any) -> None:
    """One stage as lines of text; what each stage found under it, indented."""
    name = f"[bold]{stage.name:<8}[/]"
    seconds = f"  [dim]{stage.seconds:.2f} s[/]" if stage.seconds is not None else ""
    mark = "" if stage.ok else "[red]✗[/] "
    detail = stage.detail
    lines = _STAGE_LINES.get(stage.name, _other)(detail)
    out.print(f"{name} {mark}{lines[0]}{seconds}", highlight=False, soft_wrap=True)
    for line in lines[1:]:
        out.print(f"{'':9}{line}", highlight=False, soft_wrap=True)
    if "error" in detail:
        out.print(
            f"{'':9}[red]{detail.get('error_kind', '')} error[/] {escape(str(detail['error']))}"
            f" [dim]({escape(str(detail.get('code')))})[/]",
            highlight=False,
            soft_wrap=True,
        )


def _intake(detail: dict[str, Any]) -> list[str]:
    return [f"item {detail['item']}: {escape(detail['file'])} ({detail['bytes']:,} bytes)"]


def _extract(detail: dict[str, Any]) -> list[str]:
    if "fields" not in detail:
        return ["no document"]
    fields = detail["fields"]
    head = (
        f"{escape(str(detail['kind']))} read by {escape(str(detail['method']))}: {len(fields)} fields, "
        f"{detail['lines']} lines, {detail['pages']} pages"
    )
    width = max((len(name) for name in fields), default=0)
    lines = [head]
    for name, found in fields.items():
        confidence = found.get("confidence")
        shown = "    " if confidence is None else f"{confidence:.2f}"
        colour = "green" if confidence is None or confidence >= 0.8 else "yellow" if confidence >= 0.5 else "red"
        lines.append(
            f"{escape(name):<{width}}  [{colour}]{shown}[/]  {escape(str(found['value']))}"
            f"  [dim]{escape(str(found.get('method') or ''))}[/]"
        )
    lines += [f"[yellow]warning[/] {escape(w)}" for w in detail.get("warnings", [])]
    return lines


def _rules(detail: dict[str, Any]) -> list[str]:
    if detail.get("rules_file") is None and "error" not in detail:
        return ["no rule file"]
    if "error" in detail:
        return ["the rules could not be applied"]
    verdict = "[green]passed[/]" if detail["passed"] else "[red]failed[/]"
    lines = [f"{escape(str(detail['rules_file']))}: {verdict} ({detail['checked']} rules)"]
    lines += [f"[red]error[/] {escape(o['rule'])}: {escape(o['message'])}" for o in detail["errors"]]
    lines += [f"[yellow]warning[/] {escape(o['rule'])}: {escape(o['message'])}" for o in detail["warnings"]]
    lines += [f"set {escape(name)} = {escape(str(value))}" for name, value in detail["set"].items()]
    lines += [f"held for a person by {escape(rule)}" for rule in detail["holds"]]
    return lines


def _post(detail: dict[str, Any]) -> list[str]:
    target = f"{escape(detail['target'])} ({escape(str(detail['kind']))})"
    given = f"{len(detail['values'])} fields, {detail['lines']} lines"
    if "reference" not in detail:
        return [f"{target}: not posted"]
    if detail["dry_run"]:
        return [f"{target}: dry run, would be given {given}; nothing posted (--post posts)"]
    return [f"{target}: posted {given} as {escape(str(detail['reference']))}"]


def _handler(detail: dict[str, Any]) -> list[str]:
    ended = "raised" if "error" in detail else "returned"
    lines = [f"{escape(str(detail.get('handler')))} {ended}"]
    lines += [f"saved {escape(name)} = {escape(str(value))}" for name, value in detail.get("saved", {}).items()]
    return lines


def _result(detail: dict[str, Any]) -> list[str]:
    status = detail["status"]
    colour = "green" if status == "done" else "red"
    lines = [f"item {detail['item']} [bold {colour}]{status}[/]"]
    if detail.get("reason"):
        lines.append(f"{escape(detail['reason'])} [dim]({escape(str(detail.get('code')))})[/]")
    return lines


def _other(detail: dict[str, Any]) -> list[str]:
    return [escape(str(detail))]


_STAGE_LINES = {
    "intake": _intake,
    "extract": _extract,
    "rules": _rules,
    "post": _post,
    "handler": _handler,
    "result": _result,
}
