"""The habits of one document, inferred from all of its words at once.

A reader that looks at one value at a time cannot tell ``09/05/2016`` (9 May or September 5th),
``1.234`` (one thousand or one point two) or ``$`` (US dollars, Canadian dollars or pesos). The
page as a whole usually can: another date with a day above 12, amounts that end in ``,56``, a UK
VAT number, a ``£``, an IBAN, a phone prefix, the word ``PESOS``. :func:`infer_locale` weighs all
of it and returns a :class:`DocumentLocale`, whose fields the invoice reader (and its ranker, as
features) use instead of guessing per value. Where the page is silent, CLDR (through Babel) says
what the language and country usually write.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from backoffice.documents.labels import fold
from backoffice.documents.layout import Line
from backoffice.documents.normalise import find_iban, find_vat_ids, local_currency_signs
from backoffice.documents.words import Word

# Frequent words of invoices per language (ISO 639-1): function words and the words of labels.
# A word several languages share counts for each, divided by how many share it.
WORDS: dict[str, str] = {
    "en": "the and of to for with invoice total date due amount tax payment bill number please thank you your our "
    "from subtotal balance customer description quantity price paid sales terms order",
    "de": "und der die das den dem des für mit rechnung betrag datum summe zahlbar bitte ihre unsere netto brutto "
    "mwst ust steuer menge preis kunde lieferung zahlung bis vom gesamt einzelpreis",
    "fr": "le la les des du de et pour avec facture montant date total tva payer client quantité prix ht ttc "
    "paiement échéance votre notre règlement désignation",
    "nl": "de het een en van voor met factuur bedrag datum totaal btw betalen klant aantal prijs uw onze betaling "
    "vervaldatum te omschrijving",
    "es": "el la los las del de y para con factura importe fecha total iva pagar cliente cantidad precio su nuestra "
    "pago vencimiento descripción",
    "it": "il lo la gli le del della di e per con fattura importo data totale iva pagare cliente quantità prezzo "
    "scadenza pagamento imponibile descrizione",
    "pt": "o a os as do da de e para com fatura nota valor data total pagar cliente quantidade preço vencimento "
    "pagamento emissão descrição",
    "pl": "i w z na do dla faktura kwota data razem netto brutto vat sprzedawca nabywca zapłaty termin płatności "
    "ilość cena wartość",
    "cs": "a v z na do pro faktura částka datum celkem dph dodavatel odběratel splatnosti úhrady množství cena "
    "daňový doklad",
    "sv": "och att för med av på faktura belopp datum summa moms betala kund antal pris förfallodatum betalning",
    "da": "og at for med af på faktura beløb dato i alt moms betale kunde antal pris forfaldsdato betaling",
    "no": "og at for med av på faktura beløp dato sum mva betale kunde antall pris forfallsdato betaling",
    "fi": "ja on lasku summa päivämäärä yhteensä alv maksaa asiakas määrä hinta eräpäivä maksu veroton verollinen",
}
# International dialling codes of the countries invoices here come from.
CALLING_CODES: dict[str, str] = {
    "1": "US",
    "44": "GB",
    "49": "DE",
    "33": "FR",
    "31": "NL",
    "32": "BE",
    "34": "ES",
    "39": "IT",
    "351": "PT",
    "48": "PL",
    "420": "CZ",
    "421": "SK",
    "46": "SE",
    "45": "DK",
    "47": "NO",
    "358": "FI",
    "43": "AT",
    "41": "CH",
    "353": "IE",
    "352": "LU",
    "61": "AU",
    "64": "NZ",
    "91": "IN",
    "55": "BR",
    "54": "AR",
    "52": "MX",
    "27": "ZA",
}
# Currency signs and codes that belong to one country.
CURRENCY_COUNTRIES: dict[str, str] = {
    "£": "GB",
    "GBP": "GB",
    "zł": "PL",
    "PLN": "PL",
    "Kč": "CZ",
    "CZK": "CZ",
    "CHF": "CH",
    "₹": "IN",
    "INR": "IN",
    "R$": "BR",
    "BRL": "BR",
    "NOK": "NO",
    "SEK": "SE",
    "DKK": "DK",
    "HUF": "HU",
    "CAD": "CA",
    "AUD": "AU",
    "ARS": "AR",
    "MXN": "MX",
    "CA$": "CA",
    "A$": "AU",
    "AU$": "AU",
    "NZD": "NZ",
    "SGD": "SG",
    "ZAR": "ZA",
    "HKD": "HK",
    "RON": "RO",
    "BGN": "BG",
}
# Names of national tax and company registers, printed beside their numbers.
REGISTER_WORDS: dict[str, str] = {
    "hst": "CA",
    "gst/hst": "CA",
    "qst": "CA",
    "tvq": "CA",
    "a.b.n.": "AU",
    "abn": "AU",
    "acn": "AU",
    "gstin": "IN",
    "cnpj": "BR",
    "cpf": "BR",
    "cuit": "AR",
    "afip": "AR",
    "nit": "CO",
    "dian": "CO",
    "ruc": "PE",
    "r.u.c.": "PE",
    "sunat": "PE",
    "igv": "PE",
    "i.g.v.": "PE",
    "rfc": "MX",
    "cfdi": "MX",
    "rut": "CL",
    "r.u.t.": "CL",
    "vkn": "TR",
    "nip": "PL",
    "regon": "PL",
    "ičo": "CZ",
    "dič": "CZ",
    "siret": "FR",
    "siren": "FR",
    "kvk": "NL",
    "ust-idnr": "DE",
    "steuernummer": "DE",
    "partita": "IT",
    "cvr": "DK",
    "y-tunnus": "FI",
    "org.nr": "NO",
    "mva": "NO",
    "alv": "FI",
    "uid": "AT",
}
SIGNS: dict[str, str] = {
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "zł": "PLN",
    "Kč": "CZK",
    "R$": "BRL",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "US$": "USD",
    "¥": "JPY",
}
_VAT_COUNTRY = {"EL": "GR", "CH": "CH"}

_TOKEN = re.compile(r"[^\W\d_]+")
_SIGN_TAIL = re.compile(r"^[\d.,\u00a0 -]+")  # "1234,56zł": the sign after the digits
_REGISTER = re.compile(
    r"(?<![\w/.-])(?:" + "|".join(re.escape(w) for w in REGISTER_WORDS) + r")(?![\w/-])", re.IGNORECASE
)
_POSTCODES = {
    "CA": re.compile(r"\b[A-CEGHJ-NPR-TVXY]\d[A-CEGHJ-NPR-TV-Z] \d[A-CEGHJ-NPR-TV-Z]\d\b"),
    "GB": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b"),
    # a state or territory and its postcode ("Sydney NSW 2000", "Portland, OR 97205")
    "AU": re.compile(r"\b(?:NSW|VIC|QLD|TAS|ACT|NT|WA|SA),? \d{4}\b(?!-)"),
    "US": re.compile(
        r"\b(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND"
        r"|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY),? \d{5}(?:-\d{4})?\b"
    ),
}
# Canada's provinces before their postcode are counted by the postcode itself; its business
# numbers for GST/HST ("123456789 RT0001") and Australia's ABN ("51 824 753 556") by their shape.
_NUMBERS = {
    "CA": re.compile(r"(?<![\w-])\d{9} ?RT ?\d{4}(?![\w-])"),
    "AU": re.compile(r"(?i)\bA\.?B\.?N\.?:?\s*(\d{2} ?\d{3} ?\d{3} ?\d{3})\b"),
}
# Area codes of Canada in the North American numbering plan (+1): a phone there is Canadian.
_CANADIAN_AREAS = frozenset(
    "204 226 236 249 250 257 263 289 306 343 354 365 367 368 382 387 403 416 418 428 431 437 438 450 460 468 474 506"
    " 514 519 548 579 581 584 587 600 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867 873 879 902"
    " 905 942".split()
)
_NANP = re.compile(
    r"(?:\+\s?1[\s.\-]?|(?<![\w+]))(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})[\s.\-])[2-9]\d{2}[\s.\-]\d{4}(?![\d.,])"
)
_CODE = re.compile(r"\b[A-Z]{3}\b")
# a web or mail address's country domain ("office@kiwiplumbinggas.co.nz", "www.lusomar.pt")
_WEB = re.compile(r"(?:@|www\.|https?://)[a-z0-9.-]+\.([a-z]{2})\b(?![.\w-])")
_GENERIC_TLDS = frozenset({"AI", "CO", "FM", "IO", "ME", "TV", "LY", "GG", "SH", "AC", "TO", "WS", "CC", "EU"})
_SIGN = re.compile(r"(?:US\$|CA\$|AU\$|A\$|R\$|[€£₹¥$]|zł|Kč)")
# "+45 33 12 34 56", "0049 (0)89 ...": the 00 form before a space or a bracket (not an account's "0045-7002-1187")
_PHONE = re.compile(r"\+\s?(\d{1,3})[\s\-/().]{1,2}\(?\d|(?<![\w./-])00\s?(\d{1,3})[\s(]{1,2}\(?\d")
_SLASHED = re.compile(r"(?<![\d.,])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.,]|[/\-]\d)")
_ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
_GROUPED = {
    ",": re.compile(r"(?<![\d.,])\d{1,3}(?:[. \u00a0\u202f]\d{3})+,\d{2}(?![\d.,])"),
    ".": re.compile(r"(?<![\d.,])\d{1,3}(?:[, \u00a0\u202f']\d{3})+\.\d{2}(?![\d.,])"),
}
_PLAIN = {",": re.compile(r"(?<![\d.,])\d+,\d{2}(?![\d.,])"), ".": re.compile(r"(?<![\d.,])\d+\.\d{2}(?![\d.,])")}


@dataclass(frozen=True)
class DocumentLocale:
    """What one document's words say about how it writes things.

    ``language`` (ISO 639-1) and ``country`` (ISO 3166-1) are None when nothing points to one;
    ``decimal_mark`` is ``","``, ``"."`` or None; ``currency`` is the ISO 4217 code the signs,
    codes and words point to, and ``dollar`` what a bare ``$`` stands for here (``USD``, ``CAD``,
    ``ARS``..., or None when the words say it is not US dollars but not which). ``evidence`` says
    why, one short line per finding. ``dollar_doubt`` and ``order_doubt`` say that the page leaves
    what ``$`` means, or the order of day and month, open: a value read by them is no sure value.
    """

    language: str | None = None
    country: str | None = None
    day_first: bool = True
    decimal_mark: str | None = None
    currency: str | None = None
    dollar: str | None = "USD"
    evidence: tuple[str, ...] = ()
    dollar_doubt: bool = False  # "$" printed, and nothing says which dollar (a UK VAT id beside "$")
    order_doubt: bool = False  # no date settles the order, and the country and the currency disagree about it

    @property
    def dates_settled(self) -> bool:
        """Whether the page's own dates (a day above 12, dotted dates) decided the date order."""
        return any(line.startswith("day first:") and "dates that settle it" in line for line in self.evidence)

    @property
    def amounts_settled(self) -> bool:
        """Whether the page's own amounts decided the decimal mark."""
        return any(line.startswith("decimal mark") and "amounts" in line for line in self.evidence)

    def features(self) -> dict[str, float]:
        """The locale as numbers, for a model that ranks candidate values: one-hot language, the
        date order and decimal mark and whether the page itself settled them, a country and
        currency found, and whether ``$`` means US dollars."""
        found = {f"language_{code}": float(self.language == code) for code in WORDS}
        found.update(
            {
                "language_known": float(self.language is not None),
                "country_known": float(self.country is not None),
                "day_first": float(self.day_first),
                "dates_settled": float(self.dates_settled),
                "decimal_comma": float(self.decimal_mark == ","),
                "decimal_dot": float(self.decimal_mark == "."),
                "amounts_settled": float(self.amounts_settled),
                "currency_known": float(self.currency is not None),
                "dollar_is_usd": float(self.dollar == "USD"),
            }
        )
        return found


