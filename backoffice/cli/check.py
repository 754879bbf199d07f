"""``backoffice check`` and ``backoffice schema``: the deployment file and the rule files it names."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from backoffice.commandline import ERR_LINE, JsonOption, deployment, emit_json, err, out
from backoffice.errors import ConfigError


def check(as_json: JsonOption = False) -> None:
    """Validate bots.yaml and every rule file it names; exit 1 on any problem.

    Rule files are checked with their includes and master data (PostgreSQL sources are
    connected to): syntax, unknown fields, columns and lookups, conditions never true.
    """
    from backoffice.documents import registry
    from backoffice.rules import load_rules

    problems: list[str] = []
    checked: list[str] = []
    warnings: list[str] = []
    routed: list[tuple[str, str]] = []  # (role, where a rule routes approvals to it)
    try:
        config = deployment()
        checked.append(str(config.path))
        for bot in config.bots:
            rules_path = config.rules_path(bot)
            if rules_path and str(rules_path) not in checked:  # bots may share a rule file
                checked.append(str(rules_path))
                try:
                    ruleset = load_rules(rules_path, probe=True)
                    kind = ruleset.kind
                    routed += [
                        (r.route.role, f"{rules_path}: rule {r.id}")
                        for r in ruleset.rules
                        if r.route is not None and r.route.to == "approval" and r.route.role
                    ]
                except ConfigError as exc:
                    problems += exc.problems
                    continue
                extracts = registry.name_of(bot.extractor)  # a plugin's dotted path: its kind's name
                if extracts not in ("auto", kind) and {extracts, kind} != {"invoice", "credit_note"}:
                    problems.append(
                        f"{config.path}: bots[{config.bots.index(bot)}].rules: {rules_path.name} has "
                        f"rules for {kind} documents, the bot extracts {bot.extractor}"
                    )
        warnings += _role_warnings(config, routed)
    except ConfigError as exc:
        problems += exc.problems
    if as_json:
        emit_json({"ok": not problems, "checked": checked, "problems": problems, "warnings": warnings})
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
    """Roles that rule files route approvals to and no user of the UI holds, read through the
    queue's users (``Store.users()``) on any backend. Nothing is said when there is nothing to
    read yet: no SQLite file, or a ``memory:`` queue (its users live only in a running process);
    a queue that cannot be opened is a warning, not a failed check."""
    url = config.queue_url
    if not routed or url.startswith("memory:"):
        return []
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return []
    from backoffice.queue import open_store

    try:
        store = open_store(url)
    except Exception as exc:  # noqa: BLE001 - an unreachable queue: the check of the files still counts
        return [f"the queue's users were not read ({type(exc).__name__}: {exc}); the approval roles were not checked"]
    try:
        held = {role for user in store.users().list() for role in user.roles}
    finally:
        store.close()
    return [
        f"{where}: routes approvals to {role}, and no user holds that role "
        f"(backoffice users add NAME --approves {role})"
        for role, where in routed
        if role not in held
    ]


def schema(
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of bots.yaml, for editors (e.g. yaml-language-server)."""
    from backoffice.config import json_schema

    text = json.dumps(json_schema(), indent=2) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)
