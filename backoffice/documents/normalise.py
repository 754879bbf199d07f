"""Turn printed amounts, dates, currencies and bank/tax identifiers into normalised strings.

Parsers return ``None`` when the text is not what they read; they never guess wildly.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# ---------------------------------------------------------------- amounts

CURRENCY_SYMBOLS: dict[str, str] = {
    "€": "EUR",
    "$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "Rs": "INR",
    "Rs.": "INR",
    "CHF": "CHF",
    "Fr.": "CHF",
    "zł": "PLN",
    "kr": "SEK",
    # dollars and reais printed with their country's letters, the Czech crown
    "R$": "BRL",
    "R": "ZAR",  # the South African rand, before its amounts ("R 1,886.37")
    "US$": "USD",
    "A$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "AU$": "AUD",
    "MX$": "MXN",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "Kč": "CZK",
    "RM": "MYR",  # the Malaysian ringgit ("RM 213.72")
    "Ft": "HUF",  # the forint ("900 684 Ft"), the lev ("15 646,80 лв.")
    "лв": "BGN",
    # the signs that name one currency each (CLDR's symbols in the currencies' own countries)
    "₱": "PHP",
    "₦": "NGN",
    "₩": "KRW",
    "₪": "ILS",
    "₺": "TRY",
    "₫": "VND",
    "฿": "THB",
    "KSh": "KES",
    "Ksh": "KES",
    "Rp": "IDR",
    "NT$": "TWD",
    "S/": "PEN",  # the Peruvian sol ("S/ 1,234.00", "S/. 1,234.00")
    "S/.": "PEN",
    "￥": "JPY",  # the yen's full-width sign
}

CURRENCY_CODES = frozenset(
    "EUR USD GBP CHF JPY CNY INR AUD CAD NZD SEK NOK DKK PLN CZK HUF RON BGN HRK TRY RUB ZAR BRL MXN "
    "SGD HKD KRW AED SAR ILS".split()
)
# The signs alone ("₱99,491.00"), and the local signs of letters printed beside an amount ("1 234,56 zł",
# "US$ 3,036.60", "R$ 1.234,00")
SIGNS = "".join(sign for sign in CURRENCY_SYMBOLS if len(sign) == 1 and not sign.isalpha())
LOCAL_SIGNS = frozenset(s.rstrip(".") for s in CURRENCY_SYMBOLS if s not in SIGNS and s not in CURRENCY_CODES)
_CURRENCY_WORDS = {"euro": "EUR", "euros": "EUR", "dollars": "USD", "pounds": "GBP"}

_SPACES = "\u00a0\u202f\u2009\u2007 "
_DECOR = "(?:{})".format(
    "|".join([*(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True)), r"[A-Z]{3}", r"лв\."])
)
_NUMBER = r"[-−–]?\(?\d[\d.,'’\u00a0\u202f\u2009 ]*\)?[-−–]?"  # 2’500.00: Swiss groups
_AMOUNT_RE = re.compile(
    rf"^\s*(?:(?P<sign>[-−–]|\()\s?(?={_DECOR}))?(?P<pre>{_DECOR})?\s*(?P<num>{_NUMBER})\s*(?P<post>{_DECOR})?\s*"
    r"(?i:TTC|HT|net|netto|brutto|gross|excl\.?|incl\.?|(?P<credit>CR)|DR)?\s*(?P<close>\))?\s*$"
)


def parse_amount(text: str, decimal_mark: str | None = None) -> Decimal | None:
    """Read ``1,234.56``, ``1.234,56``, ``1 234,56``, ``$ 12.50``, ``(40.00)``, ``12,50 EUR``;
    a credit marked ``CR`` (``75.61CR`` on a bill), a sign or brackets outside the currency sign
    (``-£247.50``, ``($1,500.00)``) are negative.

    ``decimal_mark`` (``"."`` or ``","``) settles ``1.234`` / ``1,234`` when the document's
    habit is known; without it a lone separator before exactly three digits groups thousands.
    """
    if text[:1] == "?" and text[1:2].isdigit():
        text = text[1:]  # "?1,787.50": a currency sign the PDF's font could not encode
    match = _AMOUNT_RE.match(text)
    if not match:
        return None
    if any(
        decor and currency_of(decor) is None and decor not in tender_codes() for decor in (match["pre"], match["post"])
    ):
        return None  # "12.00 XYZ": no currency
    if match["sign"] == "(" and not (match["close"] or match["num"].rstrip(_SPACES).endswith(")")):
        return None  # "(£40.00": half bracketed
    raw = match["num"].strip(_SPACES)
    if match["pre"] in ("¥", "￥") and raw[-1] in "-−–" and raw[0] not in "-−–(":
        raw = raw[:-1]  # "¥355,665-": a Japanese amount's closing dash, no minus
    negative = raw[0] in "-−–" or raw[-1] in "-−–" or (raw.startswith("(") and raw.endswith(")"))
    negative = negative or bool(match["sign"])  # "-£247.50", "($1,500.00)"
    negative = negative != bool(match["credit"])  # "-5.00CR" is no credit twice over
    raw = raw.strip("-−–()").strip(_SPACES)
    digits = _plain_number(raw, decimal_mark)
    if digits is None:
        return None
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if negative else value


def _plain_number(raw: str, decimal_mark: str | None) -> str | None:
    if not raw or not raw[0].isdigit() or not raw[-1].isdigit():
        return None
    grouped = re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f\u2009'’]\d{3})+(?:[.,]\d+)?", raw)
    if grouped:
        raw = re.sub(r"[ \u00a0\u202f\u2009'’]", "", raw)
    elif re.search(r"\s", raw):
        return None
    if "’" in raw:
        return None  # a typographic apostrophe only ever groups thousands, as above
    raw = raw.replace("'", "")
    dots, commas = raw.count("."), raw.count(",")
    if dots and commas:
        mark = "." if raw.rfind(".") > raw.rfind(",") else ","
        group = "," if mark == "." else "."
        whole, _, frac = raw.rpartition(mark)
        indian = mark == "." and re.fullmatch(r"\d{1,2}(?:,\d\d)+,\d{3}", whole)  # lakh and crore: 10,94,981.00
        if raw.count(mark) > 1 or not (indian or re.fullmatch(rf"\d{{1,3}}(?:\{group}\d{{3}})*", whole)):
            return None
        return whole.replace(group, "") + "." + frac
    sep = "." if dots else "," if commas else ""
    if not sep:
        return raw
    parts = raw.split(sep)
    if len(parts) > 2:
        if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3:
            return "".join(parts)
        return None
    whole, frac = parts
    if len(frac) == 3 and len(whole) <= 3 and not whole.startswith("0") and decimal_mark != sep:
        return whole + frac  # 1.234 or 1,234: thousands unless the document says otherwise
    return f"{whole}.{frac}"


def format_amount(value: Decimal) -> str:
    """Money as a plain decimal with at least two places: ``1234.50``."""
    if value == value.to_integral_value() or -value.as_tuple().exponent <= 2:  # type: ignore[operator]
        return f"{value.quantize(Decimal('0.01')):f}"
    return f"{value.normalize():f}"


def format_quantity(value: Decimal) -> str:
    """A quantity without trailing zeros: ``3``, ``2.5``."""
    return f"{value.normalize():f}"


def guess_decimal_mark(texts: list[str]) -> str | None:
    """The document's decimal mark, from how its amounts end (``,56`` versus ``.56``)."""
    commas = dots = 0
    for text in texts:
        commas += len(re.findall(r"\d,\d{2}(?!\d)", text))
        dots += len(re.findall(r"\d\.\d{2}(?!\d)", text))
    if commas > dots:
        return ","
    if dots > commas:
        return "."
    return None


