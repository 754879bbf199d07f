"""Evidence that is not a label: the letterhead, the sender line above the address, the title.

These guesses only fill fields that no label found, and say so with a lower confidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from backoffice.documents import address, labels
from backoffice.documents.candidates import Candidate
from backoffice.documents.kind import CREDIT_TITLES, is_title
from backoffice.documents.labels import Hit
from backoffice.documents.layout import Line, Phrase
from backoffice.documents.normalise import find_date, parse_amount, parse_date
from backoffice.documents.pdf import Word

_COPY = r"(?:original|copy|copie|kopie|kopia|oryginał|duplikat|duplicate|duplicado|duplicata|originale|оригинал|копие|πρωτότυπο)"
_COPY_MARK = re.compile(rf"(?i){_COPY}(?:\s*/\s*{_COPY})*")
TITLE = re.compile(
    r"(?:(?:tax|commercial|pro[- ]?forma|retail|sales) )?(?:invoices?|rechnung|facture|factuur|factura|credit note"
    r"|gutschrift|receipt|payment receipt|quittung|bill|avoir|statement|invoices?/bill)(?: \S*\d\S*)?|page .*|seite .*"
)
_CREDIT = labels.compile_pattern(rf"(?:{CREDIT_TITLES})\b")
LEGAL = re.compile(
    r"\b(?:(?:AG|KG|UG|BV|NV|SA|SL|AB|HB|AS)(?=\s*(?:$|[,|;]))|GmbH|mbH|OHG|GbR|e\.K\.|e\.V\.|Ltd\.?|LTD|Limited|LIMITED|LLC|Inc\.?|INC\.?|Corp\.?"
    r"|plc|PLC|LLP|Pty|PTY|Pvt|PVT|B\.V\.|N\.V\.|S\.A\.S?|SARL|SAS|EURL|S\.L\.|S\.L\.U\.|S\.p\.A\.|SpA"
    r"|S\.r\.l\.|Srl|SRL|Ltda\.?|LTDA|Eireli|Co\.(?!\s+(?!Ltd|Limited|Inc|Pte|Pty)[A-Z][a-z])|& Co|Oy|Oyj|A/S|ApS|ASA|Ky|Ay|s\.r\.o\.|a\.s\.|k\.s\."
    r"|spol\.|Sp\. z o\.o\.|sp\. z o\.o\.|S\.A\.|Kft\.?|d\.o\.o\.|Lda\.?|LDA|SASU|SCI|SNC|SCP|SELARL|Brf|BRF"
    r"|V\.O\.F\.|VOF|C\.V\.|BVBA|EARL|GAEC|SCEA|s\.c\.|S\.n\.c\.|S\.a\.s\.|KGaA|PartG(?:mbB)?"
    r"|S[àa]rl|S\.[àa] ?r\.l\.|ehf\.|hf\.)(?=\W|$)"
)
_DOMAIN = re.compile(r"(?<![\w.])[a-z0-9][a-z0-9-]+\.(?:[a-z0-9-]+\.)*[a-z]{2,6}(?![\w.])")  # enbridgegas.com
_HEADS = re.compile(r"\s*[/|·•]\s*|\s+[-–&]\s+")
_SEPARATED = re.compile(r"\s*[|·•]\s*")  # the parts of a sender line: a name, a street, a town
_DASHED = re.compile(r"\s+[-–]\s+")  # as OCR often reads "·"; a name may hold one too ("DISPANO ROUX - 1535")
_SEPARATOR = re.compile(r"\s+[-–]\s+|\s*[·|•●]\s*|,\s+")
# A title that carries the number and perhaps the date, in the 13 languages: "Rechnung Nr. 471102 vom
# 05.03.2018", "Fatura n.º FA-24-19524 de 2024-05-04", "Daňový doklad 461 ze dne 01.05.2019".
_TITLE_NUMBER = re.compile(
    r"(?:(?:handels)?rechnung(?:skorrektur)?|korrekturrechnung|stornorechnung|(?:tax |commercial |sales )?invoice|facture|factuur|fatura[- ]recibo|factura[- ]recibo"
    r"|factura|fattura|fatura|nota fiscal"
    r"|faktura(?: vat)?(?:\s*[-–]\s*daňový doklad)?|daňový doklad|lasku|rachunek|gutschrift|credit note|avoir"
    r"|(?:opravná )?faktúra|számla|factur[ăa]|ra[čc]un|arve|r[ēe]ķins|reikningur"
    r"|creditnota|nota de crédito|nota di credito|kreditnota|kreditfaktura|hyvityslasku|dobropis)(?![^\W\d_])"
    r"\s*(?:\(\d+\)\s*)?"
    r"(?:nr\.?|no\.?|n\.?\s?[°º]\.?|n\.|nro\.?|number|nummer|numer|numero|número|č\.|číslo|št\.?|br\.?|#)?\s*:?\s*"
    r"(?P<id>(?-i:(?!(?:TO|FOR|OF|ON|AT|BY|DE|DU|AN|AM|VOM|VON|NR|NO)\s)[A-Z]{1,4}\s(?=[\w/.\-]*\d))?[A-Za-z0-9][\w/.\-]*\d[\w/.\-]*)"  # a series too: "FR 2024/88"
    r"(?:\s+(?:(?:vom|von|du|dated|of|from|van|del|de(?: fecha)?|d\.d\.|z dnia|ze dne|dne|daterad|den|af|dateret"
    r"|datert|av|päivätty|issued(?: on)?|[-–])\s+)?(?P<rest>.+))?",
    re.IGNORECASE,
)


# A window address's salutation line, alone: "Exmo.(s) Sr.(s)", "Herrn", "Firma", "Messrs.", "Spett.le".
_SALUTATION = re.compile(
    r"(?:(?:exm[oa]s?|sr[as]?|senhor(?:es|as?)?|señor(?:es|as?)?|herrn?|frau|firma|messrs|mrs?|ms|monsieur|madame"
    r"|messieurs|mesdames|mme|sig(?:\.?ra|nor[ae]?)?|spett(?:\.?le|abile)|egregio|gentile|dhr|mevr|mw)"
    r"\.?(?:\((?:s|as|es)\))?\.?\s*)+",
    re.IGNORECASE,
)


# A department heading an addressee's block over the company's name ("Accounts Payable" / "ACME Ltd").
_DEPARTMENT = re.compile(
    r"(?:accounts? payable|accounts department|purchasing(?: department)?|procurement|finance department"
    r"|(?:kreditoren)?buchhaltung|einkauf|rechnungseingang|(?:service )?comptabilit[ée](?: fournisseurs)?"
    r"|inkoop|crediteurenadministratie|ufficio (?:acquisti|amministrazione)|amministrazione"
    r"|(?:dpto\.?|departamento) (?:de )?compras|contabilidad|administration|verwaltung|administratie"
    # or any department a department word opens: "Afdeling Vastgoedonderhoud", "Abteilung Einkauf"
    r"|(?:afdeling|abteilung|abt\.|department|dept\.|d[ée]partement|reparto|dział|oddělení|avdelning|avdeling|osasto)\s.+)",
    re.IGNORECASE,
)
_UNIT = re.compile(r".+\s[-–]\s(.+)")  # "EMS Les Tilleuls – Administration": a unit of the party


def department(text: str) -> bool:
    """Whether ``text`` names a department of the party rather than the party (``Accounts Payable``,
    ``EMS Les Tilleuls – Administration``)."""
    text = text.strip(" ,")
    unit = _UNIT.fullmatch(text)
    return bool(_DEPARTMENT.fullmatch(text) or unit and _DEPARTMENT.fullmatch(unit[1]))


@lru_cache(maxsize=8192)  # asked of the same phrases by the letterhead, the address blocks and the shapes
def plausible_name(text: str) -> bool:
    """Whether ``text`` can be a company's or person's name: mostly letters, no label, link, web
    domain, formula or number."""
    letters = sum(ch.isalpha() for ch in text)
    if letters < 2 or letters < len(text.replace(" ", "")) / 2 or len(text) > 80 or ":" in text or "=" in text:
        return False
    if any(mark in text.lower() for mark in ("@", "http", "www.")) or labels.match(text) is not None:
        return False
    if TITLE.fullmatch(labels.clean(text)) or is_title(text):  # "TAX INVOICE", "Page 1 of 2", "DOCUMENTO AUXILIAR"
        return False
    if _COPY_MARK.fullmatch(text.strip()):  # "ORYGINAŁ / ORIGINAL", "COPY": which copy of the document
        return False
    parts = [p for p in _HEADS.split(text) if p.strip()]
    if len(parts) > 1 and all(labels.match(p) is not None for p in parts):
        return False  # column heads: "Provider | Purchaser", "PRESTADOR / FORNECEDOR"
    if _DOMAIN.search(text) or text.startswith(("(", "*")):
        return False  # a remark in brackets, a footnote ("*ASSPL-Kartmela Seller Services Pvt. Ltd.")
    pieces = _SEPARATED.split(text)
    if len(pieces) > 2 or len(pieces) == 2 and any(ch.isdigit() for ch in text):
        return False  # a sender line: "Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld"
    if any(address.street(part) for part in _DASHED.split(text)[1:]):
        return False  # "Kraxi GmbH - Flugzeugallee 17 12345 Papierfeld"
    if sum(ch.isalpha() for ch in LEGAL.sub("", text)) < 2:  # a legal form alone ("SARL") names nobody
        return False
    if sentence(LEGAL.sub("", text).strip()) or _SALUTATION.fullmatch(text.strip()):
        return False  # a sentence, whatever its legal form's lower-case words ("Wiśniewski i Wspólnicy Sp. z o.o.")
    tokens = text.split()
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.75 * len(tokens):
        return False  # a letter-spaced title (W A R E N R E C H N U N G)
    if len(tokens) > 1 and TITLE.fullmatch(labels.clean(tokens[-1])) and labels.match(" ".join(tokens[:-1])):
        return False  # a label and a title: "Buyer Receipt", "Customer Invoice"
    return parse_date(text) is None and parse_amount(text) is None


def sentence(text: str) -> bool:
    """Whether ``text`` reads like a sentence, not a name: six words or more, most of them in
    lower case, and a full stop, a mark or a colon at its end ("Please transfer the total due within 10 days."),
    or eight words or more without one ("Iscritto all'ordine degli ingegneri della provincia di Bologna al n. 7741/A")."""
    words = text.split()
    lower = sum(w[:1].islower() for w in words) * 2 >= len(words)
    return lower and (len(words) >= 6 and text.rstrip()[-1:] in ".!?:" or len(words) >= 8)


def _starts_with_label(hits: list[Hit], phrase: int) -> bool:
    return any(h.phrase == phrase and h.start == 0 for h in hits)


def _is_label(hits: list[Hit], index: int, phrase: Phrase) -> bool:
    """Whether the phrase at ``index`` is a label and nothing more."""
    return any(h.phrase == index and h.start == 0 and h.end == len(phrase.words) for h in hits)


def seller_from_letterhead(
    lines: list[Line], hits: dict[int, list[Hit]], height: float, avoid: set[str]
) -> Candidate | None:
    """The most prominent name near the top of page 1: large, with a legal form, heading an address,
    and named again in the footer or a mail or web domain (where sellers print their details)."""
    best: tuple[tuple[float, float], Phrase] | None = None
    footer = footer_text(lines, height)
    for line in lines:
        if line.page != lines[0].page or line.top > height * 0.3:
            break
        for index, phrase in enumerate(line.phrases):
            phrase = labels.up_to_label(phrase, hits[line.index], index)  # "Blue Harbor Consulting LLC Name:"
            text = phrase.text
            letters = sum(ch.isalpha() for ch in text)
            if _starts_with_label(hits[line.index], index) or letters < 3 or text in avoid:
                continue
            if labels.match(text) is not None or labels.match(_trimmed_text(phrase)) is not None:
                continue  # a label alone ("Buyer", "Buyer Receipt") heads no letter
            if TITLE.fullmatch(labels.clean(text)) or is_title(text) or _COPY_MARK.fullmatch(text.strip()):
                continue  # a title in any language ("ARVE"), a copy's mark ("Oryginał / Original")
            if "@" in text or "www." in text.lower() or "http" in text.lower():
                continue
            if sum(ch.isdigit() for ch in text) > letters / 2 or address.street(text) and not LEGAL.search(text):
                continue  # a number, or a line of an address ("Seestrasse 23")
            if sentence(text):
                continue
            bonus = (3.0 if LEGAL.search(text) else 0.0) + (
                2.0 if address_follows(lines, line, phrase, centred=True) else 0.0
            )
            bonus += 2.0 if named_in(footer, text) else 0.0
            key = (phrase.size + bonus, -phrase.top)
            if best is None or key > best[0]:
                best = (key, phrase)
    if best is None:
        return None
    words = _trimmed(best[1])
    return Candidate("seller_name", " ".join(w.text for w in words).strip(" ,"), words, 0.6, "pattern")


def _trimmed(phrase: Phrase) -> list[Word]:
    """The words of a letterhead's name: up to a separator after its legal form, without a title
    after it ("ACME Ltd Invoice") or a template's "Logo" placeholder before it."""
    cut = _SEPARATOR.search(phrase.text)
    words = phrase.words_in(0, cut.start() if cut and LEGAL.search(phrase.text[: cut.start()]) else len(phrase.text))
    while len(words) > 1 and TITLE.fullmatch(labels.clean(words[-1].text)):
        words = words[:-1]
    if len(words) > 1 and words[0].text.lower() == "logo":  # a template's placeholder for the logo
        words = words[1:]
    return words


