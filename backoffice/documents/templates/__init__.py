"""Templates for known senders, in invoice2data's YAML/JSON format (our field names work too).

:func:`load_templates` reads a folder; :func:`match` finds the first template (by priority)
whose keywords all appear in a document's text and whose required fields it finds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from backoffice.documents.templates.engine import Template
from backoffice.errors import ConfigError
from backoffice.yamlfile import load_yaml

log = logging.getLogger(__name__)

__all__ = ["Template", "load_templates", "match"]


def load_templates(folder: Path | str) -> list[Template]:
    """Every ``*.yml``, ``*.yaml`` and ``*.json`` template in ``folder`` (not recursive), sorted by
    priority (highest first), then name. A file that does not parse is a ConfigError naming it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: the templates folder does not exist")
    templates = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".yml", ".yaml", ".json"):
            continue
        try:
            text = path.read_text(encoding="utf-8")
            data: Any = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text, path)[0]
        except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: the template does not parse ({exc})") from exc
        if not isinstance(data, dict) or not data.get("keywords"):
            raise ConfigError(f"{path}: a template needs a 'keywords' list")
        templates.append(Template(data, name=path.stem))
    return sorted(templates, key=lambda t: (-int(t.get("priority", 5)), t.name))


def match(templates: list[Template], text: str,
          area_text: Callable[[dict], str] | None = None) -> tuple[Template, dict[str, Any]] | None:
    """The first template that matches ``text`` and extracts its required fields, with its output."""
    for template in templates:
        prepared = template.prepare(text)
        if not template.matches(prepared):
            continue
        output = template.extract(prepared, area_text)
        if output is not None:
            log.debug("template matched", extra={"template": template.name})
            return template, output
    return None