def currency_of(token: str) -> str | None:
    """The ISO 4217 code for a code, symbol or word (``€`` -> ``EUR``)."""
    cleaned = token.strip("()[]:,;")
    if cleaned in CURRENCY_CODES:
        return cleaned
    for candidate in (cleaned, cleaned.rstrip(".")):
        if candidate in CURRENCY_SYMBOLS:
            return CURRENCY_SYMBOLS[candidate]
    return _CURRENCY_WORDS.get(cleaned.lower().rstrip("."))


@lru_cache(maxsize=1)
def tender_codes() -> frozenset[str]:
    """The ISO 4217 codes of the currencies some country pays in today (CLDR through Babel):
    ``ALL``, ``ARS``, ``COP`` beside an amount name a currency, as the common codes do anywhere."""
    from babel import Locale  # deferred like month_names
    from babel.numbers import get_territory_currencies

    territories = [t for t in Locale("en").territories if isinstance(t, str) and t.isalpha()]  # not "001", the world
    codes = {code for territory in territories for code in get_territory_currencies(territory)}
    return frozenset(codes - _WORD_CODES)


# Codes that are English words a receipt may print beside a price ("COFFEE CUP 2.50", "GEL 3.99",
# "SHP 5.00" for shipping): a currency only where the country says so, never by the code alone
_WORD_CODES = frozenset("BAM BOB CUP GEL MAD MOP PEN SHP SOS TOP".split())


