"""The places the runner uses learning: reading a new file (learned layouts first), holding an
item whose learned reading and the reader disagree for a person's look, and completing an item
(it may teach). Reading and learning are cheap when nothing was learned, and neither ever fails
an item: a learning fault is logged and the item goes on as the reader read it.

A scan is read by OCR again for its words (the reader's words are not kept), only when a
learned layout could apply: when something was learned, or when the item teaches.
"""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from typing import Any

from backoffice.learning.store import layouts
from backoffice.documents.models import Document
from backoffice.documents.pdf import PdfText, read_words
from backoffice.errors import BusinessError, DocumentError
from backoffice.learning.apply import LearnedReader, review_note
from backoffice.learning.layout import Layout
from backoffice.learning.learn import KINDS, learn, lesson
from backoffice.queue.base import Store, WorkItem

log = logging.getLogger(__name__)
_readers: weakref.WeakKeyDictionary[Store, LearnedReader] = weakref.WeakKeyDictionary()


def reader_for(store: Store) -> LearnedReader:
    """One reader (and index) per store, kept while the store lives."""
    found = _readers.get(store)
    if found is None:
        found = _readers[store] = LearnedReader(layouts(store))
    return found


def words_of(path: Path, ocr: bool = False) -> PdfText | None:
    """The words of a PDF, or with ``ocr`` of a scan (a PDF of images, or an image file) as OCR
    reads them; None when the file is not one that can teach or be taught."""
    from backoffice.documents import ocr as ocr_reader, sniff

    with path.open("rb") as stream:
        pdf = b"%PDF-" in stream.read(1024)
    try:
        if pdf:
            return read_words(path, ocr=ocr)
        if ocr and sniff.sniff(path) == "image":
            return ocr_reader.read_image_file(path)
    except DocumentError:  # a scan without OCR, a broken file: the reader said what it could
        return None
    return None


def scanned(document: Document | dict[str, Any]) -> bool:
    """Whether the document was read by OCR (so its words must be too)."""
    method = document.method if isinstance(document, Document) else document.get("method")
    return method == "ocr"


def hold_for_review(learned: dict[str, Any] | None) -> None:
    """Send an item to the exception queue when its learned reading and the reader disagree on a
    field the reader used to read right (see :class:`~backoffice.learning.apply.Reading`): the
    reason names each field and both values. Only a fresh reading holds; after a person's look
    (the item retried) the runner reads nothing again, so nothing holds it twice."""
    note = review_note(learned)
    if note is not None:
        raise BusinessError(note, code="learned-review")


def read_learned(store: Store, path: Path, document: Document, text: PdfText | None = None) -> dict[str, Any] | None:
    """Read ``document`` (just extracted from ``path``) again with the learned layout it fits;
    returns what was learned-read (for the item's payload), None when no layout fits."""
    if document.kind not in KINDS or document.method == "embedded-xml":
        return None
    try:
        reader = reader_for(store)
        if reader.empty():  # nothing learned yet: the PDF is not read again
            return None
        text = text or words_of(path, ocr=scanned(document))
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
        text = words_of(path, ocr=scanned(item.payload.get("document") or {}))
        return learn(layouts(store), item, text) if text is not None else None
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