def infer_locale(texts: Iterable[str]) -> DocumentLocale:
    """The locale of a document whose lines (or phrases) are ``texts``."""
    text = "\n".join(texts)  # one pass of each pattern over the whole document
    evidence: list[str] = []
    language = _language(text, evidence)
    country = _country(text, evidence)
    decimal_mark = _decimal_mark(text, language, country, evidence)
    currency, dollar = _currency(text, country, evidence)
    dollar_doubt = _dollar_doubt(text, country, dollar)
    if dollar_doubt:
        evidence.append(f"'$' is uncertain: no code and no sign of a dollar country (country {country})")
    if country is None and currency == "USD" and language in (None, "en"):
        country = "US"  # only US dollars, no other sign of a country: the date order of the US
    day_first = _day_first(text, language, country, evidence)
    order_doubt = _order_doubt(text, language, country, currency, day_first, evidence)
    return DocumentLocale(
        language, country, day_first, decimal_mark, currency, dollar, tuple(evidence), dollar_doubt, order_doubt
    )


def settle_currency(locale: DocumentLocale, lines: list[Line], votes: Counter[str], words: dict[str, Word]) -> None:
    """Correct the currency votes a reader counted from codes and common signs (``words`` maps a
    code to the word that showed it): ``$`` votes go to what ``$`` means on this document, or are
    dropped when the document says only that it is not US dollars; and when nothing voted, the
    local signs CLDR knows (``zł``, ``Kč``, ``kr``, ``Ft``) vote, ``kr`` for the country's crowns."""
    if locale.dollar != "USD" and "USD" in votes:
        count, word = votes.pop("USD"), words.pop("USD", None)
        if locale.dollar:
            votes[locale.dollar] += count
            if word is not None:
                words.setdefault(locale.dollar, word)
    if votes:
        return
    signs = local_currency_signs()
    own = own_currency(locale.country)
    for line in lines:
        for word in line.words:
            codes = signs.get(_SIGN_TAIL.sub("", word.text.strip("()[]:,;")).rstrip("."))
            if not codes:
                continue
            code = next(iter(codes)) if len(codes) == 1 else own if own in codes else None
            if code:
                votes[code] += 1
                words.setdefault(code, word)


