"""YAML files that people edit: parse with line numbers, and turn validation errors into
``file:line: field: message``.

Every YAML reader goes through :func:`check_nodes` before it builds any data: a key given twice
in one mapping is refused with both lines, and anchors and aliases are bounded: the document
with every alias expanded may hold at most :data:`MAX_VALUES` values, nest :data:`MAX_DEPTH`
deep, and no alias may contain itself (a "billion laughs" bomb is refused in microseconds, not
built).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from backoffice.errors import ConfigError


MAX_VALUES = 100_000  # values of a document with its aliases expanded
MAX_DEPTH = 64
MERGE = "tag:yaml.org,2002:merge"


def check_nodes(node: yaml.Node | None, path: Path) -> None:
    """Refuse duplicate keys and alias bombs in a composed document (ConfigError, file:line)."""
    if node is None:
        return
    sizes: dict[int, int] = {}
    _size(node, path, sizes, (), 1)


def _size(node: yaml.Node, path: Path, sizes: dict[int, int], open_: tuple[int, ...], depth: int) -> int:
    where = f"{path}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in open_:
        raise ConfigError(f"{where}: an alias refers to the node that contains it; refused")
    if depth > MAX_DEPTH:
        raise ConfigError(f"{where}: nested more than {MAX_DEPTH} levels deep; refused")
    total = 1
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != MERGE:
                if key.value in first:
                    raise ConfigError(
                        f"{path}:{key.start_mark.line + 1}:{key.start_mark.column + 1}: duplicate key {key.value!r} "
                        f"(first at line {first[key.value]})"
                    )
                first[key.value] = key.start_mark.line + 1
            total += _size(key, path, sizes, (*open_, id(node)), depth + 1)
            total += _size(value, path, sizes, (*open_, id(node)), depth + 1)
            if total > MAX_VALUES:
                break
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            total += _size(value, path, sizes, (*open_, id(node)), depth + 1)
            if total > MAX_VALUES:
                break
    if total > MAX_VALUES:
        raise ConfigError(
            f"{where}: with its aliases expanded this holds more than {MAX_VALUES:,} values (an alias bomb?); refused"
        )
    sizes[id(node)] = total
    return total


def load_yaml(text: str, path: Path) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its node tree, after :func:`check_nodes`."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        check_nodes(node, path)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def parse_yaml(text: str, path: Path) -> tuple[Any, dict[tuple, int]]:
    """The data and the line number of every mapping key and sequence entry."""
    try:
        data, node = load_yaml(text, path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None
    positions: dict[tuple, int] = {}
    if node is not None:
        _walk(node, (), positions, set())
    return data, positions


def _walk(node: yaml.Node, at: tuple, positions: dict[tuple, int], seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its lines are those of its anchor, walked once
        return
    seen.add(id(node))
    positions.setdefault(at, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*at, key.value)
            positions[here] = key.start_mark.line + 1
            _walk(value, here, positions, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            positions[(*at, index)] = value.start_mark.line + 1
            _walk(value, (*at, index), positions, seen)


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
