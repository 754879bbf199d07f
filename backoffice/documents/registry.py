"""Document kinds: a kind's fields and the reader that gives its Documents, found by name.

A kind, built in or a plugin's, is a :class:`DocumentKind`: a name, its header fields and line
fields (name -> type, the types of :mod:`~backoffice.documents.models`), and a reader that is
given a :class:`Reading` (the file, and helpers for its words) and returns a
:class:`~backoffice.documents.models.Document`::

    from backoffice.documents import Document
    from backoffice.documents.registry import DocumentKind, Reading

    def read(reading: Reading) -> Document:
        lines = reading.lines()   # the words of a PDF, a scan or an e-mail body, as lines
        ...
        return Document(kind="delivery_note", method="text-layer", fields=..., lines=...)

    delivery_note = DocumentKind("delivery_note", read, fields={"delivery_number": "text", ...},
                                 line_fields={"quantity": "number", ...})

:func:`get` finds a kind by the name bots.yaml, ``backoffice extract --kind`` or a rule file
gives (built in, dotted path, or entry point: :mod:`backoffice.extractors`); :func:`read` runs
its reader and checks what it gives, so that a broken plugin becomes a DocumentError naming the
file (an exception-queue item), never a crash or a Document with fields nobody declared.
:func:`field_types` is what the rule files and the engine read to know a kind's fields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backoffice import extractors
from backoffice.documents.layout import Line, lines_of
from backoffice.documents.models import FIELDS_BY_KIND, LINE_FIELDS_BY_KIND, Document, Field, typed
from backoffice.documents.words import DEFAULT_MAX_PAGES, PdfText
from backoffice.errors import ApplicationError, BusinessError, DocumentError

log = logging.getLogger(__name__)

FIELD_TYPES = ("text", "date", "money", "number", "currency")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Document kinds the built-in readers give (FIELDS_BY_KIND), and what they give for "nothing known"
TAKEN = {*FIELDS_BY_KIND, *extractors.BUILTIN, "unknown"}


@dataclass
class Reading:
    """One file to read, and how the caller asked for it: what a kind's reader is given.

    ``templates``, ``ignore_embedded`` and ``split`` are for the built-in readers; a plugin's
    reader may ignore them (``split``: the caller wants every document of a file that holds
    several, so a reader may return a list).
    """

    path: Path
    max_pages: int = DEFAULT_MAX_PAGES
    templates: list[Any] | None = None
    ignore_embedded: bool = False
    split: bool = False
    _words: PdfText | None = field(default=None, init=False, repr=False)
    _form: str = field(default="", init=False, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def words(self) -> PdfText:
        """The words of a printed file with their boxes: a PDF's text layer (OCR for its scanned
        pages), a scan image by OCR, an e-mail, HTML or text body on a character grid. Read
        once; DocumentError for a file that has no printed pages (XML, CSV, XLSX)."""
        if self._words is None:
            from backoffice.documents import ocr, sniff, textgrid
            from backoffice.documents.pdf import read_words

            form = self._form = sniff.sniff(self.path)
            if form == "pdf":
                self._words = read_words(self.path, max_pages=self.max_pages)
            elif form == "image":
                self._words = ocr.read_image_file(self.path, max_pages=self.max_pages)
            elif form in ("email", "html", "text"):
                self._words = textgrid.read_text_file(self.path, form)
            else:
                raise self.error(f"a {form.upper()} file has no printed pages to read", code="wrong-format")
        return self._words

    def lines(self) -> list[Line]:
        """The words of every page as lines (top to bottom, phrases left to right), numbered
        across pages: what the label and table helpers (keyvalue, table) read."""
        found: list[Line] = []
        for page in self.words().pages:
            found.extend(lines_of(page, index_from=len(found)))
        return found

    @property
    def method(self) -> str:
        """How the words were read, for Document.method, as the built-in readers say it: ``ocr``,
        ``text-layer`` (a PDF's), or the format of an e-mail, HTML or text body."""
        words = self.words()
        return "ocr" if words.ocr_pages else "text-layer" if self._form == "pdf" else self._form

    def error(self, message: str, *, code: str = "unreadable", field: str | None = None) -> DocumentError:
        """A DocumentError that names the file: ``raise reading.error("no delivery number")``."""
        return DocumentError(f"{self.name}: {message}", code=code, field=field)


Reader = Callable[[Reading], "Document | list[Document]"]


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its name, its fields and line fields (name -> type), and its reader.

    ``gives`` lists the Document kinds the reader may return (default: just ``name``; the
    built-in ``invoice`` also gives ``credit_note``); a Document of another kind is refused as
    the wrong kind of file.
    """

    name: str
    read: Reader
    fields: Mapping[str, str]
    line_fields: Mapping[str, str] = field(default_factory=dict)
    gives: frozenset[str] = frozenset()
    description: str = ""

    def __post_init__(self) -> None:
        if not NAME.match(self.name):
            raise ValueError(f"document kind name {self.name!r}: use lower-case letters, digits and _")
        for what, table in (("field", self.fields), ("line field", self.line_fields)):
            for name, kind in table.items():
                if not NAME.match(name) or name in ("lines", "tax_lines"):
                    raise ValueError(f"{self.name}: {what} name {name!r}: use lower-case letters, digits and _")
                if kind not in FIELD_TYPES:
                    raise ValueError(
                        f"{self.name}: {what} {name!r} has type {kind!r}; use one of {', '.join(FIELD_TYPES)}"
                    )
        if not self.gives:
            object.__setattr__(self, "gives", frozenset({self.name}))

    @property
    def builtin(self) -> bool:
        return extractors.BUILTIN.get(self.name, "").startswith("backoffice.documents.builtin:")


_asked: dict[str, DocumentKind] = {}  # by the name or dotted path it was asked for
_declared: dict[str, DocumentKind] = {}  # by every Document kind it gives


def get(name: str) -> DocumentKind:
    """The kind ``name`` stands for (built in, dotted path or entry point), loaded once.

    ValueError (:class:`~backoffice.extractors.UnknownKind` for a name nobody registered) says
    what is wrong: the known kinds, a module that does not import, an object that is no
    DocumentKind, an entry point whose kind has another name.
    """
    found = _asked.get(name)
    if found is not None:
        return found
    loaded = extractors.load(name)
    if not isinstance(loaded, DocumentKind):
        raise ValueError(
            f"document kind {name!r}: {extractors.target(name)} is a {type(loaded).__name__}, not a DocumentKind"
        )
    if name in extractors.BUILTIN or not extractors.is_dotted(name):
        if loaded.name != name:
            raise ValueError(f"document kind {name!r}: {extractors.target(name)} is named {loaded.name!r}")
    elif loaded.name in TAKEN:
        raise ValueError(f"document kind {name!r}: the name {loaded.name!r} is a built-in kind's")
    _asked[name] = loaded
    if not loaded.builtin:
        for given in loaded.gives:
            _declared[given] = loaded
    return loaded


def name_of(extractor: str) -> str:
    """The name of the kind an ``extractor:`` setting names (a dotted path gives its kind's name)."""
    return extractor if extractor in extractors.BUILTIN else get(extractor).name


def declared(kind: str) -> DocumentKind | None:
    """The plugin kind that declares Documents of ``kind``: one loaded in this process, or an
    installed entry point of that name; None for a built-in or unknown kind."""
    if kind in TAKEN:
        return None
    if kind not in _declared and kind in extractors.entry_points():
        try:
            get(kind)
        except ValueError:
            log.warning("document kind %s: its entry point does not load", kind, exc_info=True)
            return None
    return _declared.get(kind)


def field_types(kind: str) -> dict[str, str]:
    """The header fields (name -> type) of Documents of ``kind``; {} for an unknown kind."""
    if kind in FIELDS_BY_KIND:
        return FIELDS_BY_KIND[kind]
    found = declared(kind)
    return dict(found.fields) if found else {}


def line_field_types(kind: str) -> dict[str, str]:
    """The line fields (name -> type) of Documents of ``kind``; {} for an unknown kind."""
    if kind in LINE_FIELDS_BY_KIND:
        return LINE_FIELDS_BY_KIND[kind]
    found = declared(kind)
    return dict(found.line_fields) if found else {}


def read(kind: DocumentKind, reading: Reading) -> list[Document]:
    """The Documents ``kind``'s reader gives for ``reading``, checked.

    A plugin's reader that fails in any way but a StageError (a DocumentError it raised, an
    ApplicationError that asks for a retry) fails as a DocumentError naming the file and the
    kind; one that gives something else than Documents of its kind, with fields it declared in
    the normalised form of their type, fails likewise, naming the field.
    """
    if kind.builtin:
        got = kind.read(reading)
        return got if isinstance(got, list) else [got]
    try:
        got = kind.read(reading)
    except (BusinessError, ApplicationError, MemoryError) as exc:
        if isinstance(exc, BusinessError) and reading.name not in exc.reason:
            raise type(exc)(f"{reading.name}: {exc.reason}", code=exc.code, field=exc.field) from exc
        raise
    except Exception as exc:  # a plugin's reader may fail in any way: a person should see which file
        log.warning("reader failed", exc_info=True, extra={"source": reading.name, "kind": kind.name})
        raise reading.error(
            f"the {kind.name} reader failed: {type(exc).__name__}: {exc}", code="reader-failed"
        ) from exc
    documents = got if isinstance(got, list) else [got]
    if not documents:
        raise reading.error(f"the {kind.name} reader gave no document", code="reader-output")
    for document in documents:
        _check(kind, document, reading)
    return documents


def _check(kind: DocumentKind, document: Any, reading: Reading) -> None:
    def refuse(message: str, name: str | None = None) -> DocumentError:
        return reading.error(f"the {kind.name} reader {message}", code="reader-output", field=name)

    if not isinstance(document, Document):
        raise refuse(f"gave a {type(document).__name__}, not a Document")
    if document.kind not in kind.gives:
        raise refuse(f"gave a Document of kind {document.kind!r}; it declares {', '.join(sorted(kind.gives))}")
    parts = [("field", document.fields, kind.fields)]
    parts += [(f"line {n} field", line, kind.line_fields) for n, line in enumerate(document.lines, 1)]
    for what, values, types in parts:
        for name, value in values.items():
            if name not in types:
                raise refuse(
                    f"gave {what} {name!r}, which {kind.name} does not declare "
                    f"(declared: {', '.join(types) or 'none'})",
                    name,
                )
            if not isinstance(value, Field) or not isinstance(value.value, str):
                raise refuse(f"gave {what} {name!r} as {type(value).__name__}, not a Field with a text value", name)
            try:
                ok = typed(value.value, types[name]) is not None or not value.value
            except ValueError:
                ok = False
            if not ok:
                raise refuse(
                    f"gave {what} {name!r} = {value.value!r}, not a normalised {types[name]} "
                    "(ISO dates, decimals with a dot)",
                    name,
                )