def _trimmed_text(phrase: Phrase) -> str:
    return " ".join(w.text for w in _trimmed(phrase))


def legal_name(phrase: Phrase) -> list[Word] | None:
    """The words of a company's name with its legal form that opens ``phrase``, up to a separator
    (``Microsoft Ireland Operations Ltd, One Microsoft Place, Dublin``), as footers print it."""
    cut = _SEPARATOR.search(phrase.text)
    head = phrase.text[: cut.start()] if cut else phrase.text
    forms = list(LEGAL.finditer(head))
    if forms:  # "Fournisseur F SARL au capital de 50 000 EUR": the name ends with its legal form
        rest = head[forms[-1].end() :].split()
        if rest and (rest[0][:1].islower() or any(ch.isdigit() for ch in "".join(rest))):
            head = head[: forms[-1].end()]
    if not forms or not plausible_name(head.strip(" ,")):
        return None
    return phrase.words_in(0, len(head))


def footer_text(lines: list[Line], height: float) -> str:
    """Where sellers print their details: the foot of each page, mail addresses and web domains (lower case)."""
    return " ".join(l.text.lower() for l in lines if l.top > height * 0.8 or "@" in l.text or "www." in l.text)


def named_in(footer: str, name: str) -> bool:
    """Whether the first distinctive word of ``name`` (not a legal form) appears in ``footer``."""
    for word in re.findall(r"[^\W\d_]{4,}", name.lower()):
        if not LEGAL.fullmatch(word.capitalize()) and word not in ("logo", "company", "firma", "société"):
            return re.search(rf"\b{re.escape(word)}", footer) is not None
    return False


