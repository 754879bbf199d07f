"""Load a rule file: read it and its includes, validate, merge, check every expression.

``load_rules(path)`` returns a :class:`~backoffice.rules.engine.RuleSet` or raises
``ConfigError`` listing every problem of every file as ``file:line:column: field: message``.
Includes come first, depth first, each file once; a cycle is an error. Local master data
(CSV files, SQLite databases) is opened to learn its columns; ``probe=True`` (what
``backoffice check`` uses) also connects to PostgreSQL sources.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from backoffice.documents.registry import field_types, line_field_types
from backoffice.errors import ConfigError
from backoffice.logs.redact import register_secret
from backoffice.rules import positions as yamlpos
from backoffice.rules.compiler import TAX_LINE_FIELDS, Compiler, base_names
from backoffice.rules.engine import RuleSet
from backoffice.rules.masterdata import MasterDataError, SourceSpec, Table
from backoffice.rules.positions import Positions
from backoffice.rules.provenance import content_hash, git_state
from backoffice.rules.schema import DataSource, RuleFile

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
INVOICE_KINDS = {"invoice", "credit_note"}


@dataclass
class Loaded:
    """One file of a rule set."""

    path: Path
    raw: bytes
    spec: RuleFile
    positions: Positions


def load_rules(path: Path | str, *, probe: bool = False) -> RuleSet:
    """Read and check a rule file and its includes; raise ConfigError naming file:line:column."""
    path = Path(path)
    files: list[Loaded] = []
    problems: list[str] = []
    _read(path, files, problems, stack=(), origin=None)
    if problems:
        raise ConfigError(problems)
    main = files[-1]
    kind = main.spec.kind
    for loaded in files[:-1]:
        if "kind" in loaded.spec.model_fields_set and not _compatible(loaded.spec.kind, kind):
            problems.append(loaded.positions.problem(("kind",), f"is {loaded.spec.kind}, but {path.name} is {kind}"))
    constants = _merge(files, "constants", problems)
    sources = _merge(files, "data", problems)
    tables = {name: _table(name, source, loaded, problems, probe) for name, (source, loaded) in sources.items()}
    compiler = Compiler(kind, base_names(kind, {k: _constant(v) for k, (v, _) in constants.items()}),
                        {name: columns for name, (_, columns) in tables.items()})  # fmt: skip
    required: list[str] = []
    for loaded in files:
        for index, name in enumerate(loaded.spec.required):
            if name not in field_types(kind):
                problems.append(loaded.positions.problem(("required", index), f"unknown field {name!r}",
                                                         loaded.positions.values.get(("required", index))))  # fmt: skip
            elif name not in required:
                required.append(name)
    rules, seen = [], {}
    for loaded in files:
        for index, rule in enumerate(loaded.spec.rules):
            if rule.id in seen:
                problems.append(loaded.positions.problem(("rules", index, "id"), f"rule id {rule.id!r} is used twice "
                                                         f"(also in {seen[rule.id]})"))  # fmt: skip
            seen[rule.id] = loaded.path.name
            rules.append(compiler.rule(rule, loaded.positions, ("rules", index)))
    duplicates = []
    for loaded in files:
        for index, duplicate in enumerate(loaded.spec.duplicates):
            for where, name in [*((("key", i), n) for i, n in enumerate(duplicate.key)), (("date",), duplicate.date)]:
                if name is not None and name not in compiler.names:
                    at = ("duplicates", index, *where)
                    problems.append(loaded.positions.problem(at, f"unknown field {name!r}", loaded.positions.values.get(at)))
            duplicates.append(duplicate)
    _check_examples(main, kind, problems)
    problems += compiler.problems
    if problems:
        raise ConfigError(problems)
    commit, dirty = git_state([f.path for f in files])
    return RuleSet(
        path=path, kind=kind, required=tuple(required), rules=tuple(rules), duplicates=tuple(duplicates),
        constants={k: _constant(v) for k, (v, _) in constants.items()},
        tables={name: table for name, (table, _) in tables.items()},
        examples=tuple(main.spec.examples), files=tuple(f.path for f in files),
        content_hash=content_hash([(f.path, f.raw) for f in files]), git_commit=commit, git_dirty=dirty,
    )  # fmt: skip


def _compatible(a: str, b: str) -> bool:
    return a == b or {a, b} <= INVOICE_KINDS


def _read(path: Path, files: list[Loaded], problems: list[str], stack: tuple, origin: tuple | None) -> None:
    resolved = path.resolve()
    if any(f.path.resolve() == resolved for f in files):
        return
    where = origin[0].problem(origin[1], "", origin[0].values.get(origin[1])).rstrip(": ") if origin else str(path)
    if resolved in stack:
        problems.append(f"{where}: include cycle: {' -> '.join(p.name for p in (*stack, resolved))}")
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(f"{where}: cannot read rule file {path}: {exc.strerror or exc}")
        return
    try:
        data, positions = yamlpos.load(raw.decode("utf-8", errors="replace"), path)
    except ConfigError as exc:
        problems.extend(exc.problems)
        return
    if not isinstance(data, dict):
        problems.append(f"{path}:1:1: (top): a rule file is a mapping with kind, rules, ...")
        return
    try:
        spec = RuleFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(yamlpos.describe(exc, positions))
        return
    for index, include in enumerate(spec.include):
        _read(path.parent / include, files, problems, (*stack, resolved), (positions, ("include", index)))
    files.append(Loaded(path, raw, spec, positions))


def _merge(files: list[Loaded], section: str, problems: list[str]) -> dict[str, tuple[Any, Loaded]]:
    merged: dict[str, tuple[Any, Loaded]] = {}
    for loaded in files:
        for name, value in getattr(loaded.spec, section).items():
            if name in merged:
                problems.append(loaded.positions.problem((section, name), f"{name!r} is also declared in "
                                                                          f"{merged[name][1].path.name}"))  # fmt: skip
                continue
            merged[name] = (value, loaded)
    return merged


def _constant(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, list):
        return [_constant(v) for v in value]
    if isinstance(value, dict):
        return {k: _constant(v) for k, v in value.items()}
    return value


def _table(name: str, source: DataSource, loaded: Loaded, problems: list[str], probe: bool) -> tuple[Table, dict | None]:
    at = ("data", name)
    base = loaded.path.parent
    sql = _substitute(source.sql, loaded, (*at, "sql"), problems) if source.sql else None
    if sql and sql.startswith("sqlite:///"):
        sql = "sqlite:///" + str((base / sql.removeprefix("sqlite:///")).resolve())
    elif sql and not sql.startswith(("postgresql://", "postgres://")):
        problems.append(loaded.positions.problem((*at, "sql"), "use sqlite:///PATH or postgresql://..."))
    spec = SourceSpec(
        name=name, csv=(base / source.csv).resolve() if source.csv else None, sql=sql, table=source.table,
        query=source.query, types=tuple(source.types.items()), refresh_seconds=source.refresh_seconds,
    )  # fmt: skip
    table = Table(spec)
    if not (spec.is_local or probe):
        return table, None
    try:
        columns = table.columns()
    except MasterDataError as exc:
        problems.append(loaded.positions.problem((*at, "csv" if source.csv else "sql"), exc.reason))
        return table, None
    for column in source.types:
        if column not in columns:
            problems.append(loaded.positions.problem((*at, "types", column), f"no column {column!r} in {name}"))
    default = "text" if spec.csv else ""
    return table, {c: source.types.get(c, default) for c in columns}


def _substitute(value: str, loaded: Loaded, at: tuple, problems: list[str]) -> str:
    def replace(match: re.Match) -> str:
        found = os.environ.get(match.group(1), match.group(2))
        if found is None:
            problems.append(loaded.positions.problem(at, f"environment variable {match.group(1)} is not set"))
            return ""
        if found and match.group(2) is None:
            register_secret(found)
        return found

    return ENV_REF.sub(replace, value)


def _check_examples(main: Loaded, kind: str, problems: list[str]) -> None:
    fields = set(field_types(kind)) | {"lines"} | ({"tax_lines"} if kind in INVOICE_KINDS else set())
    line_fields = set(line_field_types(kind))
    for index, example in enumerate(main.spec.examples):
        documents = [("document",), *(("history", i) for i in range(len(example.history)))]
        for where in documents:
            document = example.document if where == ("document",) else example.history[where[1]]
            for name, value in document.items():
                at = ("examples", index, *where, name)
                if name not in fields:
                    problems.append(main.positions.problem(at, f"unknown field {name!r}"))
                elif name in ("lines", "tax_lines") and isinstance(value, list):
                    allowed = line_fields if name == "lines" else set(TAX_LINE_FIELDS)
                    for n, line in enumerate(value):
                        for key in set(line) - allowed if isinstance(line, dict) else ():
                            problems.append(main.positions.problem((*at, n, key), f"unknown line field {key!r}"))
