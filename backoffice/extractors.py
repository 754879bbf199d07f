"""Where the reader of each document kind is found, by its name, without importing it.

``extractor:`` in bots.yaml, ``backoffice extract --kind``, ``documents.extract(path, kind=)``
and a rule file's ``kind:`` name a document kind in one of three ways, tried in this order:

- a built-in name of :data:`BUILTIN`: ``auto``, ``invoice``, ``timesheet``, ``order``;
- a dotted path ``package.module:attribute`` (or ``package.module.attribute``);
- the name of an entry point of the group ``backoffice.extractors`` of an installed
  distribution, declared in its ``pyproject.toml``::

      [project.entry-points."backoffice.extractors"]
      delivery_note = "mypackage.kinds:delivery_note"

Every way ends at a ``module:attribute`` target that is imported only when the kind is asked
for: the built-in readers (and the PDF and OCR libraries under them) cost nothing to a command
that only validates bots.yaml, and installed distributions are searched only for a name that is
neither built in nor dotted. What the attribute must be (a
:class:`~backoffice.documents.kinds.DocumentKind`) is said by :mod:`backoffice.documents.kinds`;
this module sits below the documents package so that config.py can tell a built-in name
without importing it.
"""

from __future__ import annotations

import importlib
from functools import cache

GROUP = "backoffice.extractors"
# The built-in kinds, registered the way a plugin is: a name and where its DocumentKind is.
BUILTIN: dict[str, str] = {
    "auto": "backoffice.documents.builtin:AUTO",
    "invoice": "backoffice.documents.builtin:INVOICE",
    "timesheet": "backoffice.documents.builtin:TIMESHEET",
    "order": "backoffice.documents.builtin:ORDER",
}


class UnknownKind(ValueError):
    """A name that is no built-in kind, no dotted path and no installed entry point."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"unknown document kind {name!r}; known kinds: {', '.join(known())}, "
            "or a dotted path package.module:attribute"
        )


def is_dotted(name: str) -> bool:
    return ":" in name or "." in name


@cache
def entry_points() -> dict[str, str]:
    """``{name: "module:attribute"}`` of the installed ``backoffice.extractors`` entry points
    (read once per process; ``entry_points.cache_clear()`` reads them again)."""
    from importlib.metadata import entry_points as installed

    found: dict[str, str] = {}
    for point in installed(group=GROUP):
        found.setdefault(point.name, point.value)  # two distributions with one name: the first on sys.path
    return found


def known() -> list[str]:
    """Every kind that can be named without a dotted path: the built-ins, then the entry points."""
    return [*BUILTIN, *sorted(set(entry_points()) - set(BUILTIN))]


def target(name: str) -> str:
    """The ``module:attribute`` that ``name`` stands for; UnknownKind when it stands for nothing."""
    if name in BUILTIN:
        return BUILTIN[name]
    if is_dotted(name):
        return name
    found = entry_points().get(name)
    if found is None:
        raise UnknownKind(name)
    return found


def load(name: str) -> object:
    """The object ``name`` stands for, its module imported now; ValueError says what is wrong."""
    path = target(name)
    module_name, _, attribute = path.partition(":")
    if not attribute:
        module_name, _, attribute = path.rpartition(".")
    if not module_name or not attribute:
        raise ValueError(f"document kind {name!r}: a dotted path is package.module:attribute")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # a third-party module may fail to import in any way
        raise ValueError(f"document kind {name!r}: cannot import {module_name}: {type(exc).__name__}: {exc}") from exc
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ValueError(f"document kind {name!r}: {module_name} has no {attribute}") from None
