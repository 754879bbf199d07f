"""Field parsers of the invoice2data template format: ``regex``, ``static``, ``lines``, and the
template-level ``tables``. Semantics follow invoice2data 0.4/1.0 so that existing templates give
the same output; :class:`~backoffice.documents.templates.engine.Template` supplies the type
coercion (numbers with the template's decimal separator, dates with its date formats).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backoffice.documents.templates.engine import Template

log = logging.getLogger(__name__)

# UN/ECE Recommendation 20 codes of common printed units; invoice2data fills ``unece_code`` from
# ``uom`` when a line's pattern leaves it empty.
UNECE_UNITS = {
    "kg": "KGM", "g": "GRM", "t": "TNE", "l": "LTR", "ml": "MLT", "m": "MTR", "cm": "CMT", "mm": "MMT",
    "m2": "MTK", "m3": "MTQ", "h": "HUR", "hour": "HUR", "hours": "HUR", "day": "DAY", "days": "DAY",
    "unit": "H87", "units": "H87", "pc": "H87", "pcs": "H87", "piece": "H87", "pieces": "H87", "each": "EA",
}
_GROUPS = {
    "sum": sum, "min": min, "max": max, "first": lambda r: r[0], "last": lambda r: r[-1],
    "join": lambda r: " ".join(str(v) for v in r),
}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def parse_regex(template: Template, field: str, settings: dict, content: str, legacy: bool = False) -> Any:
    """Every match of the field's regex (or regexes), typed, then grouped or de-duplicated."""
    result: list = []
    if "area" in settings and template.area_text is not None:
        content = template.prepare(template.area_text(settings["area"]))
    for pattern in _as_list(settings.get("regex", [])):
        for match in re.findall(str(pattern), content):
            result.append(match[0] if isinstance(match, tuple) else match)
    if not result:
        return None
    kind = settings.get("type")
    if legacy and kind is None:
        kind = "date" if field.startswith("date") or field.endswith("date") else "float" if field.startswith("amount") else None
    if kind:
        result = [template.coerce(v, kind) for v in result]
        if any(v is None for v in result):
            return None
        if legacy:
            return result[0]  # invoice2data's simple syntax takes the first date or amount
    group = settings.get("group")
    if group:
        if group not in _GROUPS:
            log.warning("unsupported group", extra={"field": field, "group": group})
            return None
        return _GROUPS[group](result)
    unique = list(dict.fromkeys(result))
    return unique[0] if len(unique) == 1 else unique


def parse_static(template: Template, field: str, settings: dict, content: str) -> Any:
    value = settings.get("value")
    return template.coerce(value, settings["type"]) if "type" in settings and isinstance(value, str) else value


def _matcher(patterns: Any, line: str) -> re.Match[str] | None:
    for pattern in _as_list(patterns):
        match = re.search(pattern, line)
        if match:
            return match
    return None


def _append(row: dict, match: re.Match[str]) -> None:
    for name, value in match.groupdict().items():
        old = row.get(name, "")
        row[name] = f"{old}{chr(10) if old else ''}{value.strip() if value else ''}"


def parse_block(template: Template, settings: dict, content: str) -> list[dict]:
    """Rows of one block of lines, as invoice2data reads them: ``first_line`` starts a row (``line``
    does when there is neither ``first_line`` nor ``last_line``); ``line`` adds to the open row and
    ``last_line`` closes it, both only once a row is open; ``skip_line`` lines are ignored."""
    first = settings.get("first_line")
    if first is None and "last_line" not in settings:
        first = settings["line"]
    rows: list[dict] = []
    row: dict = {}
    open_row = False
    for line in re.split(settings.get("line_separator", r"\n"), content):
        if not line.strip():
            continue
        if first is not None:
            match = _matcher(first, line)
            if match:
                if row:
                    rows.append(row)
                row = {name: value.strip() if value else "" for name, value in match.groupdict().items()}
                open_row = True
                continue
        if not open_row and first is not None:
            continue
        if "last_line" in settings:
            match = _matcher(settings["last_line"], line)
            if match:
                _append(row, match)
                if row:
                    rows.append(row)
                row, open_row = {}, False
                continue
        if "skip_line" in settings and _matcher(settings["skip_line"], line):
            continue
        match = _matcher(settings["line"], line)
        if match:
            _append(row, match)
    if row:
        rows.append(row)
    types = settings.get("types") or {}
    for found in rows:
        for name in list(found):
            if name in types:
                found[name] = template.coerce(found[name], types[name])
        if found.get("uom") and found.get("unece_code") == "":
            found["unece_code"] = UNECE_UNITS.get(found["uom"].lower(), "")
    return rows


def _by_rule(template: Template, rule: dict, content: str) -> list[dict] | None:
    """Every ``start`` .. ``end`` block in turn; None when there is none."""
    found: list[dict] | None = None
    while True:
        start = re.search(rule["start"], content)
        if not start:
            return found
        content = content[start.end():]
        end = re.search(rule["end"], content)
        if not end:
            return found
        found = (found or []) + parse_block(template, rule, content[: end.start()])
        content = content[end.end():]


def parse_lines(template: Template, field: str, settings: dict, content: str) -> list[dict] | None:
    rules = settings.get("rules") or [settings]
    found: list[dict] = []
    matched = False
    for rule in rules:
        rows = _by_rule(template, rule, content)
        if rows is not None:
            matched = True
            found.extend(rows)
    return found if matched else None


def parse_tables(template: Template, tables: list[dict], content: str, output: dict) -> None:
    """Template-level ``tables``: named groups of ``body`` become fields (first one wins)."""
    for table in tables:
        start = re.search(table["start"], content)
        if not start:
            continue
        rest = content[start.end():]
        end = re.search(table["end"], rest)
        if not end:
            continue
        for line in re.split(table.get("line_separator", r"\n"), rest[: end.start()]):
            if not line.strip():
                continue
            match = re.search(table["body"], line)
            if not match:
                continue
            for name, value in match.groupdict().items():
                if name in output:
                    continue
                if name.startswith("date") or name.endswith("date"):
                    output[name] = template.coerce(value, "date")
                elif name.startswith("amount"):
                    output[name] = template.coerce(value, "float")
                else:
                    output[name] = value


PARSERS = {"regex": parse_regex, "static": parse_static, "lines": parse_lines}
