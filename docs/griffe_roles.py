"""A griffe extension for the API reference (mkdocs.yml): the package's docstrings are written
with Sphinx roles (``:class:`Store```, ``:mod:`backoffice.bots.workers```) and reST literal
blocks (``text::``), which mkdocstrings' Markdown would show as they are typed. Each role becomes
inline code (its last part when written ``~a.b.C``) and ``::`` before a block becomes ``:``.

Roles are not turned into links: a docstring may name a module the reference does not document,
and a link to it would fail the strict build for a reason that is not a broken reference.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|mod|meth|func|attr|data|exc|obj|const|ref):`(~?)([^`]+)`")
LITERAL_BLOCK = re.compile(r"(\S)::$", re.MULTILINE)
BARE_LITERAL_BLOCK = re.compile(r"^(\s*)::$", re.MULTILINE)


def plain(text: str) -> str:
    """The docstring ``text`` with its Sphinx roles as inline code and its ``::`` as ``:``."""

    def role(match: re.Match[str]) -> str:
        short, target = match.group(1), match.group(2)
        return f"`{target.rsplit('.', 1)[-1] if short else target}`"

    text = ROLE.sub(role, text)
    text = BARE_LITERAL_BLOCK.sub(r"\1", text)
    return LITERAL_BLOCK.sub(r"\1:", text)


class SphinxRoles(griffe.Extension):
    """Rewrites every docstring the reference shows (see the module's docstring)."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