# ---------------------------------------------------------------- language


@lru_cache(maxsize=1)
def _weights() -> dict[str, dict[str, float]]:
    owners: dict[str, set[str]] = {}
    for language, words in WORDS.items():
        for word in words.split():
            owners.setdefault(fold(word), set()).add(language)
    return {word: {language: 1 / len(languages) for language in languages} for word, languages in owners.items()}


def _language(text: str, evidence: list[str]) -> str | None:
    weights = _weights()
    score: dict[str, float] = {}
    for token, count in Counter(_TOKEN.findall(text.lower())).items():
        for language, weight in weights.get(token if token.isascii() else fold(token), {}).items():
            score[language] = score.get(language, 0.0) + weight * count
    ranked = sorted(score.items(), key=lambda item: -item[1])[:2]
    if not ranked or ranked[0][1] < 2 or len(ranked) > 1 and ranked[0][1] < 1.2 * ranked[1][1]:
        return None
    evidence.append(
        f"language {ranked[0][0]}: word score {ranked[0][1]:.1f}"
        + (f" against {ranked[1][0]} {ranked[1][1]:.1f}" if len(ranked) > 1 else "")
    )
    return ranked[0][0]


# ---------------------------------------------------------------- country


def _country(text: str, evidence: list[str]) -> str | None:
    from stdnum.eu import (
        vat as eu_vat,  # deferred: python-stdnum's imports take ~20 ms at start-up
    )

    votes: Counter[str] = Counter()
    why: dict[str, list[str]] = {}

    def vote(country: str, weight: int, reason: str) -> None:
        votes[country] += weight
        why.setdefault(country, []).append(reason)

    for vat in dict.fromkeys(vat for vat, _ in find_vat_ids(text)):
        prefix = "CH" if vat.startswith("CHE") else vat[:2]
        vote(_VAT_COUNTRY.get(prefix, prefix), 4 if eu_vat.is_valid(vat) else 2, f"VAT id {vat}")
    iban = find_iban(text)
    if iban:
        vote(iban[0][:2], 3, f"IBAN {iban[0][:4]}…")
    for code in (plus or zeros for plus, zeros in _PHONE.findall(text)):
        if code in CALLING_CODES and code != "1":
            vote(CALLING_CODES[code], 1, f"phone +{code}")
    # +1 is the US and Canada: the area code tells them apart
    for bracketed, plain in dict.fromkeys(_NANP.findall(text)):
        area = bracketed or plain
        vote("CA" if area in _CANADIAN_AREAS else "US", 1, f"phone area code {area}")
    for country, pattern in _NUMBERS.items():
        for number in pattern.findall(text):
            if country != "AU" or _abn_valid(number):
                vote(country, 3, f"business number {number}")
    for word in _REGISTER.findall(text):
        vote(REGISTER_WORDS[word.lower()], 2, f"register {word}")
    for country, pattern in _POSTCODES.items():
        for postcode in dict.fromkeys(pattern.findall(text)):  # one address printed thrice is one address
            vote(country, 1, f"postcode {postcode}")
    for sign, count in Counter(_SIGN.findall(text) + _CODE.findall(text)).items():
        if sign in CURRENCY_COUNTRIES:
            vote(CURRENCY_COUNTRIES[sign], min(count, 3), f"currency {sign}")
    for tld in dict.fromkeys(m[1].upper() for m in _WEB.finditer(text.lower())):
        if tld not in _GENERIC_TLDS:
            vote("GB" if tld == "UK" else tld, 1, f"domain .{tld.lower()}")
    if not votes:
        return None
    country, _ = votes.most_common(1)[0]
    evidence.append(f"country {country}: {', '.join(dict.fromkeys(why[country]))}")
    return country