# The locales whose own currency sign a document may print (CLDR through Babel) and that the
# readers do not know already from $ € £ ¥ ₹ and the ISO codes: zł, Kč, kr, Ft, R$.
SIGN_LOCALES = ("pl_PL", "cs_CZ", "sv_SE", "da_DK", "nb_NO", "is_IS", "hu_HU", "pt_BR")


@lru_cache(maxsize=1)
def local_currency_signs() -> dict[str, frozenset[str]]:
    """Sign (without a trailing dot) -> the ISO codes of the currencies written so in their own
    country (``kr`` -> SEK, NOK, DKK, ISK), for every locale of :data:`SIGN_LOCALES`."""
    from babel import Locale  # deferred like month_names
    from babel.numbers import get_territory_currencies

    signs: dict[str, set[str]] = {}
    for tag in SIGN_LOCALES:
        locale = Locale.parse(tag)
        if locale.territory is None:  # every tag of SIGN_LOCALES names its country
            continue
        code = get_territory_currencies(locale.territory)[0]
        sign = (locale.currency_symbols.get(code) or "").rstrip(".")
        if sign and sign != code:
            signs.setdefault(sign, set()).add(code)
    return {sign: frozenset(codes) for sign, codes in signs.items()}


def currency_named(text: str, language: str | None = None) -> tuple[str, int] | None:
    """The ISO code of a currency written out at the start of ``text`` (``Swiss francs``,
    ``svenska kronor``, ``koruna česká``) in English or ``language`` (ISO 639-1), and how many
    words name it; None when ``text`` names none, or a name several currencies share."""
    words = text.lower().split()
    names = _currency_names(language)
    for size in (3, 2, 1):
        key = unicodedata.normalize("NFC", " ".join(words[:size]).strip(".,;:()"))
        if len(words) >= size and key in names:
            return names[key], size
    return None


@lru_cache(maxsize=16)
def _currency_names(language: str | None) -> dict[str, str]:
    """Every name CLDR gives the currencies of :data:`CURRENCY_CODES` in English and ``language``,
    singular and plural (``złoty``, ``złote``, ``złotych``), lower case and also without accents ->
    the code. Loaded per language, and only when a currency label's value is no code or sign."""
    from babel import UnknownLocaleError
    from babel.numbers import get_currency_name  # deferred like month_names

    owners: dict[str, set[str]] = {}
    for tag in dict.fromkeys(("en", "nb" if language == "no" else language or "en")):
        for code in sorted(CURRENCY_CODES):
            for count in (None, 1, 2, 5, 1.5):
                try:
                    name = unicodedata.normalize("NFC", get_currency_name(code, count, tag).lower())
                except (UnknownLocaleError, ValueError):
                    return {}
                for form in {name, _unaccent(name)}:
                    if form != code.lower():
                        owners.setdefault(form, set()).add(code)
    return {name: codes.pop() for name, codes in owners.items() if len(codes) == 1}


# ---------------------------------------------------------------- dates