def address_follows(lines: list[Line], line: Line, phrase: Phrase, centred: bool = False) -> bool:
    """Whether the lines right under ``phrase`` (same left edge, or with ``centred`` the same centre,
    as a centred letterhead prints them; up to three of them, however many lines of a block beside
    it fall between, as when two columns' lines interleave) read like a street and a town."""
    position = lines.index(line)
    below = seen = 0
    bottom = line.bottom  # of the block's last line: a block goes on line by line
    centre = (phrase.x0 + phrase.x1) / 2
    for other in lines[position + 1 : position + 10]:
        if other.page != line.page or other.top - bottom > 4 * max(line.bottom - line.top, 6):
            break
        match = next(
            (
                p
                for p in other.phrases
                if abs(p.x0 - phrase.x0) <= 6 or centred and abs((p.x0 + p.x1) / 2 - centre) <= 3
            ),
            None,
        )
        if match is None:
            continue
        bottom = other.bottom
        if _DEPARTMENT.fullmatch(match.text.strip(" ,")):
            continue  # "Accounts Payable" under the company: a line of the block, not of its address
        seen += 1
        if address.line(match.text):
            below += 1
        if seen == 3:
            break
    return below >= 1


# A name that ends with a small number ("Bostadsrättsföreningen Kastanjen 4", "Brf Solrosen 4 ek"): two
# words or more before it, a legal form perhaps after it.
_NUMBERED_NAME = re.compile(r"(?:[^\W\d_][\w.&'’-]*\s+){2,5}\d{1,3}(?:\s+[^\W\d_][\w.&]*){0,2}")


