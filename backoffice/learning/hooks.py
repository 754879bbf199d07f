"""The two places the runner uses learning: reading a new file (learned layouts first) and
completing an item (it may teach). Both are cheap when nothing was learned, and neither ever
fails an item: a learning fault is logged and the item goes on as the reader read it."""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import Any

from backoffice.documents.models import Document
from backoffice.documents.pdf import PdfText, read_words
from backoffice.errors import DocumentError
from backoffice.learning.apply import LearnedReader
from backoffice.learning.layout import Layout
from backoffice.learning.learn import KINDS, learn, lesson
from backoffice.queue.base import Store, WorkItem

log = logging.getLogger(__name__)
_readers: weakref.WeakKeyDictionary[Store, LearnedReader] = weakref.WeakKeyDictionary()


def reader_for(store: Store) -> LearnedReader:
    """One reader (and index) per store, kept while the store lives."""
    found = _readers.get(store)
    if found is None:
        found = _readers[store] = LearnedReader(store.layouts())
    return found


def words_of(path: Path) -> PdfText | None:
    """The words of a PDF (no OCR), or None when the file is not one that can teach or be taught."""
    with path.open("rb") as stream:
        if b"%PDF-" not in stream.read(1024):
            return None
    try:
        return read_words(path, ocr=False)
    except DocumentError:  # a scan (no text layer), a broken file: the reader said what it could
        return None


def read_learned(store: Store, path: Path, document: Document, text: PdfText | None = None) -> dict[str, Any] | None:
    """Read ``document`` (just extracted from ``path``) again with the learned layout it fits;
    returns what was learned-read (for the item's payload), None when no layout fits."""
    if document.kind not in KINDS or document.method == "embedded-xml":
        return None
    try:
        reader = reader_for(store)
        if reader.empty():  # nothing learned yet: the PDF is not read again
            return None
        text = text or words_of(path)
        if text is None:
            return None
        reading = reader.read(text, document)
    except Exception:
        log.warning("learned layouts not applied", exc_info=True, extra={"action": "learned-read"})
        return None
    return reading.to_dict() if reading else None


def after_done(store: Store, item: WorkItem, path: Path | None) -> Layout | None:
    """Learn from an item that just reached ``done``, when a person taught it something."""
    if path is None or lesson(item) is None:
        return None
    try:
        text = words_of(path)
        return learn(store.layouts(), item, text) if text is not None else None
    except Exception:
        log.warning("item %s: nothing learned", item.id, exc_info=True, extra={"action": "learn"})
        return None


def _path(bot: Any, item: WorkItem) -> Path | None:
    return bot.context.files.path(item.files[0]) if item.files else None


def on_extracted(store: Store, bot: Any, item: WorkItem, document: Document) -> dict[str, Any] | None:
    """The runner's call once an item's file was read (not for a document a person already
    corrected, which the item keeps): apply the learned layout it fits."""
    if "document" in item.payload:
        return None
    path = _path(bot, item)
    return read_learned(store, path, document) if path is not None else None


def on_done(store: Store, bot: Any, item: WorkItem) -> Layout | None:
    """The runner's call once an item is ``done``: learn from it when a person taught it."""
    if lesson(item) is None:
        return None
    return after_done(store, item, _path(bot, item))