# The languages whose month names dates may use: CLDR's names through Babel, in their format
# (genitive: "16. září", "3 maja") and stand-alone forms, wide and abbreviated, also without accents.
# Most likely first: a locale's data loads only when a name is not found in the ones before it.
MONTH_LOCALES = (
    "en",
    "de",
    "fr",
    "es",
    "nl",
    "it",
    "pt",
    "pl",
    "cs",
    "sv",
    "da",
    "nb",
    "fi",
    "en_GB",
    "de_AT",
    "sk",
    "nn",
    # further EU languages, loaded last: their names never shadow the thirteen's
    "ro",
    "hu",
    "hr",
    "sl",
    "et",
    "lt",
    "lv",
    "el",
    "bg",
    # Icelandic, Turkish, Indonesian and Malay
    "is",
    "tr",
    "id",
    "ms",
)
_MONTHS: dict[str, int] = {}
_MONTHS_LOADED: list[str] = []
_MONTHS_LOCK = threading.Lock()


def month_number(name: str) -> int | None:
    """The month a name or abbreviation (lower case, without its dot) stands for in any language of
    :data:`MONTH_LOCALES`, or None. Loading one locale's CLDR data takes a few ms, so the locales
    load one by one, and only until the name is found."""
    if name in _MONTHS:
        return _MONTHS[name]
    with _MONTHS_LOCK:  # readers in threads load each locale once, and never see half of one
        while name not in _MONTHS and len(_MONTHS_LOADED) < len(MONTH_LOCALES):
            code = MONTH_LOCALES[len(_MONTHS_LOADED)]
            _add_months(code)
            _MONTHS_LOADED.append(code)
    return _MONTHS.get(name)


def month_names() -> dict[str, int]:
    """Every month name and abbreviation of :data:`MONTH_LOCALES` -> its number."""
    month_number("")  # loads every locale: the empty name is in none
    return _MONTHS


def _add_months(code: str) -> None:
    from babel import Locale  # deferred: only documents with a written month need it

    months = Locale.parse(code).months
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in months[context][width].items():
                key = unicodedata.normalize("NFC", name.lower()).strip(". ")
                for form in {key, _unaccent(key), *_cases(code, key)}:
                    if len(form) >= 3 and form.isalpha():
                        _MONTHS.setdefault(form, number)


def _cases(code: str, name: str) -> set[str]:
    """Further cases of a month's name that CLDR does not give: Latvian's genitive and locative
    ("marts": "12. marta", "2025. gada 12. martā"; "janvāris": "janvāra", "janvārī"), also unaccented."""
    if code != "lv" or not name.endswith("s"):
        return set()
    stem = name.removesuffix("is") if name.endswith("is") else name[:-1]
    forms = {stem + "a", stem + "ī", stem + "ā", stem.removesuffix("l") + "ļa"}  # "aprīlis": "aprīļa"
    return forms | {_unaccent(form) for form in forms}


def _unaccent(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_MONTH = r"(?P<month_name>[^\W\d_]{3,12})\.?"
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d])"),
    # "8. 3. 2025" (Czech, Slovak), "2025. 03. 08." (Hungarian): dots followed by a space, the year in full
    re.compile(r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>\.) ?(?P<b>\d{1,2})\. ?(?P<y>\d{4})(?!\d)"),
    re.compile(r"(?<![\d.])(?P<y>\d{4})\. (?P<m>\d{1,2})\. ?(?P<d>\d{1,2})\.?(?!\d)"),
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s*(?:of\s+)?(?:de\s+)?{_MONTH}\s*(?:de\s+)?,?\s*(?P<y>\d{{4}})(?!\d)"
    ),
    # "27-Feb-2019", "27/Feb/19", "03-MAR-24": the month's name between hyphens or slashes
    re.compile(
        r"(?<![\d\w])(?P<d>\d{1,2})(?P<sep>[-/])(?P<month_name>[^\W\d_]{3,9})\.?(?P=sep)(?P<y>\d{4}|\d{2})(?![\d\w])"
    ),
    re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>\d{{4}})(?!\d)"),
    # the year first: "2025. április 1." (Hungarian), "2024 m. kovo 14 d." (Lithuanian)
    re.compile(rf"(?<![\d.])(?P<y>\d{{4}})(?:\.| m\.) {_MONTH} (?P<d>\d{{1,2}})(?:\.| d\.)"),
    # "2025. gada 12. martā" (Latvian: the year, "of the year", the day and the month)
    re.compile(rf"(?<![\d.])(?P<y>\d{{4}})\.? gada (?P<d>\d{{1,2}})\. ?{_MONTH}"),
    # "2024年6月28日", "2024 年 6 月 28 日" (Japanese, Chinese), "2024년 10월 15일" (Korean)
    re.compile(r"(?<!\d)(?P<y>\d{4})\s?[年년]\s?(?P<m>\d{1,2})\s?[月월]\s?(?P<d>\d{1,2})\s?[日일]"),
]


