"""Connectors: sources that find work and targets that post results.

Built-ins are named here as ``kind -> "module:Class"`` and imported only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

SOURCES: dict[str, str] = {
    "folder": "backoffice.connectors.folder:FolderSource",
    "imap": "backoffice.connectors.imap:ImapSource",
    "portal": "backoffice.connectors.portal.source:PortalSource",
}
TARGETS: dict[str, str] = {
    "sql": "backoffice.connectors.sql:SqlTarget",
    "files": "backoffice.connectors.files:FilesTarget",
    "rest": "backoffice.connectors.rest:RestTarget",
    "portal": "backoffice.connectors.portal.target:PortalTarget",
}


def load_class(kind: str, table: dict[str, str]) -> Any:
    """The connector class for a built-in ``kind`` or a dotted path ``package.module:Class``."""
    path = table.get(kind, kind)
    module_name, _, class_name = path.partition(":")
    if not class_name:
        module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(f"unknown connector kind {kind!r}; built-in: {', '.join(sorted(table))}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"connector {kind!r}: cannot import {module_name}: {exc}") from exc
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise ValueError(f"connector {kind!r}: {module_name} has no {class_name}") from None
