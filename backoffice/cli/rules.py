"""``backoffice rules ...``: test rule files with their examples, replay history with them.

Thin wiring like the rest of :mod:`backoffice.cli`, with the helpers of :mod:`backoffice.commandline`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from backoffice.commandline import ERR_LINE, JsonOption, deployment, emit_json, err, open_queue, out
from backoffice.errors import ConfigError

rules_app = typer.Typer(
    help="Test rule files with the examples they carry; replay past items with the current rules.",
    no_args_is_help=True,
)


@rules_app.command("test")
def rules_test(
    files: Annotated[
        Optional[list[Path]], typer.Argument(help="Rule files (default: every rule file bots.yaml names).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the examples in rule files like unit tests: each document must get its expected verdict.

    Exit 1 when an example fails or a rule file has problems.
    """
    from backoffice.rules import load_rules
    from backoffice.rules.examples import ExampleResult, run_examples

    paths = list(files or [])
    if not paths:
        config = deployment()
        paths = list(dict.fromkeys(p for p in (config.rules_path(b) for b in config.bots) if p is not None))
    results: list[ExampleResult] = []
    problems: list[str] = []
    for path in paths:
        try:
            results += run_examples(load_rules(path))
        except ConfigError as exc:
            problems += exc.problems
    failed = [r for r in results if not r.ok]
    if as_json:
        emit_json({"ok": not failed and not problems, "examples": [r.to_dict() for r in results], "problems": problems})
    else:
        for problem in problems:
            err.print(problem, **ERR_LINE)
        for result in results:
            mark = "[green]PASS[/]" if result.ok else "[red]FAIL[/]"
            out.print(f"{mark} {result.file}: {result.name}", highlight=False, soft_wrap=True)
            for problem in result.problems:
                out.print(f"     {problem}", markup=False, highlight=False)
        out.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or problems:
        raise typer.Exit(1)


@rules_app.command("replay")
def rules_replay(
    since: Annotated[
        Optional[datetime],
        typer.Option(
            "--since",
            help="Only items created on or after this date (YYYY-MM-DD, UTC).",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
        ),
    ] = None,
    bots: Annotated[Optional[list[str]], typer.Option("--bot", help="Only this bot (repeatable).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-evaluate past items with the current rule files and list the decisions that would change.

    Touches nothing: no item, no target. Exit 1 when the rule files have problems.
    """
    from backoffice.rules import load_rules
    from backoffice.rules.replay import replay

    config = deployment(check_paths=False)
    rule_sets = {}
    for bot in config.bots:
        path = config.rules_path(bot)
        if path is not None and (not bots or bot.name in bots):
            rule_sets[bot.name] = load_rules(path)
    store = open_queue(config, existing=True)
    try:
        report = replay(store, rule_sets, since.replace(tzinfo=UTC) if since else None)
    finally:
        store.close()
    if as_json:
        emit_json(report.to_dict())
        return
    if report.changes:
        table = Table("item", "file", "status", "decided", "would decide", "rules", box=None)
        for change in report.changes:
            table.add_row(
                str(change.item_id), change.file, change.status, change.before, change.after, ", ".join(change.rules)
            )
        out.print(table)
    out.print(
        f"{report.checked} items replayed, {len(report.changes)} decisions would change"
        + (f", {report.skipped} without a verdict skipped" if report.skipped else "")
    )


@rules_app.command("schema")
def rules_schema(
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of rule files, for editors (e.g. yaml-language-server)."""
    import json
    import sys

    from backoffice.rules.schema import RuleFile

    schema = RuleFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "backoffice rule file"
    text = json.dumps(schema, indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)