def address_blocks(
    lines: list[Line], hits: dict[int, list[Hit]], height: float, skip: set[int] | frozenset[int] = frozenset()
) -> list[Phrase]:
    """Names that head an address block (a street or a postcode below) in the upper half of page 1;
    not on the lines of ``skip`` nor on a table's header (four headings or more, no digit:
    "Descrição  Qtd. Un.  Preço unit.  IVA  Valor")."""
    found = []
    for line in lines:
        if line.page != lines[0].page or line.top > height * 0.5:
            break
        if line.index in skip or len(line.phrases) >= 4 and not any(ch.isdigit() for ch in line.text):
            continue
        for index, phrase in enumerate(line.phrases):
            if _starts_with_label(hits[line.index], index) or not plausible_name(phrase.text.strip(" ,")):
                continue
            if index and _is_label(hits[line.index], index - 1, line.phrases[index - 1]):
                continue  # a label's value ("Deres ref.  Kjetil Solberg"), read by the label if at all
            digits = any(ch.isdigit() for ch in phrase.text)
            if address.postcode(phrase.text) or digits and not _NUMBERED_NAME.fullmatch(phrase.text.strip(" ,")):
                continue
            if address.street(phrase.text) and not LEGAL.search(phrase.text):
                continue  # a line of the address itself ("ZAC de la Mivoie" over "35136 Saint Jacques")
            if address_follows(lines, line, phrase):
                found.append(phrase)
    return found


