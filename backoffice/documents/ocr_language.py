"""Which language a page is written in, from words a first OCR pass read, as tesseract names it.

The words are weighed by the invoice reader's own vocabulary of each language
(:func:`backoffice.documents.locale.infer_locale`, accents folded, since a first pass in English
drops them); this module only names the result the way tesseract's language packs are named.
Only the languages the invoice reader knows are told apart (:data:`CODES`).
"""

from __future__ import annotations

from collections.abc import Iterable

# ISO 639-1 (the invoice reader's language codes) -> tesseract's language pack.
CODES: dict[str, str] = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "nl": "nld",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "pl": "pol",
    "cs": "ces",
    "sv": "swe",
    "da": "dan",
    "no": "nor",
    "fi": "fin",
}


def guess(texts: Iterable[str]) -> str | None:
    """The tesseract code of the language ``texts`` are in, or None when they say too little."""
    # Deferred: locale reads the reader's words through documents.pdf, which imports the OCR reader.
    from backoffice.documents.locale import infer_locale

    language = infer_locale(texts).language
    return CODES.get(language) if language else None