def _abn_valid(number: str) -> bool:
    """The checksum of an Australian Business Number (11 digits)."""
    digits = [int(ch) for ch in number if ch.isdigit()]
    if len(digits) != 11:
        return False
    digits[0] -= 1
    weights = (10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19)
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 89 == 0


# ---------------------------------------------------------------- numbers and dates


def _without_dates(text: str) -> str:
    return _ISO_DATE.sub(" ", _SLASHED.sub(" ", text))


def _decimal_mark(text: str, language: str | None, country: str | None, evidence: list[str]) -> str | None:
    score = {",": 0, ".": 0}
    plain = _without_dates(text)
    for mark in score:
        score[mark] += 3 * len(_GROUPED[mark].findall(plain)) + len(_PLAIN[mark].findall(plain))
    if score[","] != score["."]:
        mark = max(score, key=lambda m: score[m])
        evidence.append(f"decimal mark {mark!r}: amounts {score[',']} with ',' and {score['.']} with '.'")
        return mark
    habit = _cldr(language, country)
    if habit is None:
        return None
    evidence.append(f"decimal mark {habit[1]!r}: what {habit[2]} writes")
    return habit[1]


def _day_first(text: str, language: str | None, country: str | None, evidence: list[str]) -> bool:
    day = month = 0
    for match in _SLASHED.finditer(text):
        a, b = int(match[1]), int(match[3])
        if match[2] == ".":
            day += 1  # 03.05.2024 is written day first everywhere
        elif a > 12 >= b:
            day += 3
        elif b > 12 >= a:
            month += 3
    if day != month:
        evidence.append(f"day first: {day >= month} (dates that settle it: {day} day first, {month} month first)")
        return day > month
    habit = _cldr(language, country)
    if habit is None:
        return True
    evidence.append(f"day first: {habit[0]} (what {habit[2]} writes)")
    return habit[0]