def from_sender_line(lines: list[Line], hits: dict[int, list[Hit]], height: float) -> list[Candidate]:
    """Seller and buyer from a window envelope's small sender line (``Name · Street · City``) and
    the address below it."""
    for position, line in enumerate(lines):
        if line.page != lines[0].page or line.top > height * 0.45:
            break
        for phrase in _runs(line):
            parts = _SEPARATOR.split(phrase.text)
            if len(parts) < 3 or any(ch.isdigit() for ch in parts[0]) or not address.postcode(phrase.text):
                continue
            if _line_above(lines, position, phrase):
                continue  # a line inside an address block ("Opp. Commissioner Office, Vasanth Nagar, Bangalore 560001")
            if not plausible_name(parts[0].strip()):
                continue
            seller_words = phrase.words_in(0, len(parts[0]))
            found = [Candidate("seller_name", parts[0].strip(), seller_words, 0.65, "pattern")]
            below = _address_below(lines, hits, position, phrase)
            if below and plausible_name(below.text.strip(" ,")):
                found.append(Candidate("buyer_name", below.text.strip(" ,"), below.words, 0.6, "pattern"))
            return found
    return []


def _line_above(lines: list[Line], position: int, phrase: Phrase) -> bool:
    """Whether a line right above ``phrase`` starts where it starts: a sender line stands alone."""
    line = lines[position]
    for other in reversed(lines[max(0, position - 3) : position]):
        if other.page != line.page or line.top - other.bottom > 1.5 * max(line.bottom - line.top, 6):
            return False
        if any(abs(p.x0 - phrase.x0) <= 6 and sum(ch.isalpha() for ch in p.text) >= 2 for p in other.phrases):
            return True  # (a logo's stray mark above it is no line of an address)
    return False


def _runs(line: Line) -> list[Phrase]:
    """The line's phrases, those only a little apart joined (``Name ● Street ● City``)."""
    runs = [list(line.phrases[0].words)]
    for phrase in line.phrases[1:]:
        if phrase.x0 - runs[-1][-1].x1 < 15:
            runs[-1].extend(phrase.words)
        else:
            runs.append(list(phrase.words))
    return [Phrase(words) for words in runs]


def _address_below(lines: list[Line], hits: dict[int, list[Hit]], position: int, sender: Phrase) -> Phrase | None:
    size = max(w.size for w in sender.words)
    bottom = sender.bottom
    for line in lines[position + 1 :]:
        if line.page != lines[position].page or line.top - sender.bottom > 60:
            return None
        for index, phrase in enumerate(line.phrases):
            if abs(phrase.x0 - sender.x0) <= 40 and _wrapped(phrase, size, bottom):
                bottom = line.bottom  # the sender line's own end, wrapped ("... 01310-100 São" / "Paulo")
                break
            if abs(phrase.x0 - sender.x0) <= 40:
                if _starts_with_label(hits[line.index], index) or sum(ch.isalpha() for ch in phrase.text) < 2:
                    return None
                if _SALUTATION.fullmatch(phrase.text.strip()) or _DEPARTMENT.fullmatch(phrase.text.strip(" ,")):
                    break  # "Herrn", "Accounts Payable": the name is on the next line
                return phrase
    return None


