"""How each sample invoice layout is printed (fpdf2): an American invoice, a German Rechnung, a
compact British tax invoice, a French facture, a Dutch factuur and a Spanish factura.

A table longer than a page goes on over the next pages under its header again, with
``Page n of m`` in the footer.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from fpdf import FPDF

from backoffice.demo.varied_words import month_names

if TYPE_CHECKING:
    from backoffice.demo.invoices import Sample

_MONTHS = month_names("en")

def money(value: Decimal, style: str) -> str:
    """``1,234.56`` (en), ``1.234,56`` (de) or ``1 234,56`` (fr)."""
    text = f"{value:,.2f}"
    if style == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "fr":
        return text.replace(",", " ").replace(".", ",")
    return text


class _Pages(FPDF):
    """An A4 page whose footer says ``Page n of m`` when the invoice runs over several pages."""

    def footer(self) -> None:
        if len(self.pages) > 1 or self.page > 1:
            self.set_font("Helvetica", "", 7)
            self.set_xy(150, 287)
            self.cell(42, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def _pdf(sample: Sample) -> FPDF:
    pdf = _Pages(format="A4", unit="mm") if len(sample.items) > 20 else FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(sample.issued.year, sample.issued.month, sample.issued.day, tzinfo=timezone.utc))
    pdf.set_title(f"Invoice {sample.number or ''}".strip())
    pdf.set_author(sample.seller.name)
    pdf.add_page()
    return pdf


def _put(pdf: FPDF, x: float, y: float, text: str, size: float = 9, style: str = "", width: float = 0,
         align: str = "L") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.set_xy(x, y)
    pdf.cell(width or pdf.get_string_width(text) + 1, size * 0.45, text, align=align)


def _table(pdf: FPDF, sample: Sample, y: float, heads: list[str], money_style: str, qty_style: str) -> float:
    """Description, quantity, unit price, amount; returns the y below the table."""
    columns = [(20, 90, "L"), (112, 20, "R"), (134, 28, "R"), (164, 28, "R")]
    pdf.set_draw_color(120, 120, 120)
    for (x, w, align), head in zip(columns, heads):
        _put(pdf, x, y, head, 9, "B", w, align)
    pdf.line(20, y + 5.5, 192, y + 5.5)
    y += 8
    for item in sample.items:
        if y > 262:  # the table goes on over the next page, under its header again
            pdf.line(20, y, 192, y)
            pdf.add_page()
            y = 20
            for (x, w, align), head in zip(columns, heads):
                _put(pdf, x, y, head, 9, "B", w, align)
            pdf.line(20, y + 5.5, 192, y + 5.5)
            y += 8
        qty = f"{item.quantity.normalize():f}"
        if qty_style == "de":
            qty = qty.replace(".", ",")
        cells = [item.description, qty, money(item.price, money_style), money(item.amount, money_style)]
        for (x, w, align), text in zip(columns, cells):
            _put(pdf, x, y, text, 9, "", w, align)
        y += 6
    pdf.line(20, y, 192, y)
    if y > 235:  # no room for the totals below the table
        pdf.add_page()
        return 20
    return y + 4


def _totals(pdf: FPDF, y: float, rows: list[tuple[str, str]], x: float = 120) -> float:
    for number, (label, value) in enumerate(rows):
        style = "B" if number == len(rows) - 1 or label.lower().startswith(("total", "rechnungs", "balance", "net ")) else ""
        _put(pdf, x, y, label, 9, style, 40)
        _put(pdf, 160, y, value, 9, style, 32, "R")
        y += 6
    return y


def _classic_en(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    usd = lambda v: "$" + money(v, "en")  # noqa: E731
    _put(pdf, 20, 18, sample.seller.name, 18, "B")
    _put(pdf, 20, 28, sample.seller.street)
    _put(pdf, 20, 33, sample.seller.city)
    _put(pdf, 150, 18, "INVOICE", 20, "B", 42, "R")
    rows = [("Invoice No.:", sample.number)] if sample.number else []
    rows += [("Invoice Date:", _us_date(sample.issued)), ("Due Date:", _us_date(sample.due))]
    if sample.order:
        rows.append(("PO Number:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 120, 32 + number * 5, label, 9, "B")
        _put(pdf, 150, 32 + number * 5, value, 9, "", 42, "R")
    _put(pdf, 20, 52, "Bill To:", 9, "B")
    _put(pdf, 20, 57, sample.buyer.name)
    _put(pdf, 20, 62, sample.buyer.street)
    _put(pdf, 20, 67, sample.buyer.city)
    y = _table(pdf, sample, 82, ["Description", "Qty", "Unit Price", "Amount"], "en", "en")
    y = _totals(pdf, y, [("Subtotal", usd(sample.net)), (f"Sales Tax ({sample.rate}%)", usd(sample.tax)),
                         ("Total", usd(sample.total)), ("Balance Due", usd(sample.total))])
    _put(pdf, 20, y + 10, "Thank you for your business. Payment is due by the due date above.", 8)
    return pdf


def _rechnung_de(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: money(v, "de") + " EUR"  # noqa: E731
    de = lambda d: d.strftime("%d.%m.%Y")  # noqa: E731
    _put(pdf, 110, 15, sample.seller.name, 16, "B", 82, "R")
    _put(pdf, 110, 23, f"{sample.seller.street}, {sample.seller.city}", 8, "", 82, "R")
    _put(pdf, 20, 45, f"{sample.seller.name} · {sample.seller.street} · {sample.seller.city}", 7)
    _put(pdf, 20, 51, "Rechnung an:", 8, "B")
    _put(pdf, 20, 56, sample.buyer.name, 10)
    _put(pdf, 20, 61, sample.buyer.street, 10)
    _put(pdf, 20, 66, sample.buyer.city, 10)
    rows = [("Rechnungsnummer:", sample.number)] if sample.number else []
    rows += [("Rechnungsdatum:", de(sample.issued)), ("Fällig am:", de(sample.due)), ("Kundennummer:", "K-" + sample.buyer.name[:3].upper() + "17")]
    if sample.order:
        rows.append(("Ihre Bestellung:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 125, 50 + number * 5, label, 9)
        _put(pdf, 160, 50 + number * 5, value, 9, "", 32, "R")
    _put(pdf, 20, 82, "Rechnung", 16, "B")
    y = _table(pdf, sample, 94, ["Bezeichnung", "Menge", "Einzelpreis", "Gesamtpreis"], "de", "de")
    y = _totals(pdf, y, [("Nettobetrag", eur(sample.net)), (f"zzgl. {money(sample.rate, 'de').rstrip('0').rstrip(',')} % USt.", eur(sample.tax)),
                         ("Rechnungsbetrag", eur(sample.total))])
    _put(pdf, 20, y + 8, f"Bitte überweisen Sie den Betrag bis zum {de(sample.due)}.", 9)
    _put(pdf, 20, 270, sample.seller.name, 7)
    _put(pdf, 20, 274, f"{sample.seller.street}, {sample.seller.city}", 7)
    _put(pdf, 85, 270, f"IBAN: {_grouped(sample.iban)}", 7)
    _put(pdf, 85, 274, "BIC: DEUTDEFFXXX", 7)
    _put(pdf, 150, 270, f"USt-IdNr.: {sample.vat_id}", 7)
    return pdf


def _compact_uk(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    gbp = lambda v: "£" + money(v, "en")  # noqa: E731
    uk = lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 13, "B")
    _put(pdf, 20, 22, f"{sample.seller.street}, {sample.seller.city}", 8)
    _put(pdf, 150, 15, "TAX INVOICE", 12, "B", 42, "R")
    heads = ([("Invoice No.", sample.number)] if sample.number else []) + [
        ("Invoice Date", uk(sample.issued)), ("Due Date", uk(sample.due))]
    if sample.order:
        heads.append(("PO Number", sample.order))
    for number, (label, value) in enumerate(heads):
        _put(pdf, 20 + number * 43, 34, label, 8, "B")
        _put(pdf, 20 + number * 43, 39, value, 9)
    _put(pdf, 20, 50, "Billed to", 8, "B")
    _put(pdf, 20, 55, sample.buyer.name, 9)
    _put(pdf, 20, 60, f"{sample.buyer.street}, {sample.buyer.city}", 8)
    y = _table(pdf, sample, 72, ["Description", "Qty", "Unit price", "Amount"], "en", "en")
    rate = f"{sample.rate.normalize():f}"
    y = _totals(pdf, y, [("Net", gbp(sample.net)), (f"VAT {rate}%", gbp(sample.tax)), ("Total GBP", gbp(sample.total))], x=135)
    _put(pdf, 20, 275, f"VAT Reg. No. {sample.vat_id[:2]} {sample.vat_id[2:5]} {sample.vat_id[5:9]} {sample.vat_id[9:]}", 7)
    _put(pdf, 100, 275, f"IBAN {_grouped(sample.iban)}", 7)
    return pdf


def _facture_fr(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: money(v, "fr") + " EUR"  # noqa: E731
    fr = lambda d: d.strftime("%d/%m/%Y")  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 16, "B")
    _put(pdf, 20, 23, sample.seller.street, 9)
    _put(pdf, 20, 28, sample.seller.city, 9)
    _put(pdf, 20, 33, f"N° TVA intracom. : {sample.vat_id}", 8)
    _put(pdf, 140, 15, "FACTURE", 18, "B", 52, "R")
    rows = [("Facture n° :", sample.number)] if sample.number else []
    rows += [("Date de facture :", fr(sample.issued)), ("Date d'échéance :", fr(sample.due))]
    if sample.order:
        rows.append(("Bon de commande :", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 115, 30 + number * 5, label, 9)
        _put(pdf, 160, 30 + number * 5, value, 9, "", 32, "R")
    _put(pdf, 115, 58, "Client :", 9, "B")
    _put(pdf, 115, 63, sample.buyer.name, 10)
    _put(pdf, 115, 68, sample.buyer.street, 9)
    _put(pdf, 115, 73, sample.buyer.city, 9)
    y = _table(pdf, sample, 88, ["Désignation", "Qté", "Prix unitaire", "Montant HT"], "fr", "de")
    rate = money(sample.rate, "fr").rstrip("0").rstrip(",")
    y = _totals(pdf, y, [("Total HT", eur(sample.net)), (f"TVA {rate} %", eur(sample.tax)),
                         ("Total TTC", eur(sample.total)), ("Net à payer", eur(sample.total))])
    _put(pdf, 20, y + 10, f"Règlement par virement : IBAN {_grouped(sample.iban)}", 8)
    return pdf


def _us_date(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _grouped(iban: str | None) -> str:
    iban = iban or ""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _factuur_nl(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: "EUR " + money(v, "de")  # noqa: E731
    nl = lambda d: d.strftime("%d-%m-%Y")  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 15, "B")
    _put(pdf, 20, 23, f"{sample.seller.street}, {sample.seller.city}", 8)
    _put(pdf, 20, 28, f"Btw-nummer: {sample.vat_id}   IBAN: {_grouped(sample.iban)}", 8)
    _put(pdf, 150, 15, "FACTUUR", 16, "B", 42, "R")
    _put(pdf, 20, 44, "Factuur aan:", 9, "B")
    _put(pdf, 20, 49, sample.buyer.name, 10)
    _put(pdf, 20, 54, sample.buyer.street, 9)
    _put(pdf, 20, 59, sample.buyer.city, 9)
    rows = [("Factuurnummer:", sample.number or ""), ("Factuurdatum:", nl(sample.issued)), ("Vervaldatum:", nl(sample.due))]
    if sample.order:
        rows.append(("Ordernummer:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 120, 44 + number * 5, label, 9)
        _put(pdf, 160, 44 + number * 5, value, 9, "", 32, "R")
    y = _table(pdf, sample, 76, ["Omschrijving", "Aantal", "Prijs", "Bedrag"], "de", "de")
    rate = f"{sample.rate.normalize():f}"
    y = _totals(pdf, y, [("Subtotaal", eur(sample.net)), (f"Btw {rate}%", eur(sample.tax)),
                         ("Totaal", eur(sample.total)), ("Te betalen", eur(sample.total))])
    _put(pdf, 20, y + 8, f"Gelieve te betalen voor {nl(sample.due)}.", 8)
    return pdf


def _factura_es(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: money(v, "de") + " EUR"  # noqa: E731
    es = lambda d: d.strftime("%d/%m/%Y")  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 15, "B")
    _put(pdf, 20, 23, f"{sample.seller.street}, {sample.seller.city}", 8)
    _put(pdf, 20, 28, f"NIF: {sample.vat_id}", 8)
    _put(pdf, 150, 15, "FACTURA", 16, "B", 42, "R")
    rows = [("Número de factura:", sample.number or ""), ("Fecha de factura:", es(sample.issued)),
            ("Fecha de vencimiento:", es(sample.due))]
    if sample.order:
        rows.append(("Pedido:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 110, 40 + number * 5, label, 9)
        _put(pdf, 160, 40 + number * 5, value, 9, "", 32, "R")
    _put(pdf, 20, 40, "Cliente:", 9, "B")
    _put(pdf, 20, 45, sample.buyer.name, 10)
    _put(pdf, 20, 50, f"{sample.buyer.street}, {sample.buyer.city}", 8)
    y = _table(pdf, sample, 72, ["Descripción", "Cantidad", "Precio unitario", "Importe"], "de", "de")
    rate = f"{sample.rate.normalize():f}"
    y = _totals(pdf, y, [("Base imponible", eur(sample.net)), (f"IVA {rate}%", eur(sample.tax)),
                         ("Total factura", eur(sample.total))])
    _put(pdf, 20, y + 8, f"Transferencia bancaria: IBAN {_grouped(sample.iban)}", 8)
    return pdf


RENDER = {"classic-en": _classic_en, "rechnung-de": _rechnung_de, "compact-uk": _compact_uk, "facture-fr": _facture_fr,
           "factuur-nl": _factuur_nl, "factura-es": _factura_es}
