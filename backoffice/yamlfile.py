"""YAML files that people edit: parse with line numbers, and turn validation errors into
``file:line: field: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from backoffice.errors import ConfigError


def parse_yaml(text: str, path: Path) -> tuple[Any, dict[tuple, int]]:
    """The data and the line number of every mapping key and sequence entry."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    positions: dict[tuple, int] = {}
    if node is not None:
        _walk(node, (), positions)
    return data, positions


def _walk(node: yaml.Node, at: tuple, positions: dict[tuple, int]) -> None:
    positions.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            positions[here] = key.start_mark.line + 1
            _walk(value, here, positions)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            positions[(*at, index)] = value.start_mark.line + 1
            _walk(value, (*at, index), positions)


def field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe_errors(exc: ValidationError, path: Path, positions: dict[tuple, int], prefix: tuple = ()) -> list[str]:
    """``file:line: field: message`` for each pydantic error, skipping union tags in the location."""
    problems = []
    for error in exc.errors():
        found: tuple = prefix
        for part in error["loc"]:
            if (*found, part) in positions:
                found = (*found, part)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            missing = error["loc"][-1]
            message = f"required field {missing!r} is missing"
        line = positions.get(found, 1)
        problems.append(f"{path}:{line}: {field_path(found) or '(top)'}: {message}")
    return problems