def _wrapped(phrase: Phrase, size: float, bottom: float) -> bool:
    """Whether ``phrase`` goes on with a sender line of type ``size`` that ends at ``bottom``:
    as small as it, and as close under it as the lines of one paragraph."""
    return abs(max(w.size for w in phrase.words) - size) <= 0.3 and phrase.top - bottom < 0.4 * size


def from_title(lines: list[Line], day_first: bool) -> list[Candidate]:
    """Number and date from a title line: ``Rechnung Nr. 471102 vom 05.03.2018``, ``Facture n°5 du 2 mai 2015``,
    a title after a separator (``Order number: TS104382 · Invoice INV-2025-018842 issued May 19, 2025``);
    else the number alone under a title alone (``Fatura-Recibo`` / ``FR 2025A1/1057``)."""
    for line in lines:
        phrase = Phrase(line.words)
        starts = [0] + [m.end() for m in _SEGMENT.finditer(phrase.text)]
        match = next(filter(None, (_TITLE_NUMBER.match(phrase.text, start) for start in starts)), None)
        number = match["id"].split()[-1] if match else ""  # without its series ("FR 2024/88")
        if not match or parse_date(number) and not numbered_like_a_date(number, lines):
            continue
        found = [
            Candidate("invoice_number", match["id"].rstrip(".,:;"), phrase.words_in(*match.span("id")), 0.7, "pattern")
        ]
        dated = find_date(match["rest"], day_first) if match["rest"] else None
        if dated and dated[1][0] == 0:
            start = match.start("rest")
            found.append(
                Candidate(
                    "issue_date",
                    dated[0].isoformat(),
                    phrase.words_in(start + dated[1][0], start + dated[1][1]),
                    0.7,
                    "pattern",
                )
            )
        else:
            below = _date_below(lines, line, day_first)
            if below:
                found.append(below)
        return found
    return _number_under_title(lines)


_SEGMENT = re.compile(r"\s[·|•]\s+")  # "Order number: TS104382 · Placed on May 17, 2025 · Invoice ..."
_NUMBER_MARK = re.compile(r"(?:n[°º.]|no\.?|nr\.?|št\.?|č\.|br\.?|#)\s*", re.IGNORECASE)
_SERIES_NUMBER = re.compile(r"(?:[A-Z]{1,4}\s)?[A-Za-z0-9][\w/.\-]*\d[\w/.\-]*")


def _number_under_title(lines: list[Line]) -> list[Candidate]:
    """The number alone on the line under a title alone, in its column (``INVOICE`` /
    ``NF-2025-03-004417``, ``Fatura-Recibo`` / ``FR 2025A1/1057``), or right above it when it
    holds letters and digits (``CC-2025-0917`` / ``INVOICE``): the first such on the page."""
    for position, line in enumerate(lines[:40]):
        height = max(line.bottom - line.top, 8.0)
        for title in (p for p in line.phrases if is_title(p.text, "invoice") or is_title(p.text, "credit_note")):
            for other in lines[position + 1 : position + 3]:
                if other.page != line.page or other.top - line.bottom > 2.5 * height:
                    break
                cell = _in_column(other, title)
                if cell is not None:
                    found = _alone_number(cell)
                    if found:
                        return [found]
                    break
            above = lines[position - 1] if position else None
            if above is not None and above.page == line.page and line.top - above.bottom <= 1.5 * height:
                cell = _in_column(above, title)
                found = _alone_number(cell) if cell else None
                if found and any(ch.isalpha() for ch in found.value):
                    return [found]
    return []


def _in_column(line: Line, title: Phrase) -> Phrase | None:
    """The phrase of ``line`` that overlaps ``title`` across."""
    return next((p for p in line.phrases if p.x0 <= title.x1 + 2 and p.x1 >= title.x0 - 2), None)


def _alone_number(cell: Phrase) -> Candidate | None:
    """The number that is all of ``cell`` (after a ``No.``/``#``), neither a date nor an amount."""
    mark = _NUMBER_MARK.match(cell.text)
    start = mark.end() if mark else 0
    number = _SERIES_NUMBER.fullmatch(cell.text, start)
    if number is None or parse_date(number[0]) or parse_amount(number[0]) and "." in number[0]:
        return None
    return Candidate("invoice_number", number[0], cell.words_in(start, len(cell.text)), 0.7, "pattern")


_NUMERIC_DATE = re.compile(r"(?<![\w/.-])(?:\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}(-)\d{2}-\d{2})(?![\w/.-])")