def _order_doubt(
    text: str, language: str | None, country: str | None, currency: str | None, day_first: bool, evidence: list[str]
) -> bool:
    """Whether the order of day and month stays open: no date on the page settles it, a date
    could be read both ways (``03/12/2024``), and the currency's country writes dates the other
    way round from the country the page's ids and addresses point to (a UK VAT id and US dollars)."""
    if any(line.startswith("day first:") and "dates that settle it" in line for line in evidence):
        return False
    if not any(int(m[1]) != int(m[3]) and m[2] != "." for m in _SLASHED.finditer(text)):
        return False
    home = _currency_country(currency)
    if home is None or home == country:
        return False
    habit = _cldr(language, home)
    if habit is None or habit[0] == day_first:
        return False
    evidence.append(f"date order uncertain: {country or 'the language'} writes day first {day_first}, {home} not")
    return True


@lru_cache(maxsize=32)
def _currency_country(currency: str | None) -> str | None:
    """The one country whose own currency ``currency`` is (``USD`` -> ``US``), None for a currency
    many countries share (``EUR``)."""
    if currency is None or currency == "EUR":
        return None
    if currency == "USD":
        return "US"
    countries = {country for sign, country in CURRENCY_COUNTRIES.items() if sign == currency}
    return countries.pop() if len(countries) == 1 else None