@lru_cache(maxsize=8192)  # every phrase is asked for its dates by several readers
def find_date(text: str, day_first: bool = True) -> tuple[date, tuple[int, int]] | None:
    """The first date in ``text`` and its character span.

    Dotted dates are always day first; ``day_first`` settles ``05/03/2024`` unless one part is
    above 12.
    """
    if not any(ch.isdigit() for ch in text):  # every date has its year in digits
        return None
    best: tuple[date, tuple[int, int]] | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _date_of(match, day_first)
            if found:
                if best is None or match.start() < best[1][0]:
                    best = (found, match.span())
                break
    return best


def parse_date(text: str, day_first: bool = True) -> date | None:
    """A date that makes up the whole of ``text`` (a little punctuation aside)."""
    found = find_date(text, day_first)
    if not found:
        return None
    start, end = found[1]
    rest = (text[:start] + text[end:]).strip(" ,.:;()")
    return found[0] if not rest else None


def _date_of(match: re.Match[str], day_first: bool) -> date | None:
    groups = match.groupdict()
    year = int(groups["y"])
    if year < 100:
        year += 2000 if year < 70 else 1900
    elif 2500 <= year <= 2700:
        year -= 543  # the Buddhist era of Thai dates ("08/07/2567" is 8 July 2024)
    if groups.get("month_name"):
        name = unicodedata.normalize("NFC", groups["month_name"].lower())
        month = month_number(name)
        day = int(groups["d"])
    elif groups.get("a"):
        a, b = int(groups["a"]), int(groups["b"])
        if groups["sep"] == "." or a > 12:
            day, month = a, b
        elif b > 12:
            day, month = b, a
        else:
            day, month = (a, b) if day_first else (b, a)
    else:
        month, day = int(groups["m"]), int(groups["d"])
    if not month or not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def guess_day_first(texts: list[str], currency: str | None = None) -> bool:
    """Whether slashed dates put the day first: settled by any part above 12, else by currency."""
    for text in texts:
        for match in re.finditer(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}(?!\d)", text):
            a, b = int(match[1]), int(match[2])
            if a > 12 >= b:
                return True
            if b > 12 >= a:
                return False
    return currency != "USD"


# ---------------------------------------------------------------- identifiers

_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,30}){1,9}\b")
_VAT_RE = re.compile(
    r"\b(ATU ?\d{8}|BE ?[01]\d{9}|BG ?\d{9,10}|CHE[- ]?\d{3}\.?\d{3}\.?\d{3}(?: ?(?:MWST|TVA|IVA))?|CY ?\d{8}[A-Z]|CZ ?\d{8,10}|DE ?\d{3} ?\d{3} ?\d{3}"
    r"|DK ?\d{8}|EE ?\d{9}|EL ?\d{9}|ES ?[A-Z0-9]\d{7}[A-Z0-9]|FI ?\d{8}|FR ?[A-Z0-9]{2} ?\d{3} ?\d{3} ?\d{3}"
    r"|GB ?\d{3} ?\d{4} ?\d{2}(?:\d{3})?|HR ?\d{11}|HU ?\d{8}|IE ?\d{7}[A-Z]{1,2}|IE ?\d[A-Z]\d{5}[A-Z]|IT ?\d{11}"
    r"|LT ?\d{9,12}|LU ?\d{8}|LV ?\d{11}|MT ?\d{8}|NL ?\d{9}B\d{2}|PL ?\d{10}|PT ?\d{9}|RO\d{2,10}|SE ?\d{12}"
    r"|SI ?\d{8}|SK ?\d{10}"
    r"|NO ?\d{3} ?\d{3} ?\d{3} ?MVA)\b"  # Norway: the organisation number between NO and MVA
)


