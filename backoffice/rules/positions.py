"""Where things are in a rule file: line and column of every key and value, and problems as
``file:line:column: field: message`` (the form editors and CI logs link to)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from backoffice.errors import ConfigError
from backoffice.yamlfile import field_path, load_yaml

MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # a scalar's quoting: None (plain), "'", '"', "|", ">"


@dataclass
class Positions:
    """Marks of keys (``keys[path]``) and values (``values[path]``) by their path in the data."""

    path: Path
    text: str
    keys: dict[tuple, Mark] = field(default_factory=dict)
    values: dict[tuple, Mark] = field(default_factory=dict)

    def of(self, at: tuple) -> Mark:
        """The mark of the deepest known part of ``at`` (its key, else its value)."""
        while at:
            found = self.keys.get(at) or self.values.get(at)
            if found:
                return found
            at = at[:-1]
        return Mark(1, 1)

    def problem(self, at: tuple, message: str, mark: Mark | None = None) -> str:
        mark = mark or self.of(at)
        return f"{self.path}:{mark.line}:{mark.column}: {field_path(at) or '(top)'}: {message}"

    def in_expression(self, at: tuple, line: int, column: int) -> Mark:
        """The file position of ``line``/``column`` (1-based) inside the expression at ``at``."""
        start = self.values.get(at)
        if start is None:
            return self.of(at)
        if start.style in ("|", ">"):
            lines = self.text.splitlines()
            first = lines[start.line] if start.line < len(lines) else ""  # the block starts below the indicator
            indent = len(first) - len(first.lstrip())
            return Mark(start.line + line, indent + column)
        if line > 1:
            return Mark(start.line + line - 1, column)
        return Mark(start.line, start.column + column - 1 + (1 if start.style in ("'", '"') else 0))


def load(text: str, path: Path) -> tuple[Any, Positions]:
    """The data of a YAML file and the positions of everything in it."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}:1:1: the rule file is larger than {MAX_FILE_BYTES} bytes")
    positions = Positions(path, text)
    try:
        data, node = load_yaml(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}:1:1"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    if node is not None:
        _walk(node, (), positions, set())
    return data, positions


def _walk(node: yaml.Node, at: tuple, positions: Positions, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: walked once, never exponentially
        return
    seen.add(id(node))
    style = getattr(node, "style", None)
    positions.values.setdefault(at, Mark(node.start_mark.line + 1, node.start_mark.column + 1, style))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            positions.keys[here] = Mark(key.start_mark.line + 1, key.start_mark.column + 1)
            _walk(value, here, positions, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _walk(value, (*at, index), positions, seen)


def describe(exc: ValidationError, positions: Positions, prefix: tuple = ()) -> list[str]:
    """``file:line:column: field: message`` for each pydantic error."""
    problems = []
    for error in exc.errors():
        loc = (*prefix, *error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = f"required field {loc[-1]!r} is missing"
            loc = loc[:-1]
        known = loc
        while known and known not in positions.keys and known not in positions.values:
            known = known[:-1]
        problems.append(positions.problem(_public(loc if error["type"] != "missing" else known), message,
                                          positions.of(known)))  # fmt: skip
    return problems


def _public(loc: tuple) -> tuple:
    """Drop pydantic's union tags (``function-after[...]``) from a location."""
    return tuple(part for part in loc if isinstance(part, int) or "[" not in str(part))