@lru_cache(maxsize=64)
def _cldr(language: str | None, country: str | None) -> tuple[bool, str, str] | None:
    """(day first, decimal mark, locale name) that CLDR gives for a language and country."""
    # deferred: CLDR data loads in tens of ms
    from babel import Locale, UnknownLocaleError

    if language is None and country is None:
        return None
    language = "nb" if language == "no" else language  # CLDR writes Norwegian Bokmål
    tag = f"{language or 'und'}_{country}" if country else language or "und"
    locale: Locale | None
    try:
        locale = Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        try:
            locale = Locale.parse(f"und_{country}") if country else None
        except (UnknownLocaleError, ValueError):
            return None
    if locale is None:
        return None
    day_first = True
    for style in ("short", "medium"):
        pattern = locale.date_formats[style].pattern
        d, m, y = pattern.find("d"), pattern.find("M"), pattern.find("y")
        if 0 <= y < min(d, m):
            continue  # year first (2024-05-03): the next style says
        day_first = d < m
        break
    return day_first, locale.number_symbols["latn"]["decimal"], str(locale)


# ---------------------------------------------------------------- currency


_CODES = frozenset(CURRENCY_COUNTRIES.keys() | {"EUR", "USD"}) - SIGNS.keys()
_PESOS = re.compile(r"(?i)\bpesos?\b")


def _currency(text: str, country: str | None, evidence: list[str]) -> tuple[str | None, str | None]:
    votes: Counter[str] = Counter()
    dollars = 0
    for sign in _SIGN.findall(text):
        if sign == "$":
            dollars += 1
        else:
            votes[SIGNS[sign]] += 1
    for code in _CODE.findall(text):
        if code in _CODES:
            votes[code] += 1
    pesos = _PESOS.search(text) is not None
    dollar: str | None = "USD"
    own = own_currency(country)
    if "USD" in votes:
        dollar = "USD"
    elif own and own != "USD" and _dollar_sign(own, country):
        dollar = own
        evidence.append(f"'$' is {dollar}: the country is {country}")
    elif pesos:
        dollar = None
        evidence.append("'$' is not US dollars: the page says pesos")
    if dollars and dollar:
        votes[dollar] += dollars
    if not votes:
        return None, dollar
    currency = votes.most_common(1)[0][0]
    evidence.append(f"currency {currency}: {dict(votes)}")
    return currency, dollar


def _dollar_doubt(text: str, country: str | None, dollar: str | None) -> bool:
    """Whether a bare ``$`` is printed and nothing says which dollar: no currency code or marked
    sign (``US$``, ``CA$``), and the page's country is known and writes none of its money ``$``."""
    if dollar is None or "$" not in _SIGN.findall(text):
        return False
    if any(code in _DOLLARS for code in _CODE.findall(text)) or any(
        s.endswith("$") and s != "$" for s in _SIGN.findall(text)
    ):
        return False
    own = own_currency(country)
    return country is not None and country != "US" and not (own and _dollar_sign(own, country))


_DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "MXN", "ARS", "CLP", "COP", "SGD", "HKD"})


@lru_cache(maxsize=32)
def own_currency(country: str | None) -> str | None:
    """The currency ``country`` uses today (CLDR through Babel): ``BR`` -> ``BRL``."""
    from babel.numbers import get_territory_currencies

    currencies = get_territory_currencies(country) if country else []
    return currencies[0] if currencies else None


@lru_cache(maxsize=32)
def _dollar_sign(currency: str, country: str | None) -> bool:
    """Whether ``currency`` is written ``$`` in ``country`` (CAD in Canada, ARS in Argentina)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(f"und_{country}")
    except (UnknownLocaleError, ValueError):
        return False
    return locale.currency_symbols.get(currency, "").endswith("$")
