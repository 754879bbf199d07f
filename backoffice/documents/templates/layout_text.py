"""A page's words as plain text laid out like ``pdftotext -layout``: one text line per printed
line, words at the column their position gives, a single space for a normal word gap.

invoice2data templates are written against that text (their regexes count spaces), so this is
what templates are matched with.
"""

from __future__ import annotations

from statistics import median

from backoffice.documents.layout import lines_of
from backoffice.documents.pdf import PdfText, Word


def page_text(words: list[Word]) -> str:
    if not words:
        return ""
    widths = [(w.x1 - w.x0) / len(w.text) for w in words if len(w.text) >= 2 and w.x1 > w.x0]
    # pdftotext -layout packs a little more columns than the median glyph width suggests.
    char = median(widths) * 0.85 if widths else 5.0
    left = min(w.x0 for w in words)
    out = []
    previous_bottom = None
    for line in lines_of(words):
        if previous_bottom is not None:
            height = max(line.bottom - line.top, 1.0)
            if line.top - previous_bottom > 1.2 * height:
                out.append("")
        previous_bottom = line.bottom
        text = ""
        last_x1 = None
        for word in line.words:
            column = int((word.x0 - left) / char)
            if not text:
                text = " " * column
            elif last_x1 is not None and word.x0 - last_x1 < 1.5 * char:
                text += " "
            else:  # a wide gap: as many spaces as the gap holds characters of this font
                text += " " * max(2, round((word.x0 - (last_x1 or 0)) / (0.55 * max(word.size, 4.0))))
            text += word.text
            last_x1 = word.x1
        out.append(text.rstrip())
    return "\n".join(out)


def layout_text(text: PdfText) -> str:
    """All pages, a form feed between pages as pdftotext writes them."""
    return "\n\f".join(page_text(words) for words in text.pages)


def area_text(text: PdfText, area: dict) -> str:
    """The text inside an invoice2data ``area`` (pdftotext's ``-f -l -x -y -W -H`` at ``-r`` dpi)."""
    resolution = float(area.get("r", 72)) or 72.0
    scale = 72.0 / resolution
    x0, top = float(area.get("x", 0)) * scale, float(area.get("y", 0)) * scale
    x1, bottom = x0 + float(area.get("W", 10**6)) * scale, top + float(area.get("H", 10**6)) * scale
    first, last = int(area.get("f", 1)), int(area.get("l", text.page_count))
    pages = []
    for number, words in enumerate(text.pages, start=1):
        if first <= number <= last:
            pages.append(page_text([w for w in words if w.x0 >= x0 and w.x1 <= x1 and w.top >= top and w.bottom <= bottom]))
    return "\n\f".join(pages)
