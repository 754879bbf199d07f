"""OASIS UBL 2.x: ``Invoice`` and ``CreditNote`` (XRechnung UBL, PEPPOL BIS) and ``Order``."""

from __future__ import annotations

from lxml import etree

from backoffice.documents.models import Document, Field
from backoffice.documents.xml.values import Collector, first, text

_CREDIT_CODES = {"381", "396", "81", "83", "532"}


def _party(root: etree._Element, path: str) -> etree._Element | None:
    return root.find(f"{{*}}{path}/{{*}}Party")


def _name(party: etree._Element | None) -> etree._Element | None:
    if party is None:
        return None
    return first(party, "{*}PartyName/{*}Name", "{*}PartyLegalEntity/{*}RegistrationName")


def _vat(party: etree._Element | None) -> etree._Element | None:
    if party is None:
        return None
    for scheme in party.findall("{*}PartyTaxScheme"):
        if (text(scheme.find("{*}TaxScheme/{*}ID")) or "VAT").upper() == "VAT":
            return scheme.find("{*}CompanyID")
    return None


def _address(address: etree._Element | None) -> str | None:
    if address is None:
        return None
    parts = [text(address.find(f"{{*}}{name}")) for name in
             ("StreetName", "AdditionalStreetName", "BuildingNumber", "PostalZone", "CityName")]
    country = text(address.find("{*}Country/{*}IdentificationCode"))
    return ", ".join(p for p in [*parts, country] if p) or None


def _lines(root: etree._Element, collect: Collector, tag: str, order: bool) -> list[dict[str, Field]]:
    lines = []
    for item in root.findall(f"{{*}}{tag}"):
        if order:
            item = item.find("{*}LineItem") if item.find("{*}LineItem") is not None else item
        line: dict[str, Field] = {}
        if order:
            collect.put(line, "item_id", first(item, "{*}Item/{*}SellersItemIdentification/{*}ID",
                                               "{*}Item/{*}StandardItemIdentification/{*}ID"))
        collect.put(line, "description", first(item, "{*}Item/{*}Name", "{*}Item/{*}Description"))
        quantity = first(item, "{*}InvoicedQuantity", "{*}CreditedQuantity", "{*}Quantity")
        collect.put(line, "quantity", quantity, "number")
        if quantity is not None and quantity.get("unitCode") and not order:
            line["unit"] = collect.field(quantity.get("unitCode", ""), quantity.get("unitCode", ""))
        collect.put(line, "unit_price", first(item, "{*}Price/{*}PriceAmount"), "money")
        collect.put(line, "amount", first(item, "{*}LineExtensionAmount"), "money")
        if not order:
            collect.put(line, "tax_rate", first(item, "{*}Item/{*}ClassifiedTaxCategory/{*}Percent"), "number")
        if line:
            lines.append(line)
    return lines


def read_ubl(root: etree._Element, method: str) -> Document:
    """A UBL invoice, credit note or order."""
    tag = etree.QName(root).localname
    collect = Collector(method)
    if tag == "Order":
        return _order(root, collect, method)
    seller = _party(root, "AccountingSupplierParty")
    buyer = _party(root, "AccountingCustomerParty")
    collect.set("invoice_number", root.find("{*}ID"))
    collect.set("issue_date", root.find("{*}IssueDate"), "date")
    collect.set("due_date", first(root, "{*}DueDate", "{*}PaymentMeans/{*}PaymentDueDate"), "date")
    collect.set("seller_name", _name(seller))
    collect.set("seller_vat_id", _vat(seller), "compact")
    address = _address(seller.find("{*}PostalAddress") if seller is not None else None)
    if address:
        collect.fields["seller_address"] = collect.field(address, address)
    collect.set("buyer_name", _name(buyer))
    collect.set("buyer_vat_id", _vat(buyer), "compact")
    collect.set("order_reference", root.find("{*}OrderReference/{*}ID"))
    currency = root.find("{*}DocumentCurrencyCode")
    collect.set("currency", currency, "code")
    collect.set("iban", root.find("{*}PaymentMeans/{*}PayeeFinancialAccount/{*}ID"), "compact")
    collect.set("payment_terms", root.find("{*}PaymentTerms/{*}Note"))
    totals = root.find("{*}LegalMonetaryTotal")
    if totals is not None:
        collect.set("net_total", first(totals, "{*}TaxExclusiveAmount", "{*}LineExtensionAmount"), "money")
        collect.set("grand_total", totals.find("{*}TaxInclusiveAmount"), "money")
        collect.set("amount_due", totals.find("{*}PayableAmount"), "money")
    code = text(currency)
    taxes = [t for t in root.findall("{*}TaxTotal")]
    tax = next((t for t in taxes if (t.find("{*}TaxAmount") is not None
                                     and t.find("{*}TaxAmount").get("currencyID") in (code, None))), None)
    if tax is not None:
        collect.set("tax_total", tax.find("{*}TaxAmount"), "money")
    type_code = text(first(root, "{*}InvoiceTypeCode", "{*}CreditNoteTypeCode")) or ""
    kind = "credit_note" if tag == "CreditNote" or type_code in _CREDIT_CODES else "invoice"
    line_tag = "CreditNoteLine" if tag == "CreditNote" else "InvoiceLine"
    if kind == "credit_note":
        collect.fields["document_type"] = collect.field("credit_note", type_code or tag)
    document = Document(kind=kind, method=method, fields=collect.fields, lines=_lines(root, collect, line_tag, False))
    for sub in tax.findall("{*}TaxSubtotal") if tax is not None else []:
        line: dict[str, Field] = {}
        collect.put(line, "rate", sub.find("{*}TaxCategory/{*}Percent"), "number")
        collect.put(line, "base", sub.find("{*}TaxableAmount"), "money")
        collect.put(line, "amount", sub.find("{*}TaxAmount"), "money")
        document.tax_lines.append(line)
    return document


def _order(root: etree._Element, collect: Collector, method: str) -> Document:
    collect.set("order_number", root.find("{*}ID"))
    collect.set("order_date", root.find("{*}IssueDate"), "date")
    collect.set("buyer_name", _name(_party(root, "BuyerCustomerParty")))
    collect.set("seller_name", _name(_party(root, "SellerSupplierParty")))
    collect.set("delivery_date", first(root, "{*}Delivery/{*}RequestedDeliveryPeriod/{*}StartDate",
                                       "{*}Delivery/{*}RequestedDeliveryPeriod/{*}EndDate"), "date")
    address = _address(root.find("{*}Delivery/{*}DeliveryLocation/{*}Address"))
    if address:
        collect.fields["delivery_address"] = collect.field(address, address)
    collect.set("currency", root.find("{*}DocumentCurrencyCode"), "code")
    totals = root.find("{*}AnticipatedMonetaryTotal")
    if totals is not None:
        collect.set("net_total", first(totals, "{*}TaxExclusiveAmount", "{*}LineExtensionAmount"), "money")
        collect.set("total", first(totals, "{*}TaxInclusiveAmount", "{*}PayableAmount"), "money")
    collect.set("tax_total", root.find("{*}TaxTotal/{*}TaxAmount"), "money")
    return Document(kind="order", method=method, fields=collect.fields, lines=_lines(root, collect, "OrderLine", True))
