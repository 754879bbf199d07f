"""ZUGFeRD 1.0 release-candidate XML (2013-2014): ``<rsm:Invoice>`` in the CBFBUY namespace with
the Cross Industry vocabulary, read exactly like ZUGFeRD 1.0 instead of falling back to the page."""

from __future__ import annotations

from fpdf import FPDF

from backoffice.documents import extract
from backoffice.documents.xml import read_xml
from backoffice.documents.xml.read import syntax_of
from backoffice.documents.xml.safe import parse


def _rc_invoice(type_code: str = "380", total: str = "119.00") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:Invoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CBFBUY:5">
  <rsm:SpecifiedExchangedDocumentContext>
    <TestIndicator>false</TestIndicator>
    <GuidelineSpecifiedDocumentContextParameter><ID>urn:ferd:invoice:rc:comfort</ID></GuidelineSpecifiedDocumentContextParameter>
  </rsm:SpecifiedExchangedDocumentContext>
  <rsm:HeaderExchangedDocument>
    <ID>RE-2014-0042</ID><Name>RECHNUNG</Name><TypeCode>{type_code}</TypeCode>
    <IssueDateTime format="102">20140312</IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ApplicableSupplyChainTradeAgreement>
      <SellerTradeParty><Name>Lieferant GmbH</Name>
        <SpecifiedTaxRegistration><ID schemeID="VA">DE123456789</ID></SpecifiedTaxRegistration></SellerTradeParty>
      <BuyerTradeParty><Name>Kunde AG</Name>
        <PostalTradeAddress><PostcodeCode>80333</PostcodeCode><LineOne>Kundenstraße 15</LineOne>
          <CityName>München</CityName><CountryID>DE</CountryID></PostalTradeAddress></BuyerTradeParty>
    </ApplicableSupplyChainTradeAgreement>
    <ApplicableSupplyChainTradeSettlement>
      <InvoiceCurrencyCode>EUR</InvoiceCurrencyCode>
      <SpecifiedTradeSettlementPaymentMeans><TypeCode>42</TypeCode>
        <PayeePartyCreditorFinancialAccount><IBANID>DE89370400440532013000</IBANID></PayeePartyCreditorFinancialAccount>
        <PayeeSpecifiedCreditorFinancialInstitution><BICID>COBADEFFXXX</BICID></PayeeSpecifiedCreditorFinancialInstitution>
      </SpecifiedTradeSettlementPaymentMeans>
      <ApplicableTradeTax><CalculatedAmount currencyID="EUR">19.00</CalculatedAmount><TypeCode>VAT</TypeCode>
        <BasisAmount currencyID="EUR">100.00</BasisAmount><ApplicablePercent>19</ApplicablePercent></ApplicableTradeTax>
      <SpecifiedTradePaymentTerms><DueDateDateTime format="102">20140411</DueDateDateTime></SpecifiedTradePaymentTerms>
      <SpecifiedTradeSettlementMonetarySummation>
        <LineTotalAmount currencyID="EUR">100.00</LineTotalAmount>
        <TaxBasisTotalAmount currencyID="EUR">100.00</TaxBasisTotalAmount>
        <TaxTotalAmount currencyID="EUR">19.00</TaxTotalAmount>
        <GrandTotalAmount currencyID="EUR">{total}</GrandTotalAmount>
        <DuePayableAmount currencyID="EUR">{total}</DuePayableAmount>
      </SpecifiedTradeSettlementMonetarySummation>
    </ApplicableSupplyChainTradeSettlement>
    <IncludedSupplyChainTradeLineItem>
      <AssociatedDocumentLineDocument><LineID>1</LineID></AssociatedDocumentLineDocument>
      <SpecifiedSupplyChainTradeAgreement><NetPriceProductTradePrice><ChargeAmount currencyID="EUR">50.00</ChargeAmount>
      </NetPriceProductTradePrice></SpecifiedSupplyChainTradeAgreement>
      <SpecifiedSupplyChainTradeDelivery><BilledQuantity unitCode="C62">2</BilledQuantity></SpecifiedSupplyChainTradeDelivery>
      <SpecifiedSupplyChainTradeSettlement>
        <ApplicableTradeTax><TypeCode>VAT</TypeCode><ApplicablePercent>19</ApplicablePercent></ApplicableTradeTax>
        <SpecifiedTradeSettlementMonetarySummation><LineTotalAmount currencyID="EUR">100.00</LineTotalAmount>
        </SpecifiedTradeSettlementMonetarySummation>
      </SpecifiedSupplyChainTradeSettlement>
      <SpecifiedTradeProduct><Name>Schraubenset</Name></SpecifiedTradeProduct>
    </IncludedSupplyChainTradeLineItem>
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:Invoice>""".encode()


def test_the_release_candidate_is_recognised():
    assert syntax_of(parse(_rc_invoice(), "rc.xml")) == "zugferd-rc"


def test_a_release_candidate_invoice_is_read_exactly():
    document = read_xml(_rc_invoice(), "rc.xml")
    values = {name: found.value for name, found in document.fields.items()}
    assert document.kind == "invoice"
    assert values == {
        "invoice_number": "RE-2014-0042",
        "issue_date": "2014-03-12",
        "due_date": "2014-04-11",
        "seller_name": "Lieferant GmbH",
        "seller_vat_id": "DE123456789",
        "buyer_name": "Kunde AG",
        "buyer_address": "80333, Kundenstraße 15, München, DE",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "currency": "EUR",
        "net_total": "100.00",
        "tax_total": "19.00",
        "grand_total": "119.00",
        "amount_due": "119.00",
    }
    assert [{k: f.value for k, f in line.items()} for line in document.lines] == [
        {
            "description": "Schraubenset",
            "quantity": "2",
            "unit": "C62",
            "unit_price": "50.00",
            "amount": "100.00",
            "tax_rate": "19",
        }
    ]
    assert [{k: f.value for k, f in t.items()} for t in document.tax_lines] == [
        {"rate": "19", "base": "100.00", "amount": "19.00"}
    ]
    assert all(found.method == "xml" and found.confidence == 1.0 for found in document.fields.values())


def test_a_release_candidate_credit_note_says_so():
    document = read_xml(_rc_invoice("381"), "rc.xml")
    assert document.kind == "credit_note" and document.fields["document_type"].value == "credit_note"


def test_embedded_in_a_pdf_it_wins_over_the_page(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(80, 8, "Rechnung RE-2014-0042  Gesamtbetrag 119,00 EUR")
    pdf.embed_file(bytes=_rc_invoice(), basename="ZUGFeRD-invoice.xml", mime_type="text/xml")
    path = tmp_path / "rc.pdf"
    pdf.output(str(path))
    document = extract(path)
    assert document.method == "embedded-xml"
    assert document.fields["grand_total"].value == "119.00" and document.fields["due_date"].value == "2014-04-11"
