"""UN/CEFACT Cross Industry syntax: Factur-X / ZUGFeRD 2 / XRechnung CII invoices, ZUGFeRD 1
(``CrossIndustryDocument``) invoices, ZUGFeRD 1.0 release-candidate invoices (``Invoice`` in the
CBFBUY namespace, dates as the text of ``IssueDateTime`` itself), and Order-X orders
(``SCRDMCCBDACIOMessageStructure``).

The three share their vocabulary (``ram:SellerTradeParty``, ``ram:GrandTotalAmount``) but not
their element paths, so every lookup names each variant's path; namespaces are matched with
``{*}`` because each version uses its own.
"""

from __future__ import annotations

from lxml import etree

from backoffice.documents.models import Document, Field
from backoffice.documents.xml.values import Collector, first, text

CREDIT_NOTE_CODES = {"381", "396", "81", "83", "261", "262", "296", "308", "532"}


def _party(root: etree._Element, collect: Collector, role: str, name_field: str, vat_field: str | None) -> None:
    party = root.find(f".//{{*}}{role}")
    if party is None:
        return
    collect.set(name_field, first(party, "{*}Name"))
    if vat_field:
        vat = next((e for e in party.findall("{*}SpecifiedTaxRegistration/{*}ID") if e.get("schemeID") == "VA"), None)
        collect.set(vat_field, vat, "compact")


def _address(party: etree._Element | None) -> str | None:
    if party is None:
        return None
    address = party.find("{*}PostalTradeAddress")
    if address is None:
        return None
    parts = [text(e) for e in address if text(e)]
    return ", ".join(p for p in parts if p) or None


def _summation(transaction: etree._Element) -> etree._Element | None:
    for settlement in ("{*}ApplicableHeaderTradeSettlement", "{*}ApplicableSupplyChainTradeSettlement"):
        header = transaction.find(settlement)
        if header is None:
            continue
        for name in ("{*}SpecifiedTradeSettlementHeaderMonetarySummation", "{*}SpecifiedTradeSettlementMonetarySummation"):
            found = header.find(name)
            if found is not None:
                return found
    return None


def _amount(summation: etree._Element | None, name: str, currency: str | None) -> etree._Element | None:
    """A summation amount; with two (one per currency, as in EXTENDED), the invoice currency's."""
    if summation is None:
        return None
    options = [e for e in summation.findall(f"{{*}}{name}") if text(e)]
    if not options:
        return None
    return next((e for e in options if currency and e.get("currencyID") == currency), options[0])


def _lines(transaction: etree._Element, collect: Collector, order: bool) -> list[dict[str, Field]]:
    lines = []
    for item in transaction.findall("{*}IncludedSupplyChainTradeLineItem"):
        line: dict[str, Field] = {}
        if order:
            collect.put(line, "item_id", first(item, "{*}SpecifiedTradeProduct/{*}SellerAssignedID",
                                               "{*}SpecifiedTradeProduct/{*}GlobalID"))
        collect.put(line, "description", first(item, "{*}SpecifiedTradeProduct/{*}Name"))
        quantity = first(item, "{*}SpecifiedLineTradeDelivery/{*}BilledQuantity",
                         "{*}SpecifiedLineTradeDelivery/{*}RequestedQuantity",
                         "{*}SpecifiedLineTradeDelivery/{*}AgreedQuantity",
                         "{*}SpecifiedSupplyChainTradeDelivery/{*}BilledQuantity")
        collect.put(line, "quantity", quantity, "number")
        if quantity is not None and quantity.get("unitCode") and not order:
            line["unit"] = collect.field(quantity.get("unitCode", ""), quantity.get("unitCode", ""))
        collect.put(line, "unit_price", first(
            item, "{*}SpecifiedLineTradeAgreement/{*}NetPriceProductTradePrice/{*}ChargeAmount",
            "{*}SpecifiedSupplyChainTradeAgreement/{*}NetPriceProductTradePrice/{*}ChargeAmount"), "money")
        collect.put(line, "amount", first(
            item, "{*}SpecifiedLineTradeSettlement/{*}SpecifiedTradeSettlementLineMonetarySummation/{*}LineTotalAmount",
            "{*}SpecifiedSupplyChainTradeSettlement/{*}SpecifiedTradeSettlementMonetarySummation/{*}LineTotalAmount"),
            "money")
        if not order:
            collect.put(line, "tax_rate", first(
                item, "{*}SpecifiedLineTradeSettlement/{*}ApplicableTradeTax/{*}RateApplicablePercent",
                "{*}SpecifiedSupplyChainTradeSettlement/{*}ApplicableTradeTax/{*}ApplicablePercent"), "number")
        lines.append(line)  # even an empty one (a note or a group line): the count matches the XML
    return lines


def _tax_lines(transaction: etree._Element, collect: Collector) -> list[dict[str, Field]]:
    found = []
    for settlement in ("{*}ApplicableHeaderTradeSettlement", "{*}ApplicableSupplyChainTradeSettlement"):
        header = transaction.find(settlement)
        if header is None:
            continue
        for tax in header.findall("{*}ApplicableTradeTax"):
            line: dict[str, Field] = {}
            collect.put(line, "rate", first(tax, "{*}RateApplicablePercent", "{*}ApplicablePercent"), "number")
            collect.put(line, "base", first(tax, "{*}BasisAmount"), "money")
            collect.put(line, "amount", first(tax, "{*}CalculatedAmount"), "money")
            if line:
                found.append(line)
    return found


