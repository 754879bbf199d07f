"""Find where one invoice ends and the next begins in a PDF that holds several.

A page starts a new document when it says ``Page 1 of N`` (``Seite 1 von N``, ``Page 1/N``), or
when it carries an invoice number different from the one of the document before. Pages
without either evidence belong to the document before them.
"""

from __future__ import annotations

import re

from backoffice.documents.layout import Line

_PAGE_ONE = re.compile(r"\b(?:page|seite|pagina|página|blatt|p\.)\s*1\s*(?:of|von|de|sur|van|/)\s*\d+\b", re.I)
_PAGE_N = re.compile(r"\b(?:page|seite|pagina|página|blatt|p\.)\s*([2-9]|\d{2,})\s*(?:of|von|de|sur|van|/)\s*\d+\b", re.I)


def split_pages(lines: list[Line], page_count: int, numbers: dict[int, str]) -> list[range]:
    """Page ranges (0-based, end exclusive), one per document; ``numbers`` maps a page (1-based) to
    the invoice number read from it alone."""
    starts = [1]
    previous_number = numbers.get(1)
    by_page: dict[int, str] = {}
    for line in lines:
        by_page[line.page] = by_page.get(line.page, "") + "\n" + line.text
    for page in range(2, page_count + 1):
        text = by_page.get(page, "")
        if _PAGE_N.search(text):
            continue
        number = numbers.get(page)
        if _PAGE_ONE.search(text) or (number and previous_number and number != previous_number):
            starts.append(page)
        if number:
            previous_number = number
    ends = starts[1:] + [page_count + 1]
    return [range(start - 1, end - 1) for start, end in zip(starts, ends)]
