"""What a phrase proposed as a party's name looks like besides a line of a postal address
(:mod:`backoffice.documents.address`): a label or a piece of legal or tax boilerplate, a person's name, the name a web or mail domain on the page
spells. Numbers for the field ranker (:mod:`backoffice.documents.ranker.features`), shapes only:
no list of known companies or people.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from backoffice.documents import labels
from backoffice.documents.letterhead import LEGAL

# Phrases of legal and tax boilerplate, notes and headings that are never a party's name:
# a tax status ("IVA Responsable Inscripto"), share capital, registers, "see last page".
_BOILERPLATE = re.compile(
    r"\b(?:responsable|inscripto|monotributo|exento|consumidor final|optante|simples nacional|regime|régime|"
    r"capital|registered|registration|register|handelsregister|amtsgericht|registergericht|sitz|geschäftsführer|"
    r"rcs|siret|siren|naf|ape|kvk|btw|tva|iva|vat|gst|hst|mwst|ust|moms|alv|dph|nip|cnpj|cpf|cuit|abn|"
    r"tax|taxes|invoice|rechnung|facture|factura|fattura|faktura|fatura|lasku|page|seite|see|siehe|voir|"
    r"(?:utility|electricity|energy|gas|water|phone|final|interim|monthly) bill|receipt|statement|quittung|recibo|"
    r"ricevuta|reçu|kvittering|kvitto|bank|banco|banque|banca|bankverbindung|"
    r"total|balance|amount|payment|paid|due|summary|description|thank|thanks|merci|danke|gracias|obrigado|"
    r"original|duplicate|copy|copia|kopie|"
    r"account|customer care|emergency|contact|phone|telephone|tel|fax|email|e-mail|website|web|office hours)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?")
_DOMAIN = re.compile(r"(?:@|https?://)?(?:www\.)?([a-z0-9][a-z0-9-]{2,})\.(?:[a-z0-9-]+\.)*[a-z]{2,6}\b")


# The words that put a letter to someone's attention ("Attn: Mia Kostas", "t.a.v. de heer M. Jansen"):
# the person after them is a contact, not the party.
_ATTENTION = re.compile(
    r"(?:attn\.?|attention|att\.|c/o|v/|t\.\s?a\.\s?v\.?|z\.\s?hd?\.?|zu händen|à l'attention de|a la atención de|alla c\.a\.)"
    r"(?=[\s:])",
    re.IGNORECASE,
)


def for_attention(text: str) -> bool:
    """Whether ``text`` puts the letter to someone's attention (``t.a.v. de heer M. Jansen``)."""
    return bool(_ATTENTION.match(text))


def boilerplate(text: str) -> int:
    """How many words of legal or tax boilerplate, document headings and notes ``text`` holds."""
    return len(_BOILERPLATE.findall(text))


def label_share(text: str) -> float:
    """The share of ``text``'s words that are part of a printed label (``Buyer``, ``Due date see
    last page``, ``Service Address``): runs of up to three words the label vocabulary knows."""
    words = text.split()
    if not words:
        return 0.0
    covered = [False] * len(words)
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            if not any(covered[start : start + size]) and labels.match(" ".join(words[start : start + size])):
                covered[start : start + size] = [True] * size
    return sum(covered) / len(words)


def person_shape(text: str) -> float:
    """1 when ``text`` is shaped like a person's name: two to four words of letters, each
    capitalised (``Ryan Fobel``, ``Joao Da Silva``, ``SCROOGE MCDUCK``) or ``LAST, FIRST``;
    0.5 for a title before it (``Mr John Smith``, ``Sr. Pérez``); 0 otherwise."""
    if LEGAL.search(text) or any(ch.isdigit() for ch in text) or boilerplate(text):
        return 0.0
    body = text.replace(",", " ") if text.count(",") == 1 else text
    tokens = body.split()
    if not 2 <= len(tokens) <= 4 or not all(_WORD.fullmatch(t) for t in tokens):
        return 0.0
    titled = tokens[0].lower().rstrip(".") in ("mr", "mrs", "ms", "dr", "herr", "frau", "m", "mme", "sr", "sra", "sig")
    small = ("da", "de", "do", "dos", "das", "van", "von", "der", "den", "del", "la", "le", "di", "du", "y", "e")
    if not all(t[0].isupper() or t.lower() in small for t in tokens):
        return 0.0
    return 0.5 if titled else 1.0


def domains(texts: list[str]) -> set[str]:
    """The names of the web and mail domains printed (``slicedinvoices`` of admin@slicedinvoices.com)."""
    found: set[str] = set()
    for text in texts:
        lower = text.lower()
        if "@" not in lower and "www." not in lower and "http" not in lower and ".com" not in lower:
            continue
        found.update(m[1] for m in _DOMAIN.finditer(lower) if m[1] not in ("www", "mail", "gmail", "yahoo", "hotmail"))
    return found


def spelled(name: str, found: AbstractSet[str]) -> bool:
    """Whether a domain printed spells ``name`` whole, legal form and all (``Ma jolie boutique``:
    majolieboutique.net); stricter than :func:`in_domain`, which also takes a domain inside the name."""
    joined = "".join(re.findall(r"[^\W\d_]+", labels.fold(name.lower())))
    return len(joined) >= 5 and any(joined in domain for domain in found)


def in_domain(name: str, found: AbstractSet[str]) -> float:
    """1 when a web or mail domain spells ``name`` (``Sliced Invoices``: slicedinvoices.com;
    ``Enbridge Gas``: enbridgegas.com), 0.5 when it holds one of its distinctive words
    (``Kitchener-Wilmot Hydro``: kwhydro.on.ca), else 0."""
    if not found:
        return 0.0
    words = [w for w in re.findall(r"[^\W\d_]+", labels.fold(name.lower())) if not LEGAL.fullmatch(w.capitalize())]
    joined = "".join(words)
    if len(joined) >= 4 and any(joined in d or (len(d) >= 5 and d in joined) for d in found):
        return 1.0
    return 0.5 if any(len(w) >= 4 and any(w in d for d in found) for w in words) else 0.0
