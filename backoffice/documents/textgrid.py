"""Plain text, HTML and e-mail bodies as pages of words, so the layout readers work on them too.

Each character takes a cell of :data:`CHAR_WIDTH` × :data:`LINE_HEIGHT` points, so a word's box
says where it stands in the text (column and line); a form feed starts a new page.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from lxml import html as lxml_html

from backoffice.documents.pdf import PdfText, Word
from backoffice.errors import DocumentError

CHAR_WIDTH = 6.0
LINE_HEIGHT = 12.0
FONT_SIZE = 10.0
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_LINES_PER_PAGE = 70
_BLOCKS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
           "header", "footer", "blockquote", "pre", "dt", "dd")


def text_to_words(text: str, source: str) -> PdfText:
    """Words of ``text`` on a character grid; pages of :data:`MAX_LINES_PER_PAGE` lines."""
    result = PdfText(source=source, page_count=0)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    page: list[Word] = []
    row = 0
    for line in lines:
        if "\f" in line or row >= MAX_LINES_PER_PAGE:
            result.pages.append(page)
            page, row = [], 0
            line = line.replace("\f", "")
        line = line.expandtabs(8)
        column = 0
        for token in line.split(" "):
            if token:
                page.append(Word(token, column * CHAR_WIDTH, row * LINE_HEIGHT + 1, (column + len(token)) * CHAR_WIDTH,
                                 row * LINE_HEIGHT + 1 + FONT_SIZE, len(result.pages) + 1, FONT_SIZE))
            column += len(token) + 1
        row += 1
    result.pages.append(page)
    width = max((w.x1 for p in result.pages for w in p), default=100.0) + CHAR_WIDTH
    result.sizes = [(width, MAX_LINES_PER_PAGE * LINE_HEIGHT)] * len(result.pages)
    result.page_count = len(result.pages)
    if not any(result.pages):
        raise DocumentError(f"{source}: the text is empty", code="empty-file")
    return result


def html_to_text(data: bytes | str) -> str:
    """The visible text of an HTML page, one block element per line, table cells apart."""
    try:
        tree = lxml_html.document_fromstring(data)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    for bad in tree.xpath("//script|//style|//head"):
        bad.drop_tree()
    for table in list(tree.iter("table")):
        _align(table)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag != "br":
                element.text = "\n" + (element.text or "")
    lines = [" ".join(line.split("\u00a0")).rstrip() for line in tree.text_content().split("\n")]
    return "\n".join(line for line in lines if line.strip())


def _align(table) -> None:
    """Replace a table by its rows as text, each column padded to its widest cell, so that the
    columns line up on the character grid as they do on screen."""
    rows = [[" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]
            for row in table.iter("tr")]
    rows = [row for row in rows if any(row)]
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(len(r) for r in rows))]
    text = "\n".join("    ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)
    block = lxml_html.Element("pre")
    block.text = "\n" + text + "\n"
    block.tail = table.tail
    table.getparent().replace(table, block)


def email_body(data: bytes, source: str) -> tuple[str, str]:
    """The text of a message's body (plain text preferred, else HTML) and its subject."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    subject = str(message.get("subject", "") or "")
    body = message.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    if body is None:
        raise DocumentError(f"{source}: the e-mail has no text or HTML body", code="email-no-body")
    content = body.get_content()
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return content, subject


def read_text_file(path: Path, kind: str) -> PdfText:
    """A text, HTML or e-mail file (``kind`` as :func:`~backoffice.documents.sniff.sniff` says) as words."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise DocumentError(f"{path.name}: the file is larger than {MAX_TEXT_BYTES // 1024 // 1024} MB",
                            code="too-large")
    data = path.read_bytes()
    if kind == "email":
        body, subject = email_body(data, path.name)
        text = f"Subject: {subject}\n\n{body}" if subject else body
    elif kind == "html":
        text = html_to_text(data)
    else:
        text = data.decode("utf-8-sig", errors="replace")
    return text_to_words(text, path.name)