def _more(transaction: etree._Element, collect: Collector) -> None:
    """The fields beyond the key ones: bank, buyer and delivery addresses, buyer VAT id, period."""
    collect.set("bic", first(transaction, ".//{*}PayeeSpecifiedCreditorFinancialInstitution/{*}BICID"), "compact")
    collect.set("bank_account", first(transaction, ".//{*}PayeePartyCreditorFinancialAccount/{*}ProprietaryID"),
                "compact")
    for role, name in (("BuyerTradeParty", "buyer_address"), ("ShipToTradeParty", "shipping_address")):
        address = _address(transaction.find(f".//{{*}}{role}"))
        if address:
            collect.fields[name] = collect.field(address, address)
    period = transaction.find(".//{*}ApplicableHeaderTradeSettlement/{*}BillingSpecifiedPeriod")
    if period is None:
        period = transaction.find(".//{*}ApplicableSupplyChainTradeSettlement/{*}BillingSpecifiedPeriod")
    if period is not None:
        collect.set("service_start", first(period, "{*}StartDateTime/{*}DateTimeString", "{*}StartDateTime"), "date")
        collect.set("service_end", first(period, "{*}EndDateTime/{*}DateTimeString", "{*}EndDateTime"), "date")


def read_cii(root: etree._Element, method: str) -> Document:
    """An invoice, credit note or order in any of the Cross Industry variants."""
    order = etree.QName(root).localname == "SCRDMCCBDACIOMessageStructure"
    collect = Collector(method)
    header = root.find("{*}ExchangedDocument")
    header = root.find("{*}HeaderExchangedDocument") if header is None else header
    transaction = root.find("{*}SupplyChainTradeTransaction")
    transaction = root.find("{*}SpecifiedSupplyChainTradeTransaction") if transaction is None else transaction
    if header is None or transaction is None:
        return Document(kind="unknown", method=method, warnings=["the XML has no document header or transaction"])
    type_code = text(header.find("{*}TypeCode")) or ""
    collect.set("order_number" if order else "invoice_number", header.find("{*}ID"))
    collect.set("order_date" if order else "issue_date", first(header, "{*}IssueDateTime/{*}DateTimeString",
                                                               "{*}IssueDateTime"), "date")
    _party(transaction, collect, "SellerTradeParty", "seller_name", "seller_vat_id")
    _party(transaction, collect, "BuyerTradeParty", "buyer_name", "buyer_vat_id")
    collect.set("order_reference", first(transaction, ".//{*}BuyerOrderReferencedDocument/{*}IssuerAssignedID",
                                         ".//{*}BuyerOrderReferencedDocument/{*}ID"))
    if not order:
        address = _address(transaction.find(".//{*}SellerTradeParty"))
        if address:
            collect.fields["seller_address"] = collect.field(address, address)
        collect.set("iban", first(transaction, ".//{*}PayeePartyCreditorFinancialAccount/{*}IBANID"), "compact")
        collect.set("due_date", first(transaction, ".//{*}SpecifiedTradePaymentTerms/{*}DueDateDateTime/{*}DateTimeString",
                                      ".//{*}SpecifiedTradePaymentTerms/{*}DueDateDateTime"), "date")
        collect.set("payment_terms", first(transaction, ".//{*}SpecifiedTradePaymentTerms/{*}Description"))
        _more(transaction, collect)
    else:
        collect.set("delivery_date", first(
            transaction, ".//{*}RequestedDeliverySupplyChainEvent/{*}OccurrenceDateTime/{*}DateTimeString",
            ".//{*}RequestedDespatchSupplyChainEvent/{*}OccurrenceDateTime/{*}DateTimeString"), "date")
        address = _address(transaction.find(".//{*}ShipToTradeParty"))
        if address:
            collect.fields["delivery_address"] = collect.field(address, address)
    currency = first(transaction, ".//{*}InvoiceCurrencyCode", ".//{*}OrderCurrencyCode", ".//{*}TaxCurrencyCode")
    collect.set("currency", currency, "code")
    code = text(currency)
    summation = _summation(transaction)
    net = _amount(summation, "TaxBasisTotalAmount", code)
    collect.set("net_total", net if net is not None else _amount(summation, "LineTotalAmount", code), "money")
    collect.set("tax_total", _amount(summation, "TaxTotalAmount", code), "money")
    collect.set("total" if order else "grand_total", _amount(summation, "GrandTotalAmount", code), "money")
    if not order:
        collect.set("amount_due", _amount(summation, "DuePayableAmount", code), "money")
    kind = "order" if order else "credit_note" if type_code in CREDIT_NOTE_CODES else "invoice"
    if kind == "credit_note":
        collect.fields["document_type"] = collect.field("credit_note", type_code)
    document = Document(kind=kind, method=method, fields=collect.fields, lines=_lines(transaction, collect, order))
    if not order:
        document.tax_lines = _tax_lines(transaction, collect)
    return document
