"""The words of a document with their boxes, and the document's pages of them: the types that the
text-layer reader (:mod:`~backoffice.documents.pdf`), the OCR reader (:mod:`~backoffice.documents.ocr`)
and every reader after them share. Nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_MAX_PAGES = 200  # pages a document may have before it is refused


@dataclass(frozen=True)
class Word:
    """One word of a page's text layer; coordinates in points from the page's top-left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    size: float = 0.0
    font: str = ""
    conf: float = 1.0  # how sure OCR is of the word (1.0 for a text layer)


@dataclass
class PdfText:
    """The words of every page, in reading order per page."""

    source: str
    page_count: int
    pages: list[list[Word]] = field(default_factory=list)
    sizes: list[tuple[float, float]] = field(default_factory=list)
    ocr_pages: set[int] = field(default_factory=set)

    def words(self) -> list[Word]:
        return [w for page in self.pages for w in page]