def numbered_like_a_date(token: str, lines: list[Line]) -> bool:
    """Whether ``token``, shaped like a date (``Faktura 5/05/2024``: the fifth invoice of May;
    ``FV 14/03/2025`` on a page of ISO dates), is a number: the page writes its dates with
    another separator."""
    mark = next((ch for ch in token if ch in "./-"), None)
    marks = {m[1] or m[2] for line in lines for m in _NUMERIC_DATE.finditer(line.text) if m[0] != token}
    return mark is not None and bool(marks) and mark not in marks


def _date_below(lines: list[Line], title: Line, day_first: bool) -> Candidate | None:
    """A date alone on the line under the title (``Invoice 103767`` / ``February 17, 2026``)."""
    position = lines.index(title)
    for line in lines[position + 1 : position + 3]:
        if line.page != title.page or line.top - title.bottom > 3 * max(title.bottom - title.top, 8):
            return None
        first = line.phrases[0]
        if abs(first.x0 - title.phrases[0].x0) < 20 and parse_date(first.text, day_first):
            return Candidate("issue_date", parse_date(first.text, day_first).isoformat(), first.words, 0.65, "pattern")
    return None


_PLACE_DATE = re.compile(r"^[A-ZÄÖÜ][\w.\- ]{1,30}, (?:den|le|el|am|il|de) ", re.IGNORECASE)
_PLACE = re.compile(r"^[A-ZÀ-Þ][^\W\d_]+(?:[ -][A-ZÀ-Þ]?[^\W\d_]+){0,2}, ")  # "Zürich, 5. April 2024"


def place_and_date(lines: list[Line], day_first: bool) -> list[Candidate]:
    """``München, den 01.11.2024``, ``Paris, le 3 mai 2024``, ``Zürich, 5. April 2024`` alone
    on its line: the date a letter was written."""
    for line in lines:
        for index, phrase in enumerate(line.phrases):
            text = phrase.text
            following = line.phrases[index + 1] if index + 1 < len(line.phrases) else None
            match = _PLACE_DATE.match(text + " ")
            if match is None and len(line.phrases) == 1 and (place := _PLACE.match(text)):
                if labels.match(place[0].rstrip(", ")) is None and parse_date(text[place.end() :], day_first):
                    match = place
            if match is None:
                continue
            rest = text[match.end() :]
            if rest and parse_date(rest, day_first):
                words = phrase.words_in(len(text) - len(rest), len(text))
                return [Candidate("issue_date", parse_date(rest, day_first).isoformat(), words, 0.7, "pattern")]
            if not rest and following and parse_date(following.text, day_first):
                return [
                    Candidate(
                        "issue_date", parse_date(following.text, day_first).isoformat(), following.words, 0.7, "pattern"
                    )
                ]
    return []


def kind_of(lines: list[Line], height: float) -> str:
    """``credit_note`` when the top of page 1 says so, else ``invoice``."""
    for line in lines:
        if line.page != lines[0].page or line.top > height * 0.4:
            break
        if any(_CREDIT.match(labels.clean(p.text)) for p in line.phrases):
            return "credit_note"
    return "invoice"


# What opens a payment slip or a remittance advice at the foot of a bill, where "To:" names the
# payee (the seller) and "Customer" the buyer again, in the 13 languages.
_SLIP = re.compile(
    r"(?i)(?<![^\W\d_])(?:payment advice|remittance(?: advice| slip)?|remit to|payment (?:slip|stub|coupon)|detach"
    r"|return this (?:part|portion|stub|slip)|payable to|abtrennen|zahlschein|überweisungsträger|zahlungsabschnitt"
    r"|coupon|talon|bulletin de (?:versement|paiement)|acceptgiro|betaalstrook|strookje|talón|resguardo|cedolino"
    r"|bollettino|odcinek|ustřižek|složenka|inbetalningskort|girokort|indbetalingskort|tilisiirto|pankkisiirto)"
    r"(?![^\W\d_])"
)


def in_slip(lines: list[Line], position: int, height: float) -> bool:
    """Whether ``lines[position]`` stands under a line opening a payment slip, in the lower part of its page."""
    line = lines[position]
    for other in reversed(lines[max(0, position - 25) : position]):
        if other.page != line.page or other.top < height * 0.35:
            return False
        if _SLIP.search(other.text):
            return True
    return False
