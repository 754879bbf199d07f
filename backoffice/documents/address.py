"""What a line of a postal address looks like, in the 13 languages and a few more: a street word,
a postcode of one of many countries' shapes, a house number. One vocabulary for every caller
that asks "is this an address line?": the letterhead and address-block guesses
(:mod:`backoffice.documents.letterhead`) and the ranker's name features
(:mod:`backoffice.documents.names`, :mod:`backoffice.documents.ranker.features`). Shapes only:
no list of towns or streets.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Street words of the 13 languages and a few more (abbreviated or not), as a word of their own
# or ending a compound ("Hauptstraße", "Storgatan", "Hammerstads gate").
STREET = re.compile(
    r"\b(?:street|st|road|rd|avenue|ave|av|drive|dr|lane|ln|blvd|boulevard|way|court|ct|place|pl|square|sq|"
    r"highway|hwy|parkway|pkwy|terrace|crescent|close|suite|ste|floor|fl|unit|building|bldg|po box|p\.?o\.? box|"
    r"stra(?:ß|ss)e|str|weg|platz|gasse|allee|ring|damm|ufer|chaussee|postfach|"
    r"rue|avenue|chemin|impasse|allée|quai|cours|route|lieu[- ]dit|zac|zi|bp|cedex|"
    r"straat|laan|plein|gracht|kade|singel|dijk|postbus|"
    r"calle|c/|avenida|avda|paseo|plaza|camino|carretera|ctra|apartado|"
    r"via|viale|piazza|corso|vicolo|località|"
    r"rua|travessa|largo|praça|estrada|rodovia|alameda|bairro|vila|"
    r"ulica|ul|aleja|al|osiedle|os|plac|"
    r"ulice|nám|náměstí|třída|"
    r"gatan|gata|vägen|väg|torget|box|gate|veien|vei|vej|gade|allé|plads|katu|tie|polku|kuja|"
    r"road no|sector|nagar|marg|chowk|colony|complex|centre|center|plot|near|opp)\b\.?"
    # (not Finnish "-tie" in a compound: Dutch "corporatie", "administratie" end so too; its house number tells)
    r"|[^\W\d_]{3,}(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|allee|damm|chaussee|gatan|vägen|veien|gade|vej|katu|straat|laan)\b",
    re.IGNORECASE,
)
POSTCODE = re.compile(
    r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # US: WA 98101
    r"|\b[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z]\s?\d[A-CEGHJ-NPR-TV-Z]\d\b"  # CA: N2G 4R6
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"  # UK: S1 1RT
    r"|\b\d{4}\s?[A-Z]{2}\b"  # NL: 1012 AB
    r"|\b\d{2}-\d{3}\b|\b\d{4}-\d{3}\b|\b\d{5}-\d{3}\b"  # PL 00-950, PT 1000-001, BR 01310-100
    r"|\b\d{3}\s\d{2}\b"  # CZ, SE: 110 00, 114 55
    r"|\b(?:[A-Z]{1,2}-)?\d{4,6}\b"  # DE, FR, IT, ES, DK, NO, IN ...: 10115, D-10115, 560001
    r"|\s/\s?[A-Z]{2}$"  # BR: São Vicente / SP
)
HOUSE = re.compile(r"^\d{1,5}[a-zA-Z]?\b|\b\d{1,5}[a-zA-Z]?$|\d+/\d+")  # a house number first or last, 150/1


@lru_cache(maxsize=8192)  # the same phrases are asked about by several readers and features
def street(text: str) -> bool:
    """Whether ``text`` names a street, a box, a floor or a building, in one of many languages."""
    return bool(STREET.search(text))


@lru_cache(maxsize=8192)
def postcode(text: str) -> bool:
    """Whether ``text`` holds a postcode of one of many countries' shapes (with a town or a region)."""
    return bool(POSTCODE.search(text))


@lru_cache(maxsize=8192)
def signs(text: str) -> int:
    """How many signs of a postal address line ``text`` shows: a street word, a postcode, a house
    number, digits with a comma or a slash (``Workafella Business Centre 150/1, Infantry Road``)."""
    digits = any(ch.isdigit() for ch in text)
    return (
        int(street(text))
        + int(postcode(text))
        + int(bool(HOUSE.search(text)))
        + int(digits and ("," in text or "/" in text))
    )


def line(text: str) -> bool:
    """Whether ``text`` reads like a line of a postal address (street, house number, postcode,
    town and region code) rather than a name."""
    return signs(text) > 0


def country(text: str, language: str | None = None) -> bool:
    """Whether ``text`` is a country's name alone, in English or ``language`` (CLDR through
    Babel): the last line of an address ("AUSTRALIA", "Deutschland"), no party."""
    key = " ".join(text.casefold().split())
    return key in _countries("en") or bool(language) and language != "en" and key in _countries(language)


@lru_cache(maxsize=8)
def _countries(language: str | None) -> frozenset[str]:
    from babel import Locale, UnknownLocaleError  # deferred: only a name that may be a country asks

    try:
        territories = Locale.parse("nb" if language == "no" else language or "en").territories
    except (UnknownLocaleError, ValueError):
        return frozenset()
    return frozenset(" ".join(name.casefold().split()) for code, name in territories.items() if code.isalpha())
