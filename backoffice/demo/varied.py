"""Varied invoices for training and testing the field ranker: many layouts, 13 languages, fonts,
money and date habits, one to several pages, credit notes, with what is printed on each.

Every document is drawn from a seeded ``random.Random``: where the seller, the title, the
invoice details, the parties and the totals sit and how they are labelled (beside, above, in
a heading sentence, labels in one row and values in the next), which synonyms name them,
distractors (customer numbers, delivery dates, ship-to blocks, previous balances). The same seed
gives the same documents.

Two disjoint families: :data:`TRAINING` and :data:`HELD_OUT`. Held-out documents each carry at
least one trait training never shows (the languages ``pt`` and ``fi``, a monospaced font, the
invoice details in a boxed grid, totals printed as a sentence), so that scoring them measures
how well the ranker does on layouts it has not seen.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fpdf import FPDF

from backoffice.demo import varied_bills, varied_charges, varied_totals, varied_traits
from backoffice.demo.varied_words import (
    BRANDS,
    CITIES,
    HABITS,
    ITEMS,
    LEGAL,
    STEMS,
    STREETS,
    TAGLINES,
    TRADES,
    WORDS,
)

TRAINING = "training"
HELD_OUT = "held-out"
HELD_OUT_LANGUAGES = ("pt", "fi")
_FONTS = {"sans": "DejaVuSans", "serif": "DejaVuSerif", "condensed": "DejaVuSansCondensed", "mono": "DejaVuSansMono"}
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_CENT = Decimal("0.01")
_IBAN_LENGTH = {
    "DE": 22,
    "FR": 27,
    "NL": 18,
    "ES": 24,
    "IT": 27,
    "PT": 25,
    "PL": 28,
    "CZ": 24,
    "SE": 24,
    "DK": 18,
    "NO": 15,
    "FI": 18,
    "GB": 22,
}


@dataclass
class Spec:
    """One document: its words, its values and how it is laid out."""

    lang: str
    words: dict[str, str]
    font: str
    meta: str  # right-rows, left-rows, row-above, sentence, grid (held out)
    parties: str  # bill-to, side-by-side, window, labelled
    totals: str  # rows, table-row, sentence (held out)
    number: str
    issued: date
    due: date | None
    seller: list[str]
    buyer: list[str]
    ship: list[str] | None
    currency: str
    symbol: str | None
    show: str  # how money shows its currency: code-after, code-before, symbol, plain (+ a currency line)
    money: str
    dates: str
    items: list[tuple[str, Decimal, Decimal]]
    rates: list[Decimal]
    vat_id: str
    iban: str | None
    order: str | None
    customer_no: str
    delivery: date | None
    credit: bool
    previous: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    colon: str = ":"
    extras: dict = field(default_factory=dict)

    @property
    def sign(self) -> int:
        return -1 if self.credit else 1

    def amount(self, quantity: Decimal, price: Decimal) -> Decimal:
        return (quantity * price * self.sign).quantize(_CENT, ROUND_HALF_UP)

    @property
    def net(self) -> Decimal:
        return sum((self.amount(q, p) for _, q, p in self.items), Decimal(0))

    def tax_by_rate(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(rate, base, tax) per rate; items take the rates in turn."""
        bases: dict[Decimal, Decimal] = {}
        for index, (_, q, p) in enumerate(self.items):
            rate = self.rates[index % len(self.rates)]
            bases[rate] = bases.get(rate, Decimal(0)) + self.amount(q, p)
        return [(r, b, (b * r / 100).quantize(_CENT, ROUND_HALF_UP)) for r, b in bases.items()]

    @property
    def tax(self) -> Decimal:
        return sum((t for _, _, t in self.tax_by_rate()), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.net + self.tax + varied_charges.levy(self)

    @property
    def amount_due(self) -> Decimal:
        return self.total + self.previous - self.paid


def _pick(rng: random.Random, options: list[str]) -> str:
    return options[rng.randrange(len(options))]


def _name(rng: random.Random, lang: str) -> str:
    legal = _pick(rng, LEGAL[lang])
    stem = _pick(rng, STEMS)
    if rng.random() < 0.3:
        stem = f"{stem} & {_pick(rng, STEMS)}"
    return " ".join(p for p in (stem, _pick(rng, TRADES), legal) if p)


def _iban(rng: random.Random, country: str) -> str:
    length = _IBAN_LENGTH.get(country, 22)
    bban = "".join(str(rng.randrange(10)) for _ in range(length - 4))
    check = 98 - int("".join(str(int(ch, 36)) for ch in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def _vat_id(rng: random.Random, country: str) -> str:
    digits = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
    return {
        "DE": lambda: "DE" + digits(9),
        "FR": lambda: "FR" + digits(11),
        "NL": lambda: f"NL{digits(9)}B{digits(2)}",
        "ES": lambda: f"ESB{digits(8)}",
        "IT": lambda: "IT" + digits(11),
        "PT": lambda: "PT" + digits(9),
        "PL": lambda: "PL" + digits(10),
        "CZ": lambda: "CZ" + digits(8),
        "SE": lambda: f"SE{digits(10)}01",
        "DK": lambda: "DK" + digits(8),
        "NO": lambda: f"NO{digits(9)}MVA",
        "FI": lambda: "FI" + digits(8),
        "GB": lambda: "GB" + digits(9),
    }[country]()


def _number(rng: random.Random, year: int) -> str:
    n = rng.randrange(1, 99999)
    return _pick(
        rng,
        [
            f"INV-{year}-{n:04d}",
            f"{year}-{n % 1000:03d}",
            f"RE{n:06d}",
            f"F{year}/{n % 10000:04d}",
            f"{n + 10000}",
            f"FA-{year % 100}-{n:05d}",
            f"{n % 1000}/{year}",
            f"{year}{n:05d}",
            f"{n % 10000}",
            f"{n % 1000:03d}",
            f"A{n % 100000}",
            f"{n % 100}-{n % 7}",
        ],
    )


def _reference(rng: random.Random, shapes: list[str], year: int) -> str:
    """An order or customer reference; both kinds share shapes, so only their labels tell them apart."""
    return _pick(rng, shapes).format(n=rng.randrange(100, 999999), y=year % 100)


def _dates(rng: random.Random, lang: str, currency: str) -> str:
    """How dates are printed; slashed English dates put the month first in dollars only, as in the
    United States (elsewhere the day), so that the truth is what a reader of that country sees."""
    style = _pick(rng, HABITS[lang]["dates"])
    if style in ("m/d/y", "d/m/y"):
        return "m/d/y" if currency == "USD" else "d/m/y"
    return style


def make_spec(rng: random.Random, family: str) -> Spec:
    """A random document of ``family`` (:data:`TRAINING` or :data:`HELD_OUT`)."""
    held_out = family == HELD_OUT
    trait = rng.randrange(4) if held_out else -1  # the trait that training never shows
    langs = [lang for lang in WORDS if lang not in HELD_OUT_LANGUAGES]
    lang = _pick(rng, list(HELD_OUT_LANGUAGES)) if trait == 0 else _pick(rng, langs)
    words = {role: _pick(rng, options) for role, options in WORDS[lang].items()}
    habits = HABITS[lang]
    currency, symbol = habits["currencies"][rng.randrange(len(habits["currencies"]))]
    country = habits["country"]
    issued = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
    items = [
        (_pick(rng, ITEMS), Decimal(rng.choice([1, 1, 2, 3, 5, 10, 12])), Decimal(rng.randrange(500, 250000)) / 100)
        for _ in range(rng.choice([1, 2, 3, 4, 6, 9, 14, 30]))
    ]
    rates = [Decimal(_pick(rng, ["20", "19", "21", "10", "25", "23", "24", "7", "5.5", "8.25", "0"]))]
    if rng.random() < 0.2:
        rates.append(Decimal(_pick(rng, ["7", "10", "12", "5", "9"])))
    styles = ["right-rows", "left-rows", "row-above", "sentence"] + (["grid"] if held_out else [])
    spec = Spec(
        lang=lang,
        words=words,
        font="mono" if trait == 1 else _pick(rng, ["sans", "serif", "condensed"]),
        meta="grid" if trait == 2 else _pick(rng, styles),
        parties=_pick(rng, ["bill-to", "side-by-side", "window", "labelled"]),
        totals="sentence" if trait == 3 else _pick(rng, ["rows", "rows", "table-row"]),
        number=_number(rng, issued.year),
        issued=issued,
        due=issued + timedelta(days=rng.choice([7, 14, 30, 60])) if rng.random() < 0.8 else None,
        seller=[_name(rng, lang), _pick(rng, STREETS), _pick(rng, CITIES)],
        buyer=[_name(rng, lang), _pick(rng, STREETS), _pick(rng, CITIES)],
        ship=[_name(rng, lang), _pick(rng, STREETS), _pick(rng, CITIES)] if rng.random() < 0.2 else None,
        currency=currency,
        symbol=symbol,
        show=_pick(rng, ["code-after", "code-before", "plain"] + (["symbol", "symbol"] if symbol else [])),
        money=_pick(rng, habits["money"]),
        dates=_dates(rng, lang, currency),
        items=items,
        rates=rates,
        vat_id=_vat_id(rng, country),
        iban=_iban(rng, country if country != "GB" else "GB") if rng.random() < 0.7 else None,
        order=_reference(rng, ["PO-{n}", "45000{n}", "BST-{n}", "{n}/{y}", "ORD{n}", "{n}"], issued.year)
        if rng.random() < 0.35
        else None,
        customer_no=_reference(rng, ["{n}", "K-{n}", "C{n}", "KD-{n}", "CUST-{n}", "{n}-{y}"], issued.year),
        delivery=issued - timedelta(days=rng.randrange(1, 20)) if rng.random() < 0.3 else None,
        credit=rng.random() < 0.1,
        colon=_pick(rng, [":", ":", ""]),
    )
    if rng.random() < 0.12 and not spec.credit:
        spec.previous = Decimal(rng.randrange(0, 50000)) / 100
        spec.paid = Decimal(rng.randrange(0, 50000)) / 100
    spec.extras["due_amount"] = rng.random() < 0.5 or bool(spec.previous or spec.paid)
    spec.extras["seller_size"] = rng.choice([11, 14, 16, 18, 22])
    spec.extras["buyer_size"] = rng.choice([9, 10, 12])
    spec.extras["title_size"] = rng.choice([12, 16, 20, 24])
    spec.extras["seller_right"] = rng.random() < 0.3
    spec.extras["swap_sides"] = rng.random() < 0.3
    spec.extras["customer_no"] = rng.random() < 0.7
    spec.extras["no_number"] = spec.meta != "sentence" and rng.random() < 0.04  # forgotten: nothing to read
    spec.extras["brand"] = _pick(rng, BRANDS) if rng.random() < 0.1 else None
    if spec.extras["brand"] and spec.parties in ("bill-to", "window"):
        spec.parties = "labelled"
    # the whole page moved and its type scaled a little, so that no place or size is learnt by heart
    spec.extras.update(
        dx=rng.uniform(-8, 6), dy=rng.uniform(-6, 14), stretch=rng.uniform(0.95, 1.05), scale=rng.uniform(0.85, 1.05)
    )
    if not held_out:
        # Letterheads as real senders print them: some with a slogan beside the name, some with the
        # address elsewhere, many without the seller's name again in the footer. Drawn from a
        # generator of their own, so that the documents (and the held-out family) stay as they were.
        side = random.Random(f"{spec.number}-{spec.vat_id}")
        spec.extras["footer_name"] = side.random() < 0.55
        spec.extras["tagline"] = _pick(side, TAGLINES) if side.random() < 0.25 else None
        spec.extras["letterhead_address"] = side.random() < 0.7
        varied_traits.apply(spec)
        varied_charges.apply(spec)  # before the bills: a paid bill pays the grand total with its levy
        varied_bills.apply(spec)
        varied_totals.apply(spec)
    return spec


# ---------------------------------------------------------------- what should be read


def truth(spec: Spec) -> dict:
    """What an extractor should read, in the corpus's truth format."""
    amount = lambda v: f"{v:.2f}"  # noqa: E731
    return {
        "invoice_number": None if spec.extras["no_number"] else spec.number,
        "issue_date": spec.issued.isoformat(),
        "due_date": spec.due.isoformat() if spec.due else None,
        "currency": spec.currency,
        "net_total": None if spec.extras.get("no_net") else amount(spec.net),
        "tax_total": amount(spec.tax),
        "grand_total": amount(spec.total),
        "amount_due": amount(spec.amount_due) if varied_totals.shows_due(spec) else None,
        "seller_name": spec.seller[0],
        "buyer_name": spec.extras.get("buyer_name", spec.buyer[0]),
        "seller_vat_id": spec.vat_id,
        "iban": spec.iban,
        "order_reference": spec.order,
        "line_count": len(spec.items),
        "document_type": "credit_note" if spec.credit else "invoice",
        "_layout": {
            "lang": spec.lang,
            "font": spec.font,
            "meta": spec.meta,
            "parties": spec.parties,
            "totals": spec.totals,
        },
    }


class _Page(FPDF):
    def __init__(self, spec: Spec):
        super().__init__(format="A4", unit="mm")
        self.spec = spec
        self.set_auto_page_break(False)
        self.unicode = all((_FONT_DIR / f"{name}{s}.ttf").exists() for name in _FONTS.values() for s in ("", "-Bold"))
        if self.unicode:
            family = _FONTS[spec.font]
            self.add_font(family, "", str(_FONT_DIR / f"{family}.ttf"))
            self.add_font(family, "B", str(_FONT_DIR / f"{family}-Bold.ttf"))
            self.family_name = family
        else:  # no DejaVu: a core font, accents folded
            self.family_name = {"serif": "Times", "mono": "Courier"}.get(spec.font, "Helvetica")

    def put(
        self, x: float, y: float, text: str, size: float = 9, style: str = "", width: float = 0, align: str = "L"
    ) -> None:
        if not self.unicode:
            text = text.replace("€", "EUR").replace("ł", "l").replace("Ł", "L")
            text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if ord(ch) < 256)
        shift = self.spec.extras
        size *= shift.get("scale", 1.0)
        self.set_font(self.family_name, style, size)
        self.set_xy(x + shift.get("dx", 0.0), min(y * shift.get("stretch", 1.0) + shift.get("dy", 0.0), 288))
        self.cell(width or self.get_string_width(text) + 1, size * 0.45, text, align=align)

    def footer(self) -> None:
        if self.spec.extras.get("pages", 1) > 1:
            self.put(150, 287, f"{self.spec.words['page']} {self.page_no()}/{{nb}}", 7, "", 42, "R")


def render(spec: Spec) -> FPDF:
    """The PDF of ``spec``."""
    from backoffice.demo import varied_blocks as blocks

    spec.extras["pages"] = 1 + max(0, len(spec.items) - 18) // 22 + (len(spec.items) > 18)
    pdf = _Page(spec)
    pdf.set_title(spec.words["title"])
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    pdf.add_page()
    y = blocks.letterhead(pdf, spec)
    y = varied_bills.draw_period(pdf, spec, blocks.details_and_parties(pdf, spec, y))
    y = blocks.items_table(pdf, spec, y)
    y = varied_bills.draw(pdf, spec, y)
    y = blocks.totals(pdf, spec, y)
    y = varied_totals.draw_schedule(pdf, spec, y)
    if spec.extras.get("stub"):
        y = blocks.stub(pdf, spec, y)
    blocks.footer_lines(pdf, spec)
    return pdf


def collides(path: Path) -> bool:
    """Whether two texts of the drawing overlap (one line's words running into each other)."""
    from backoffice.documents.layout import lines_of
    from backoffice.documents.pdf import read_words

    for page in read_words(path, ocr=False).pages:
        for line in lines_of(page):
            words = line.words
            if any(b.x0 < a.x1 - 1 for a, b in zip(words, words[1:], strict=False)):
                return True
    return False


def write_set(folder: Path, count: int, seed: int, family: str = TRAINING) -> list[tuple[Path, dict]]:
    """Write ``count`` documents of ``family`` into ``folder``; (path, truth) of each."""
    rng = random.Random(f"{family}-{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(count):
        for attempt in range(20):  # a drawing whose texts run into each other is drawn anew (20 tries)
            spec = make_spec(rng, family)
            path = folder / f"{family}-{seed}-{number:04d}-{spec.lang}.pdf"
            render(spec).output(str(path))
            if attempt == 19 or not collides(path):
                break
            path.unlink()
        want = truth(spec)
        path.with_name(path.name + ".truth.json").write_text(json.dumps(want, indent=1), encoding="utf-8")
        written.append((path, want))
    return written