def iban_valid(iban: str) -> bool:
    """The ISO 13616 mod-97 check."""
    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def find_iban(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first IBAN in ``text`` that passes its checksum, compact, and its span."""
    for match in _IBAN_RE.finditer(text):
        candidate = match.group(0)
        # Printed groups vary (4s, or a bank's own); the text after the IBAN may look alike too.
        while candidate:
            compact = candidate.replace(" ", "")
            if 15 <= len(compact) <= 34 and iban_valid(compact):
                return compact, (match.start(), match.start() + len(candidate))
            candidate = candidate.rpartition(" ")[0]
    return None


# Tax registration numbers with a shape of their own, each kept only when its python-stdnum
# check passes: (pattern, stdnum module, whether the value is compacted or kept as printed).
_NATIONAL_IDS = (
    (
        re.compile(r"\b\d{2} ?[A-Z]{5} ?\d{4} ?[A-Z] ?[1-9A-Z] ?Z ?[0-9A-Z]\b"),
        "in_.gstin",
    ),  # India GSTIN (OCR may part it)
    (re.compile(r"\b\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}\b"), "br.cnpj"),  # Brazil CNPJ
    (re.compile(r"\b\d{2}-\d{8}-\d\b"), "ar.cuit"),  # Argentina CUIT
    (re.compile(r"\b\d{3}-\d{3}-\d{2}-\d{2}\b|\b\d{3}-\d{2}-\d{2}-\d{3}\b"), "pl.nip"),  # Poland NIP
    (re.compile(r"\b\d{2} \d{3} \d{3} \d{3}\b"), "au.abn"),  # Australia ABN
    (re.compile(r"\b\d{5} ?\d{4} ?R[TCPMRZ] ?\d{4}\b"), "ca.bn"),  # Canada business number (GST/HST)
    (re.compile(r"\bT ?\d{13}\b"), "jp.cn"),  # Japan's qualified invoice issuer: T and the corporate number
    (re.compile(r"\b[0-9A-Y]{2}\d{6}[0-9A-Y]{10}\b"), "cn.uscc"),  # China's unified social credit code
)
# An EU VAT number printed with spaces ("IE 8256796 U"), kept only when its check digits pass.
_VAT_SPACED = re.compile(
    r"\b(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)"
    r" ?[0-9A-Z](?:[ .]?[0-9A-Z]){7,13}\b"
)


def printed_id(text: str) -> str:
    """An identifier as printed, without its spaces (``CHE-123.456.789 MWST`` -> ``CHE-123.456.789MWST``,
    ``NO 994 158 988 MVA`` -> ``NO994158988MVA``): how a person copies it, and how it is scored."""
    return "".join(text.split())


def find_vat_id(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first VAT or tax registration number in ``text`` and its span, as printed without
    spaces (:func:`printed_id`): an EU VAT number, else a national number of a shape its checksum
    confirms (Indian GSTIN, Brazilian CNPJ, Argentine CUIT, Polish NIP, Australian ABN, Canadian BN,
    Japanese T-number, Chinese USCC)."""
    match = _VAT_RE.search(text)
    if match:
        return printed_id(match.group(1)), match.span(1)
    if not any(ch.isdigit() for ch in text):
        return None
    # deferred: python-stdnum's imports take ~20 ms at start-up
    from stdnum.eu import vat as eu_vat

    found: list[tuple[str, tuple[int, int]]] = []
    for spaced in _VAT_SPACED.finditer(text):
        if eu_vat.is_valid(re.sub(r"[ .]", "", spaced.group(0))):
            found.append((printed_id(spaced.group(0)), spaced.span()))
            break
    for pattern, module in _NATIONAL_IDS:
        for hit in pattern.finditer(text):
            if _stdnum_valid(module, hit.group(0)):
                found.append((printed_id(hit.group(0)), hit.span()))
                break
    return min(found, key=lambda item: item[1][0]) if found else None


def _stdnum_valid(module: str, number: str) -> bool:
    from importlib import import_module

    if module == "jp.cn":
        number = number.removeprefix("T")  # the invoice registration's T before the corporate number
    return bool(import_module(f"stdnum.{module}").is_valid(number))


def find_vat_ids(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Every EU-style VAT identification number in ``text``, as :func:`find_vat_id` gives the first."""
    return [(printed_id(m.group(1)), m.span(1)) for m in _VAT_RE.finditer(text)]
