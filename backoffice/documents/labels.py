"""The printed labels of invoice fields, in English, German, French, Dutch, Spanish, Italian,
Portuguese, Polish, Czech, Swedish, Danish, Norwegian and Finnish.

A label is matched against one to five words of a line ("Fecha de Vencimiento de Pago"), six before a colon,
lower-cased and without colons. ``strong`` labels name their field plainly; ``weak`` ones
(``Date``, ``Total``, ``No.``) only count at the start of a phrase and only for a value on the
same line. ``OTHER`` lists labels of things we do not read, so that ``Customer No.`` is not taken
for ``Customer``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from backoffice.documents.layout import Line, Phrase
from backoffice.documents.normalise import CURRENCY_CODES, CURRENCY_SYMBOLS
from backoffice.documents.words import Word

_NO = r"(?:no\.?|nr\.?|n[°º]\.?|n\. ?o\.?|num\.?|number|numéro|numero|#|№|id)"  # "n.o": "N.º" folded
_CODES = "|".join(sorted(c.lower() for c in CURRENCY_CODES))
_RATE = r"\(?(?:\d{1,2}(?:[.,]\d{1,3})?\s?%|%\s?\d{1,2}(?:[.,]\d{1,3})?)\)?"  # "20%", Turkish "%20"
# What may follow an amount label: a currency, a rate, a footnote mark.
_ON = r"(?:on|auf|sur|su|op|over|sobre|på)"
# the base a tax is taken on: "on 112.90", "auf / sur 6'904.00", "over € 12.050,00" (a figure, its sign before it)
_BASE = rf"{_ON}(?: ?/ ?{_ON})?(?: (?:[€$£]|{_CODES})?\s?\S*\d\S*)?"
# the signs of currencies ("€", "US$", "S/", "Kč"), as a label ends with them: "Importe Total S/", "K úhradě Kč"
_SIGNS = "|".join(
    re.escape(s.lower()) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True) if not s.isalpha() or len(s) >= 2
)
_TAIL = rf"(?:\s?(?:\(?(?:{_CODES})\)?|\(?(?:{_SIGNS})\)?|(?:at |@ ?)?{_RATE}|in (?:{_CODES})|\*+|\.|{_BASE}))*"
_TAX_ONE = (
    r"(?:vat|tax|sales tax|harmonized sales tax|goods and services tax|provincial sales tax|gst|hst|mwst\.?|ust\.?"
    r"|umsatzsteuer|mehrwertsteuer|tva|btw|iva|igst|cgst|sgst|imposta|imposto|podatek vat|dph|moms|mva|alv|daň"
    r"|tps|tvq|tvh|qst|pst|rst|pst \(?(?:bc|mb|sk|qc)\)?"  # Canada's federal and provincial sales taxes
    r"|i\.v\.a\.?|i\.?g\.?v\.?|ppn|sst"  # Peru's IGV, Indonesia's PPN, Malaysia's SST
    r"|kdv"  # Turkey's
    r"|pvm|pvn|pdv|ddv|áfa|käibemaks|φπα|ддс)"  # Lithuanian, Latvian, Croatian, Slovenian, Hungarian, Estonian,
    # Greek, Bulgarian
)
_TAX_WORD = rf"{_TAX_ONE}(?: ?/ ?{_TAX_ONE})?"  # or two of them: "Vat/Tax (20%)", "GST/HST"
_TAX_PRE = (
    rf"(?:(?:zzgl|zuzüglich|inkl|incl|inklusive|including|plus|add|enthaltene|af te dragen|te betalen|\+)\.?\s"
    rf"|(?:cuota|importe|valor|montant|montante|importo|kwota|částka|bedrag|beløp|belopp|beløb|summa|betrag)"
    rf"(?: (?:de la|de|del|do|da|di|della|dell'|der))? )?"
    rf"(?:{_RATE}\s?)?"
)
# The states of the United States, whose names head their sales tax on a bill ("Kansas sales tax")
_US_STATES = (
    r"alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho"
    r"|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota"
    r"|mississippi|missouri|montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina"
    r"|north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas"
    r"|utah|vermont|virginia|washington|west virginia|wisconsin|wyoming|district of columbia"
)
# The kinds of sales tax a bill names ("Transaction Tax", "State Tax", "Impuesto municipal").
_TAX_KIND = (
    r"(?:state|county|city|local|municipal|provincial|federal|transaction|excise|service|consumption|sales and use"
    rf"|use|luxury|tourism|occupancy|(?:{_US_STATES})(?: state)?(?: sales)?) tax(?:es)?"
    r"|impuestos?(?: (?:municipal|provincial|internos?))?"
    r"|taxe (?:de séjour|municipale|locale)|écotaxe|éco-?participation|kurtaxe|beherbergungssteuer|tourismusabgabe"
    r"|toeristenbelasting|gemeentebelasting|(?:imposta|tassa) di soggiorno|opłata miejscowa|podatek akcyzowy"
    r"|místní poplatek|spotřební daň|punktskatt|energiskatt|punktafgift|miljøafgift|miljøavgift|energiavgift"
)
STRONG: dict[str, list[str]] = {
    "invoice_number": [
        (
            rf"(?:tax |commercial |credit note |credit memo )?(?:invoice|inv\.?|bill|credit note|credit memo|document"
            rf"|receipt) ?{_NO}|invoice ref(?:erence)?"
        ),
        r"(?:(?:schluss|abschlags|teil|sammel|end|waren|handels)?rechnungs?|gutschrifts?|beleg|re|korrektur|storno)"
        r"[- ]?(?:nummer|nr\.?|no\.?)",
        rf"{_NO} (?:de |d')?(?:la |l')?(?:facture|avoir)|(?:facture|avoir|note de crédit) {_NO}|numéro (?:de facture|d'avoir)",
        r"(?:credit)?factuur ?(?:nummer|nr\.?|no\.?)|factuurnummer|creditnota ?(?:nummer|nr\.?)|nota ?(?:nummer|nr\.?)",
        r"(?:honorarnote|honorarrechnung|kostennote) ?(?:nummer|nr\.?|no\.?)",
        r"n[úu]mero de factura|factura (?:n[°º.]?|no\.?|n[úu]m\.?|n[úu]mero)|n[°º] (?:de )?factura",
        r"serie y folio|folio interno",  # a Mexican CFDI's series and number (not its "Folio fiscal", the UUID)
        r"(?:comprobante|comp\.?|cbte\.?) (?:n[°º.]?|nro\.?|no\.?|n[úu]m\.?|n[úu]mero)|n[úu]mero de comprobante",
        r"re\.?-? ?nr\.?|re\.? ?no\.?",
        r"(?:seria|serija|série|serie|sērija):? [a-z]{1,6} (?:nr\.?|no\.?|n[°º]\.?)",  # the series, then its number
        # a title, a word or two of its kind, and the number word: "Fatura com impostos num.", "Factura electrónica nº"
        (
            rf"(?:invoice|rechnung|facture|factuur|factura|fattura|fatura|faktura)"
            rf"(?: (?!(?:customer|client|kunde|order|bestell|auftrag|commande|cliente|pedido|ordine|zamówieni|gemäß|per\b))"
            rf"[^\W\d_]+){{1,2}} (?:{_NO}|č\.?|n\.?[°º])"
        ),
        # the number of the document, as forms in many languages print it ("N.º documento", "Nr dokumentu")
        (
            r"(?:n\.? ?[°º]\.?|nr\.?|no\.?|num\.?|n[úu]mero|numero|numer|číslo|nummer) (?:de |do |del |di |of )?(?:the )?"
            r"(?:documento|dokumentu|dokladu|document|dokument)|(?:documento|dokument|doklad) (?:n\.? ?[°º]\.?|nr\.?|č\.?)"
            r"|dokumentnummer|documentnummer|dokumentnr\.?|bilagsnr\.?|bilagsnummer"
        ),
    ],
    "issue_date": [
        (
            r"(?:invoice|bill|billing|issue|issuing|document|tax point|creation|credit note|statement|receipt) date"
            r"|date of (?:issue|issuing|invoice)"
        ),
        r"date issued|issued(?: on)?|invoiced on|dokumentdato|dokumentdatum|datum dokladu",
        r"rechnungs-?datum|beleg-?datum|ausstellungsdatum|gutschriftsdatum|liefer- und rechnungsdatum",
        r"date (?:de (?:la )?)?factur(?:e|ation)|date d'émission|factuurdatum|notadatum",
        r"fecha(?: de)?(?: la)? (?:factura|emisión|emision|expedición)|datum factuur|data do documento|data dokumentu",
        r"utfärdandedatum|utstedt|udstedt|udstedelsesdato|utstedelsesdato",
    ],
    "due_date": [
        (
            r"(?:invoice |payment )?due date|date due|payment due(?: date| by| on)?|due by|due on|pay by|payable(?: on or before| by)"
            r"|payment date"
        ),
        r"(?:zahlungs)?fällig(?:keit)?(?:sdatum)?(?: am| bis)?|zahlbar bis|zahlungsziel|zahlungsfrist",
        r"date (?:d')?échéance|échéance|date limite de paiement|à payer avant le",
        # a direct debit's date: when the amount is taken, it is due
        r"(?:sera )?prélevé le|prélèvement le|(?:will be )?debited on|direct debit on|abbuchung am|abgebucht am|einzug am",
        r"vervaldatum|uiterste betaaldatum|te betalen v[oó]{1,2}r|betalen v[oó]{1,2}r|fecha (?:de )?vencimiento(?: del? pago)?"
        r"|fecha de vto\.? (?:para el|del?) pago|vencimiento|fecha l[ií]mite de pago|pagar antes del?|fecha de cargo|se cargar[áa] el",
    ],
    "seller_name": [
        r"seller|vendor|supplier|sold by|issued by|biller|verkäufer|lieferant|rechnungssteller|leistungserbringer|aussteller",
        r"seller(?: trade)? name|supplier name|raison sociale du vendeur|nom du vendeur",
        r"fournisseur|vendeur|émetteur|leverancier|verkoper|proveedor|vendedor|(?:datos del )?emisor|remitente",
        r"(?:service )?provider|absender|rechnungsaussteller",
        r"bill(?:ed)? from|invoice(?:d)? from|billed by|invoiced by|remit to|(?:make (?:checks|cheques) )?payable to",
        # the creditor and the debtor of a Swiss QR bill's payment part, in its four languages
        r"(?:(?:account|konto|compte|conto) ?/ ?)?(?:payable to|zahlbar an|payable à|pagabile a)",
    ],
    "buyer_name": [
        r"bill(?:ed)? to(?: address)?|invoice(?:d)? to|sold to|buyer|customer name|client name|customer|client|recipient|party(?: name)?",
        r"rechnung an|rechnungsempfänger|leistungsempfänger|käufer(?:/leistungsempfänger)?|empfänger|kunde",
        r"factur(?:é|e|er) à|adressé à|factuur aan|gefactureerd aan|klant|factura(?:r|do) a|cliente",
        r"adresse (?:du|de) client|customer address|billing address|invoic(?:e|ing) address|rechnungsadresse|rechnungsanschrift|adresse de facturation|factuuradres|indirizzo di fatturazione|buyer name|purchaser",
        r"datos del cliente|(?:datos|direcci[óo]n) de facturaci[óo]n|dados do cliente|(?:datos del )?receptor",
        r"señor(?:es|\(es\))?|sr\.?\(?es\)?",  # a Latin American invoice's addressee ("Señor(es):")
        r"(?:zahlbar durch|payable par|pagabile da)(?: \((?:name/adresse|nom/adresse|nome/indirizzo)\))?",
    ],
    "order_reference": [
        r"(?:purchase )?order ?(?:no\.?|nr\.?|number|#|id|ref\.?|reference)|purchase order|your order(?: no\.?)?",
        r"(?:l\.?)?p\.?o\.?(?: number| no\.?| #)?|(?:your )?lpo(?: no\.?| number)?|(?:no\.?|nr\.?|#) ?p\.?o\.?|customer order(?: no\.?)?|your ref(?:\.|erence)?|v/r[ée]f\.?|votre r[ée]f[ée]rence",
        r"bestell(?:nummer|nr\.?|-nr\.?|ung(?: nr\.?)?)|ihre bestellung(?: nr\.?)?|auftrags?(?:nummer|nr\.?|-nr\.?)",
        r"(?:n[°º] )?(?:de )?(?:bon de )?commande|ordernummer|bestelnummer|n[úu]mero de pedido|pedido",
        r"uw (?:bestelling|order|referentie)(?: ?(?:nr\.?|nummer))?|uw bestelnummer|order-?id",
        (
            r"(?:customer|cust\.?|client|buyer)(?:'s)? (?:reference|ref\.?|po(?: no\.?| number)?|order(?: ref(?:erence)?)?)"
            r"|buyer reference|order ref(?:\.|erence)?|po ref(?:\.|erence)?|purchase order (?:no\.?|number|ref\.?)"
            r"|your (?:po|purchase order)(?: no\.?| number)?|ihr(?:e)? (?:zeichen|referenz|auftrag(?:snummer)?|bestellnummer)"
            r"|kundenbestellung|bestellzeichen|inkoopnummer|bestelbon|r[ée]f[ée]rence client|rif\.? vs\.? ordine|naro[čc]ilnica"
            r"|votre commande|réf(?:\.|érence)? (?:de )?commande|n[°º] (?:de )?commande"
            r"|uw (?:kenmerk|ordernummer|ref\.?)|inkoopordernummer|su (?:referencia|ref\.?|pedido)|referencia (?:del )?pedido"
            r"|orden de compra|o\.c\.|n[°º] (?:de )?pedido"
        ),
        # the buyer's order in further wordings: "Buyer's Order No.", "Votre bon de commande", "Numer zamówienia
        # nabywcy", "Ert ordernummer", "V/ encomenda", "Requisição"
        (
            r"(?:customer|client|buyer)(?:'s)? order (?:no\.?|nr\.?|number|#)|votre bon de commande"
            r"|numer zamówienia(?: nabywcy)?|ert? (?:ordernummer|ordernr\.?|beställningsnummer)"
            r"|v/ ?encomenda|vossa encomenda|(?:n\. ?o )?requisição|nota de encomenda"
        ),
    ],
    "seller_vat_id": [
        r"vat(?: reg\.?(?:istration)?)? ?(?:no\.?|number|id|#)|vat id|vat|tax id|tva|btw(?:-?nummer| ?nr\.?)?"
        r"|(?:vat/tax|tax/vat) (?:no\.?|number|id)",
        r"ust\.?-?id\.?-?(?:nr\.?)?|ust-?idnr\.?|umsatzsteuer-?id(?:entifikationsnummer)?|uid(?:-nr\.?)?",
        r"(?:n[°º] )?tva(?: intra(?:com(?:munautaire)?)?\.?)?|nif|cif|nif/cif|cif/nif|btw-id|n\.i\.f\.|c\.i\.f\.",
        (
            r"gstin(?:/uin)?|gst (?:reg(?:istration)?\.? )?(?:no\.?|number|#)|abn|(?:gst/)?hst(?: reg(?:istration)?)? ?"
            r"(?:no\.?|number|#)|cuit|business number|(?:federal )?e\.?i\.?n\.?|fein|federal tax id|rfc"
            r"|uen(?: ?/ ?gst reg(?:istration)?\.? no\.?)?|(?:közösségi )?adószám"
        ),
        r"unified social credit code|uscc",  # China's company and taxpayer number
        r"(?:vat reg\.? |our )?tin(?: no\.?| #)?|kra pin|tax pin",  # a taxpayer identification number (PH, NG, KE)
        r"r\.?u\.?t\.?(?: emisor)?|rfc emisor",  # Chile's taxpayer roll number, Mexico's issuer
        r"r\.?u\.?c\.?(?: n[°º])?|nit",  # Peru's and Ecuador's taxpayer number, Colombia's
        # the seller's own: "Supplier TRN", "Seller VAT No."
        r"(?:supplier|seller|vendor)(?:'s)? (?:trn|tin|tax id|tax number|vat(?: reg(?:istration)?\.?)? ?(?:no\.?|number|id)?)",
        # a tax's registration: "Tax Reg. No.", "SST Registration No.", "HST Reg. No.", the Gulf's "TRN"
        (
            r"(?:tax|sales tax|service tax|sst|gst|hst) reg(?:istration)?\.? ?(?:no\.?|number|#|id)"
            r"|tax registration(?: no\.?| number| #)?|trn|(?:no\.? )?pendaftaran sst"
        ),
    ],
    "iban": [r"iban"],
    "currency": [r"currency|währung|devise|valuta|moneda|mata uang"],
    "net_total": [
        rf"(?:sub ?total|subtotal|net(?: total| amount)?|total net|net total|untaxed amount){_TAIL}",
        rf"(?:total|amount|sub ?total|(?:total )?charges) (?:excl\.?|excluding|ex\.?|before|without) (?:vat|tax|taxes|gst|hst){_TAIL}",
        rf"(?:(?:sum|summe|total|totaal) (?:net|netto)|net sum){_TAIL}",  # "Sum (net)", "Total (net)"
        r"(?:without|excl\.?|excluding) (?:vat|tax)",  # a breakdown's column: "VAT rate  Tax  Without VAT  With VAT"
        rf"(?:goods (?:total|value)|total goods(?: value)?){_TAIL}",
        rf"(?:netto(?:summe|betrag)?|nettobetrag|(?:rechnungs|gesamt)?summe netto|gesamt netto|zwischensumme){_TAIL}",
        rf"(?:warenwert(?: netto)?|nettowarenwert|summe (?:der )?positionen|positionssumme){_TAIL}",
        rf"(?:(?:rechnungs|gesamt)?betrag netto|rechnungsbetrag netto){_TAIL}",
        rf"(?:(?:rechnungs)?summe|gesamtbetrag|betrag) (?:ohne|exkl\.?|excl\.?) (?:ust|mwst|umsatzsteuer)\.?{_TAIL}",
        rf"(?:total net amount|total without (?:vat|tax)|net value|nettowert|gesamt ?netto){_TAIL}",
        rf"(?:total ht(?:va)?|montant ht(?:va)?|total hors (?:taxes?|tva)|sous[- ]total|subtotaal|totaal excl\.? btw){_TAIL}",
        rf"(?:total|betrag|summe) (?:exkl\.?|excl\.?|ohne) (?:mwst|ust)\.?{_TAIL}",
        rf"(?:bedrag excl\.? btw|exclusief btw|excl\.? btw|base imponible|total sin iva|importe neto|monto neto"
        rf"|(?:total )?op(?:\.|eraci[oó]n(?:es)?) gravadas?|valor venta|sub ?total ventas){_TAIL}",  # Peru's taxed sales
        # the amount the tax is taken of ("BTW plichtig bedrag", "Taxable amount", "Bemessungsgrundlage")
        (
            rf"(?:taxable (?:amount|value|base|total)|tax(?:able)? base|amount subject to (?:vat|tax)|net taxable"
            rf"|(?:btw[- ]?)?plichtig bedrag|belastbaar bedrag|maatstaf van heffing|(?:btw[- ])?grondslag"
            rf"|netto goederenwaarde|steuerpflichtiger betrag|bemessungsgrundlage|base (?:ht|imposable|hors taxes?)"
            rf"|montant imposable|total imposable|podstawa opodatkowania|beskattningsunderlag|momspliktigt belopp"
            rf"|momsgrundlag|momspligtigt beløb|(?:mva-?)?grunnlag(?: mva)?|avgiftspliktig beløp|veron peruste"
            rf"|base tributável|base de incidência|base de cálculo|importe imponible|base gravable){_TAIL}"
        ),
        rf"(?:(?:sub ?total|total) (?:after|less|net of) discounts?|net after discounts?){_TAIL}",
    ],
    "tax_total": [
        rf"{_TAX_PRE}(?:total )?{_TAX_WORD}(?:\d{{1,2}})?(?: amount| total| paid)?{_TAIL}",  # "IGST18 (18%)"
        rf"(?:{_TAX_WORD} ?-?(?:betrag|bedrag)|montant (?:de la )?tva|total tva|steuerbetrag){_TAIL}",
        rf"(?:{_TAX_WORD} (?:gesamt|summe|total)|(?:summe|gesamt) {_TAX_WORD}|total {_TAX_WORD} amount){_TAIL}",
        rf"(?:(?:total )?(?:{_TAX_KIND})|totaal btw|btw totaal|total taxes|taxes){_TAIL}",
        # the tax inside a tax-inclusive total: "Total includes GST of", "VAT included @ 20%"
        rf"(?:(?:total|amount|price|prices) )?(?:includes?|including) {_TAX_WORD}(?: of| amount)?{_TAIL}",
        rf"{_TAX_WORD}(?: {_RATE})? (?:included|incl\.?)(?: (?:in|on) (?:the )?(?:total|price|prices|amount))?{_TAIL}",
    ],
    "grand_total": [
        rf"(?:grand total|total amount|invoice total|total for this invoice|gross amount|total gross){_TAIL}",
        rf"(?:total|amount|total paid)(?: (?:{_CODES}|[€$£]))? (?:incl\.?|including|inc\.?|with) (?:vat|tax|gst|hst){_TAIL}",
        rf"(?:(?:sum|summe|total|totaal) (?:gross|brutto)|gross (?:sum|total)){_TAIL}",  # "Sum (gross)"
        r"with (?:vat|tax)",
        rf"(?:credit (?:note )?total|total credit|gutschriftsbetrag|gutschriftssumme|gesamtgutschrift"
        rf"|montant (?:total )?de l'avoir|total (?:de l')?avoir){_TAIL}",  # a credit note's grand total
        rf"total paid{_TAIL}",
        rf"(?:gesamtbetrag|gesamtsumme|rechnungsbetrag|rechnungssumme|bruttobetrag|endbetrag|summe brutto){_TAIL}",
        rf"total (?:rechnung|honorarnote|honorarrechnung|kostennote)(?: inkl\.? mwst\.?)?{_TAIL}",
        rf"(?:bruttosumme|summe gesamt|gesamt ?brutto|gesamtbetrag brutto|rechnungsbetrag brutto){_TAIL}",
        rf"(?:(?:rechnungs|gesamt)summe brutto){_TAIL}",
        rf"(?:gesamt brutto|total ttc|total tvac|montant ttc|montant tvac|montant total|total facture|totaal incl\.? btw){_TAIL}",
        rf"(?:totaalbedrag|inclusief btw|total factura(?: rectificativa)?|importe total){_TAIL}",
        (
            rf"(?:(?:total )?(?:new|current|this (?:month|period)'s) charges(?: (?:for )?this (?:bill|period|month|statement))?"
            rf"(?: (?:incl\.?|including) (?:vat|tax|gst|hst))?"
            rf"|total charges(?: (?:for )?this (?:bill|period|month|statement))?|charges (?:for )?this (?:bill|period)"
            rf"(?: (?:incl\.?|including) (?:vat|tax|gst|hst))?"
            rf"|(?:total )?(?:invoice|bill) amount|amount of (?:this )?invoice|rekenings?bedrag|factuurbedrag"
            rf"|eindtotaal|totaal factuur|montant (?:de la )?facture|importe (?:de la )?factura"
            rf"|valor (?:da fatura|total a pagar)){_TAIL}"
        ),
    ],
    "amount_due": [
        (
            rf"(?:(?:amount|balance|total|total amount) due"
            rf"(?: now| today| and owing| (?:on )?this (?:invoice|bill|statement)| (?:up)?on receipt)?"
            rf"|amount payable|please pay|due amount"
            rf"|total (?:amount )?payable|amount to pay|(?:remaining|outstanding) (?:amount|balance)(?: due)?"
            rf"|(?:remaining|outstanding) amount due|balance (?:remaining|outstanding|to pay)"
            rf"|amount now due|total amount now due){_TAIL}"
        ),
        (
            rf"(?:(?:payable |to be paid )?(?:on or )?before (?:the )?due date|amount (?:owing|outstanding|to be paid)"
            rf"|total (?:owing|outstanding)|balance payable|please remit|new balance|total balance due"
            rf"|account balance due){_TAIL}"
        ),
        rf"(?:noch zu zahlen|restbetrag(?: zur zahlung)?|zu zahlender (?:rest)?betrag|verbleibender betrag"
        rf"|offener (?:rechnungsbetrag|saldo|betrag)|gesamtbetrag fällig){_TAIL}",
        rf"(?:restbetrag|saldo|betrag) zu (?:unseren gunsten|ihren lasten){_TAIL}",  # what the client owes
        rf"(?:solde (?:dû|à payer|restant dû)|montant restant dû|total à payer|reste dû|à payer){_TAIL}",
        rf"(?:nog te betalen|totaal te betalen|te voldoen|openstaand saldo|saldo te betalen){_TAIL}",
        rf"(?:saldo pendiente|importe pendiente|total adeudado|a pagar|líquido a pagar|líquido a percibir"
        rf"|total a percibir|importe líquido|neto a percibir){_TAIL}",
        rf"(?:(?:total)?beløp(?:et)? (?:som )?forfaller|totalbeløp forfaller){_TAIL}",
        rf"(?:zahlbetrag|zu zahlen(?:der betrag)?|offener betrag|fälliger betrag|nachzahlung(?:sbetrag)?){_TAIL}",
        rf"(?:net à payer|reste à payer|somme à payer|montant à payer|montant dû|te betalen){_TAIL}",
        rf"(?:openstaand bedrag|importe a pagar|total a pagar){_TAIL}",
    ],
}

WEAK: dict[str, list[str]] = {
    "invoice_number": [
        rf"invoice|rechnung|facture|factuur|factura|fattura|fatura|faktura|lasku|{_NO}|č\.?|nro\.?"
        r"|ref(?:erence)?\.?(?: ?(?:no\.?|nr\.?|number|#))?"  # "Ref no: #1721" beside the title
        r"|αριθμο[σς]"
        r"|referencia|référence|referenz|riferimento|referentie|referência"
    ],
    "issue_date": [r"date|datum|fecha|data|dated|dato|päiväys|päivämäärä|pvm\.?|datums|tarih|ημερομηνια|ημ/νια|дата"],
    "due_date": [r"due"],
    # a bare "Reference" names the buyer's reference as often as this document's number (Xero's "Reference")
    "order_reference": [r"reference|referencia|référence|referenz|riferimento|referentie|referência"],
    "grand_total": [
        rf"(?:total|summe|gesamt|totaal|brutto|totale|razem|celkem|summa|yhteensä|i alt|sum|suma|this bill|συνολο"
        rf"|общо){_TAIL}"
    ],
    # "From: ... To: ...", "Von: ... An: ...": only alone or before a colon (see hits_of)
    "seller_name": [r"from|von|van"],  # not "de": a word of dates ("3 de mayo de 2024")
    "buyer_name": [r"to|an|aan|para|payable by(?: \(name/address\))?"],  # a QR bill's debtor; else a due date
}

PARTY_NAME = (
    r"name|firma|company(?: name)?|nom|raison sociale|naam|nombre|razón social|nome|denominazione"
    r"|(?:trade|business|legal) name|nom commercial|(?:nombre|nome) (?:comercial|empresarial)"
    r"|ragione sociale|razão social|nazwa|název|namn|navn|nimi|επωνυμια|наименование|фирма|име"
)
OTHER = [
    rf"(?:customer|cust\.?|account|acct\.?|client|kunden|klant|debitor|debitoren|supplier|vendor|tax|steuer|member) ?-?{_NO}",
    # a post-office box in an address ("PO Box 1182"): no purchase order
    r"p\.? ?o\.? box|post office box|postfach|postbus|boîte postale|apartado(?: de correos| postal)?|caixa postal",
    r"kunden-?(?:nummer|nr\.?)|kundennr\.?|debitorennummer|n[°º] client|klantnummer|steuer-?(?:nummer|nr\.?)|st\.-?nr\.?",
    r"σειρα|δ\.?ο\.?υ\.?|γ\.?ε\.?μη\.?|κωδ\.? πελατη|ειδο[σς](?: παραστατικου)?|ωρα|еик|мол",  # a series, a tax office
    # Argentina's tax status and point of sale ("Condición frente al IVA: IVA Responsable Inscripto")
    r"condici[oó]n (?:frente al iva|de venta|(?:de|ante el) iva)|ingresos brutos|punto de venta"
    r"|folio fiscal(?: uuid)?|no\.? de serie del csd|no\.? de certificado(?: del sat)?|r[ée]gimen fiscal"
    r"|giro(?: comercial)?|comuna|ciudad|direcci[oó]n|contacto|tel[ée]fono|domicilio(?: comercial| fiscal)?"
    r"|inscri[çc][ãa]o (?:estadual|municipal)|munic[íi]pio(?: ?/ ?uf)?|endere[çc]o|cep"
    r"|kennitala|kt\.|bankareikningur|s[íi]mi"  # Iceland's national id, bank account, phone
    r"|fecha de inicio de actividades",
    r"vergi dairesi|mersis no|ettn|senaryo|fatura tipi|özelleştirme no|toplam iskonto|iskonto",
    r"page|seite|phone|tel\.?|telefon|fax|e-?mail|web|website|bic|swift|siret|siren|kvk|hrb|amtsgericht|n/r[ée]f\.?|our ref(?:\.|erence)?",
    r"(?:co\.?|company) (?:reg(?:istration)?\.? )?(?:no\.?|number|#)|registered (?:company )?number",  # the registry's
    # the invoice a credit note corrects ("Zu Rechnung Nr.: 2024-0588"): not this document's number
    r"(?:zu(?:r)?|ursprungs|bezugs) ?rechnung(?: ?nr\.?| ?nummer)?|original invoice(?: no\.?| number)?|related invoice"
    r"|facture (?:d'origine|initiale)|(?:oorspronkelijke|originele) factuur|factura (?:rectificada|original)"
    r"|fattura (?:di riferimento|originale)|fatura (?:de origem|original)|do faktury(?: nr\.?)?|k faktu(?:ře|re)"
    r"|k faktúre|avser faktura|ursprunglig faktura|opprinnelig faktura|alkuperäinen lasku|hyvitettävä lasku"
    r"|eredeti számla(?: kelte| száma| sorszáma)?|előlegszámla|factura (?:storno|inițială|initiala)",
    # the seller's own contact ("Vår ref.  Ingrid Haugen"): no party, no order
    r"vår ref(?:\.|erens|eranse)?|vores ref(?:\.|erence)?|unsere referenz|unser zeichen|notre r[ée]f[ée]rence"
    r"|onze referentie|nuestra referencia|nossa referência|la nostra referenza|meidän viitteemme",
    r"order date|delivery date|lieferdatum|leistungsdatum|bestelldatum|service date|period|zeitraum"
    r"|(?:date of|time of) supply|supply date|tax point(?: date)?",
    r"payment terms|zahlungsbedingungen|terms|conditions|description|beschreibung|bezeichnung",
    r"(?:shipping|delivery|payment) method|ship via|carrier|tracking(?: no\.?| number)?"
    r"|discriminação dos serviços|descrição dos serviços",
    r"ship to|shipping address|deliver to|delivery address|lieferadresse|lieferanschrift|livraison|afleveradres"
    r"|delivered to|geliefert an|livr(?:é|ée|er) à|entregado a|consegnato a|consignee|notify party",
    r"(?:globale )?nummer|gln|duns|kennung|id|identifier|anschrift|address|adresse|kontakt|contact|attn\.?|z\.hd\.?",
    # the same in Italian, Portuguese, Polish, Czech, Swedish, Danish, Norwegian and Finnish
    (
        r"(?:codice|numero|n\.?) cliente|c[óo](?:digo|d\.) (?:de |do |del )?cliente|n(?:r|umer) klienta|číslo zákazníka|kundnummer"
        r"|kundenummer|kundenr\.?|asiakasnumero|asiakasnro|ičo|ič|regon|krs|rea|codice fiscale|cod\.? fisc\.?|pec"
        r"|codice (?:destinatario|univoco(?: ufficio)?|sdi)|cod\.? dest(?:inatario)?\.?"
        r"|org\.? ?nr\.?|organisationsnummer|cvr(?:-nr\.?)?|y-tunnus|telefono|telefone|puh\.?|puhelin|strona|stránka"
        r"|pagina|página|sida|side|sivu|data (?:dostawy|sprzedaży|di consegna|de entrega)|datum (?:dodání|plnění)"
        r"|leveransdatum|leveringsdato|toimituspäivä|datum uskutečnění zdanitelného plnění|duzp"
    ),
    (
        r"(?:condizioni|modalità|termini) di pagamento|condições de pagamento|forma de pagamento|sposób płatności"
        r"|forma (?:úhrady|platby)|způsob (?:úhrady|platby)|betalningsvillkor|betalingsbetingelser|betalingsvilkår"
        r"|maksuehto|maksuehdot|indirizzo|endereço|adres|adresa|adress|osoite|destinazione|luogo di consegna"
        r"|dodací adresa|adres dostawy|leveransadress|leveringsadresse|toimitusosoite"
    ),
    r"(?:service|site|supply|property|premises) address|energy service provider",
    # a hotel's folio: the guest who stayed, not the party billed
    r"guest(?: name)?|room (?:no\.?|number)|arrival(?: date)?|departure(?: date)?|folio (?:no\.?|number)|gastname"
    r"|zimmer ?nr\.?|anreise|abreise|nom du client hébergé|date d'arrivée|date de départ",
    # the seller's bank, whose name is printed beside it ("Banque : B N P"): no party of the invoice
    (
        r"bank(?: name| details| connection)?|bankverbindung|bankname|kreditinstitut|banque|nom de la banque"
        r"|domiciliation(?: bancaire)?|bank ?naam|banco|nombre del banco|entidad bancaria|banca|nazwa banku"
        r"|banka|název banky|bankforbindelse|pankki|pank|bankas|banku|τραπεζα|банка"
    ),
    PARTY_NAME,
]

# Labels in the other languages, one table per language (ISO 639-1), merged into STRONG below.
BY_LANGUAGE: dict[str, dict[str, list[str]]] = {
    "it": {
        "invoice_number": [
            r"(?:fattura|nota di credito)(?: (?:n[°º.]?|nr\.?|numero|num\.?))?|(?:numero|n\.?) (?:di )?fattura"
            r"|numero (?:del )?documento|n\.? documento|documento n[°º.]?"
        ],
        "issue_date": [r"data (?:della )?fattura|data (?:di )?emissione|data documento|data del documento"],
        "due_date": [r"(?:data (?:di )?)?scadenza(?: (?:del )?pagamento)?|da pagare entro|pagamento entro"],
        "seller_name": [r"fornitore|venditore|cedente(?:/prestatore| prestatore)?|prestatore|emittente|mittente"],
        "buyer_name": [
            (
                r"cliente|destinatario|cessionario(?:/committente| committente)?|committente|acquirente"
                r"|intestatario|spett\.(?:le)?"
            )
        ],
        "order_reference": [
            r"(?:vs\.? |vostro )?ordine(?: (?:n[°º.]?|nr\.?|numero))?|(?:n\.?|rif\.?|riferimento) ordine"
            r"|vs\.? rif(?:\.|erimento)?|vostro riferimento|ordine (?:cliente|d'acquisto)"
            r"|dati (?:dell')?ordine(?: di)? acquisto"  # a FatturaPA's courtesy copy
        ],
        "seller_vat_id": [
            r"partita iva|p\.? ?iva|p\.i\.|codice fiscale e partita iva|(?:p\.? ?iva|partita iva)(?: e | ?/ ?)c\.? ?f\.?"
            r"|c\.? ?f\.?(?: e | ?/ ?)(?:p\.? ?iva|partita iva)"
        ],
        "currency": [r"valuta"],
        "net_total": [r"(?:(?:totale )?imponibile|totale netto|importo netto|subtotale|totale merce)"],
        "tax_total": [r"(?:totale iva|importo iva|iva totale|(?:totale )?imposta)"],
        "grand_total": [r"(?:totale (?:fattura|documento|complessivo|generale|ivato)|importo totale)"],
        "amount_due": [
            r"(?:totale da pagare|netto a pagare|importo da pagare|saldo da pagare|importo dovuto|saldo dovuto)"
        ],
    },
    "pt": {
        "invoice_number": [
            (
                r"(?:fatura|nota fiscal|nota de crédito|nf-?e|nfs-?e)(?: (?:n\.?[°º]?\.?|no\.?|num\.?|número|numero))?"
                r"|n[úu]mero da (?:fatura|nota)|n[°º] da (?:fatura|nota)"
            )
        ],
        "issue_date": [r"data (?:da |de )?(?:fatura|emissão)|data de emissao|emitida em|emissão"],
        "due_date": [r"(?:data (?:de )?)?vencimento|pagar até|data limite de pagamento"],
        "seller_name": [r"fornecedor|vendedor|emitente|prestador(?: de serviços?)?|locador(?:a)?"],
        "buyer_name": [
            r"cliente|destinatário(?: ?/ ?remetente)?|tomador(?: de serviços?)?|comprador|faturar a|adquirente"
            r"|locat[áa]ri[oa]"  # a lease's lessee
        ],
        "order_reference": [
            r"(?:n[°º] (?:do )?)?pedido(?: (?:n[°º.]?|de compra|do cliente))?|ordem de compra|encomenda(?: n[°º.]?)?"
            r"|n\.?[°º] (?:de |da )?encomenda|sua (?:encomenda|referência|ref\.?)|v\.? ?ref\.?|nota de encomenda"
        ],
        "seller_vat_id": [r"nif|nipc|(?:n\.?[°º]\.? ?(?:de )?)?contribuinte(?: n\. ?o\.?)?|cnpj|cpf/cnpj"],
        "currency": [r"moeda"],
        "net_total": [
            r"(?:total (?:sem iva|s/ ?iva|ilíquido|dos produtos|dos serviços)|valor líquido|base tributável"
            r"|valor (?:sem|s/) ?iva)"
        ],
        "tax_total": [r"(?:total (?:do )?iva|valor (?:do )?iva|total de impostos|valor do imposto)"],
        "grand_total": [r"(?:total (?:da fatura|geral|com iva|c/ ?iva|da nota)|valor total(?: da nota)?|total final)"],
        "amount_due": [
            r"(?:valor a pagar|total a pagar|valor líquido a pagar|montante a pagar|valor em dívida|total em dívida"
            r"|saldo devedor|valor l[ií]quido da (?:nfs-?e|nota(?: fiscal)?))"
        ],
    },
    "pl": {
        "invoice_number": [
            r"(?:faktura(?: vat| korygująca| proforma)?|rachunek) (?:nr\.?|numer)|numer faktury|nr faktury"
        ],
        "issue_date": [r"data wystawienia|data faktury|wystawiono(?: dnia)?"],
        "due_date": [r"termin (?:płatności|zapłaty)|płatne do|płatność do|data płatności"],
        "seller_name": [r"sprzedawca|sprzedający|wystawca|dostawca"],
        "buyer_name": [r"nabywca|kupujący|płatnik|odbiorca|klient"],
        "order_reference": [
            r"(?:nr |numer )?zamówienia|zamówienie(?: nr\.?)?|wasz (?:znak|nr zamówienia)|zamówienie (?:klienta|nabywcy)"
        ],
        "seller_vat_id": [r"nip(?: ue| sprzedawcy)?|vat ue|nr vat"],
        "currency": [r"waluta"],
        "net_total": [r"(?:(?:wartość|razem|suma|kwota) netto|netto razem)"],
        "tax_total": [r"(?:(?:kwota|wartość|razem|suma) vat|vat razem|kwota podatku)"],
        "grand_total": [r"(?:(?:wartość|razem|suma|kwota) brutto|brutto razem|ogółem|razem)"],
        "amount_due": [r"(?:(?:razem |pozostało |kwota )?do zapłaty|pozostaje do zapłaty)"],
    },
    "cs": {
        "invoice_number": [r"(?:faktura|daňový doklad|dobropis)(?: (?:č\.?|číslo))|číslo (?:faktury|dokladu)"],
        "issue_date": [r"(?:datum|den) vystavení(?: (?:daňového )?dokladu)?|vystaveno(?: dne)?|datum vyhotovení"],
        "due_date": [r"datum splatnosti|splatnost|splatno(?: do| dne)?|splatná dne|datum úhrady"],
        "seller_name": [r"dodavatel|prodávající|prodejce|poskytovatel"],
        "buyer_name": [r"odběratel|kupující|zákazník"],
        "order_reference": [
            r"(?:číslo |č\.? )?objednávky|objednávka(?: č\.?)?|vaše (?:objednávka|značka)|vaše č\.? objednávky"
        ],
        "seller_vat_id": [r"dič|ič dph"],
        "currency": [r"měna"],
        "net_total": [r"(?:základ(?: daně| dph)?|(?:celkem |cena |součet )?bez dph|mezisoučet)"],
        "tax_total": [r"(?:dph celkem|celkem dph|výše dph|částka dph)"],
        "grand_total": [r"(?:celkem(?: s dph| včetně dph| kč)?|celková částka|cena celkem|fakturovaná částka)"],
        "amount_due": [r"(?:(?:celkem |částka )?k úhradě|zbývá uhradit|k zaplacení)"],
    },
    "sv": {
        "invoice_number": [r"fakturanummer|fakturanr\.?|faktura ?nr\.?|kreditfaktura(?: nr\.?)?"],
        "issue_date": [r"fakturadatum|utfärdad|utskriftsdatum"],
        "due_date": [
            r"förfallodatum|förfallodag|förfaller(?: till betalning)?|(?:att )?betalas senast|sista betalningsdag"
        ],
        "seller_name": [r"leverantör|säljare|avsändare"],
        "buyer_name": [r"kund|köpare|fakturamottagare|faktureringsadress|fakturaadress"],
        "order_reference": [
            r"ordernummer|ordernr\.?|beställning(?:snummer|snr\.?)?|inköpsorder|er ordernr\.?|er referens|ert ordernr\.?"
            r"|er beställning"
        ],
        "seller_vat_id": [r"momsreg(?:istrerings)?\.? ?(?:nummer|nr\.?)|vat-?(?:nummer|nr\.?)|momsnr\.?"],
        "net_total": [r"(?:nettobelopp|(?:(?:summa|belopp|totalt?) )?exkl\.? moms|delsumma|netto)"],
        "tax_total": [r"(?:momsbelopp|moms totalt|summa moms|total moms)"],
        "grand_total": [
            r"(?:summa inkl\.? moms|totalt(?: inkl\.? moms)?|totalbelopp|belopp inkl\.? moms|summa denna faktura)"
        ],
        "amount_due": [r"(?:(?:summa |belopp |restbelopp )?att betala|restbelopp)"],
    },
    "da": {
        "invoice_number": [
            r"fakturanummer|fakturanr\.?|faktura ?nr\.?|kreditnota(?: ?nr\.?)?|regnings?(?:nr\.?|nummer)"
        ],
        "issue_date": [r"fakturadato|udstedelsesdato"],
        "due_date": [
            r"forfaldsdato|forfalder|betalingsfrist|betales senest|sidste rettidige betaling(?:sdag|sdato)?"
            r"|betalingsdato"
        ],
        "seller_name": [r"leverandør|sælger|afsender"],
        "buyer_name": [r"kunde|køber|faktureres til"],
        "order_reference": [
            r"ordrenummer|ordrenr\.?|rekvisition(?:snr\.?|snummer)?|indkøbsordre|jeres (?:reference|ref\.?|ordre(?:nr\.?)?|rekv\.?)"
            r"|bestillingsnr\.?"
        ],
        "seller_vat_id": [r"cvr-?nr\.?|se-?nr\.?|moms ?nr\.?"],
        "net_total": [r"(?:(?:i alt|beløb|total) ekskl\.? moms|nettobeløb|subtotal)"],
        "tax_total": [r"(?:momsbeløb|moms i alt|heraf moms|moms udgør)"],
        "grand_total": [
            r"(?:i alt inkl\.? moms|total inkl\.? moms|totalbeløb|beløb inkl\.? moms|beløb i alt|i alt denne faktura)"
        ],
        "amount_due": [r"(?:(?:beløb |i alt )?at betale|(?:rest)?beløb til betaling|til betaling|restbeløb)"],
    },
    "no": {
        "invoice_number": [r"fakturanummer|fakturanr\.?|faktura ?nr\.?|kreditnota(?: ?nr\.?)?"],
        "issue_date": [r"fakturadato|utstedelsesdato"],
        "due_date": [r"forfallsdato|forfallsdag|forfall|forfaller|betalingsfrist|betales innen"],
        "seller_name": [r"leverandør|selger|avsender"],
        "buyer_name": [r"kunde|kjøper|faktureres til|fakturamottaker"],
        "order_reference": [
            r"ordrenummer|ordrenr\.?|ordre-?id|bestillingsnummer|bestillingsnr\.?|innkjøpsordre|deres (?:referanse|ref\.?)"
            r"|deres (?:bestilling|ordre)"
        ],
        "seller_vat_id": [r"org\.? ?nr\.?(?: mva)?|organisasjonsnummer|mva-?(?:reg\.? ?)?nr\.?|foretaksregisteret"],
        "net_total": [r"(?:(?:sum|beløp|totalt?) eks(?:kl|l)?\.? mva|nettobeløp|delsum)"],
        "tax_total": [r"(?:mva-?beløp|sum mva|merverdiavgift|herav mva)"],
        "grand_total": [
            r"(?:sum inkl\.? mva|totalt(?: inkl\.? mva)?|totalbeløp|beløp inkl\.? mva|(?:sum|totalt) denne faktura)"
        ],
        "amount_due": [r"(?:(?:beløp |sum |restbeløp )?å betale|til betaling|restbeløp)"],
    },
    "fi": {
        "invoice_number": [r"laskun (?:numero|nro)|laskunumero|lasku ?nro|hyvityslasku(?: nro)?"],
        "issue_date": [r"laskun päivämäärä|laskun pvm\.?|laskupäivä|laskutuspäivä"],
        "due_date": [r"eräpäivä|erääntyy|maksettava viimeistään|maksupäivä"],
        "seller_name": [r"myyjä|toimittaja|laskuttaja|lähettäjä"],
        "buyer_name": [r"asiakas|ostaja|laskutettava|vastaanottaja|laskutusosoite"],
        "order_reference": [
            r"tilausnumero|tilaus ?nro|ostotilaus(?: nro)?|tilausviite|viitteenne|teidän viitteenne|tilauksenne|tilausnumeronne"
            r"|tilaajan viite"
        ],
        "seller_vat_id": [r"alv[- ]?(?:numero|tunniste|nro|rek\.?|rekisteröintinumero)|y-?tunnus"],
        "currency": [r"valuutta"],
        "net_total": [r"(?:veroton (?:hinta|summa|yhteensä|arvo)|yhteensä ilman alv|välisumma)"],
        "tax_total": [r"(?:alv yhteensä|arvonlisävero|alv:n osuus|vero yhteensä)"],
        "grand_total": [
            r"(?:verollinen (?:hinta|summa|yhteensä)|yhteensä(?: sis\.? alv)?|loppusumma|kokonaissumma"
            r"|(?:tämän )?laskun (?:summa|loppusumma|määrä))"
        ],
        "amount_due": [r"(?:maksettava(?: summa| yhteensä| määrä)?|maksettavaa)"],
    },
}
# Further EU languages, their key labels only: Slovak, Hungarian, Romanian, Croatian, Slovenian,
# Estonian, Lithuanian, Latvian.
BY_LANGUAGE.update(
    {
        "sk": {
            "invoice_number": [
                r"faktúra (?:č\.?|číslo)|číslo faktúry|dobropis (?:č\.?|číslo)|opravná faktúra (?:č\.?|číslo)"
            ],
            "issue_date": [r"dátum (?:vyhotovenia|vystavenia)|vystavené(?: dňa)?"],
            "due_date": [r"dátum splatnosti|splatnosť|splatná dňa"],
            "seller_name": [r"dodávateľ|predávajúci"],
            "buyer_name": [r"odberateľ|kupujúci"],
            "order_reference": [r"(?:číslo )?objednávky|objednávka(?: č\.?)?"],
            "seller_vat_id": [r"ič dph|dič"],
            "net_total": [r"(?:základ (?:dane|dph)|(?:spolu |celkom )?bez dph)"],
            "tax_total": [r"(?:dph spolu|spolu dph|výška dph)"],
            "grand_total": [r"(?:spolu(?: s dph)?|celkom(?: s dph)?|celková suma)"],
            "amount_due": [r"(?:k úhrade|zostáva uhradiť|suma na úhradu)"],
        },
        "hu": {
            "invoice_number": [r"számla ?szám|számla sorszáma|sorszám"],
            "issue_date": [r"számla kelte|kiállítás dátuma|kelte|kelt"],
            "due_date": [r"fizetési határidő|esedékesség"],
            "seller_name": [r"eladó|szállító|kibocsátó"],
            "buyer_name": [r"vevő(?: számlázási cím)?|megrendelő|számlázási cím"],
            "order_reference": [r"megrendelés(?: ?száma?)?|rendelésszám"],
            "seller_vat_id": [r"(?:közösségi )?adószám"],
            "net_total": [r"(?:nettó (?:összesen|érték|összeg)(?: összesen)?|összesen nettó)"],
            "tax_total": [r"(?:áfa (?:összesen|érték|összeg)|áfa érték összesen)"],
            "grand_total": [r"(?:bruttó (?:összesen|érték|végösszeg)(?: összesen)?|végösszeg|összesen)"],
            "amount_due": [r"(?:fizetendő(?: összeg)?)"],
        },
        "ro": {
            "invoice_number": [
                r"factur[ăa] (?:nr\.?|seria)|num[ăa]r factur[ăa]|nr\.? factur[ăa]|seria ?(?:/|și|si) ?nr\.?"
            ],
            "issue_date": [r"data (?:emiterii|facturii)(?: facturii)?"],
            "due_date": [r"(?:data )?scaden[țţt](?:ei|[ăa])|termen(?: de)? plat[ăa]|termen"],
            "seller_name": [r"furnizor|vânz[ăa]tor|prestator"],
            "buyer_name": [r"cump[ăa]r[ăa]tor|beneficiar"],
            "order_reference": [r"comand[ăa](?: client)?(?: nr\.?)?|nr\.? comand[ăa]|conform comenzii(?: nr\.?)?"],
            "seller_vat_id": [r"cui|cod fiscal|cod de înregistrare fiscal[ăa]"],
            "net_total": [r"(?:total f[ăa]r[ăa] tva|valoare f[ăa]r[ăa] tva|baza de impozitare)"],
            "tax_total": [r"(?:total tva|valoare tva|tva total)"],
            "grand_total": [r"(?:total (?:cu tva|general|factur[ăa]))"],
            "amount_due": [r"(?:total de plat[ăa]|rest de plat[ăa]|de plat[ăa])"],
        },
        "hr": {
            "invoice_number": [r"ra[čc]un (?:br\.?|broj)|broj ra[čc]una"],
            "issue_date": [r"datum (?:i vrijeme )?(?:izdavanja|ra[čc]una)"],
            "due_date": [r"datum dospije[ćc]a|rok pla[ćc]anja|dospije[ćc]e"],
            "seller_name": [r"prodavatelj|dobavlja[čc]|izdavatelj"],
            "buyer_name": [r"kupac|naru[čc]itelj"],
            "order_reference": [r"narud[žz]ba(?: br\.?)?|broj narud[žz]be"],
            "seller_vat_id": [r"oib|pdv id|pdv broj"],
            "net_total": [r"(?:osnovica|iznos bez pdv-?a|ukupno bez pdv-?a)"],
            "tax_total": [r"(?:pdv ukupno|iznos pdv-?a|ukupno pdv)"],
            "grand_total": [r"(?:ukupno(?: s pdv-?om)?|sveukupno|ukupan iznos)"],
            "amount_due": [r"(?:za (?:platiti|pla[ćc]anje)|iznos za pla[ćc]anje)"],
        },
        "sl": {
            "invoice_number": [r"ra[čc]un (?:[šs]t\.?|[šs]tevilka)|[šs]tevilka ra[čc]una"],
            "issue_date": [r"datum (?:izdaje|ra[čc]una)"],
            "due_date": [r"datum zapadlosti|rok pla[čc]ila|zapadlost"],
            "seller_name": [r"prodajalec|dobavitelj|izdajatelj"],
            "buyer_name": [r"kupec|naro[čc]nik|prejemnik(?: ra[čc]una)?"],
            "order_reference": [r"naro[čc]ilo(?: [šs]t\.?)?|[šs]tevilka naro[čc]ila"],
            "seller_vat_id": [r"id za ddv|dav[čc]na [šs]tevilka|ddv [šs]t\.?"],
            "net_total": [r"(?:osnova za ddv|znesek brez ddv|skupaj brez ddv)"],
            "tax_total": [r"(?:ddv skupaj|znesek ddv)"],
            "grand_total": [r"(?:skupaj z ddv|skupni znesek|skupaj)"],
            "amount_due": [r"(?:za pla[čc]ilo|znesek za pla[čc]ilo)"],
        },
        "et": {
            "invoice_number": [r"arve (?:nr\.?|number)"],
            "issue_date": [r"arve kuupäev|kuupäev"],
            "due_date": [r"maksetähtaeg|tasumise tähtaeg"],
            "seller_name": [r"müüja"],
            "buyer_name": [r"ostja"],
            "order_reference": [r"tellimuse (?:nr\.?|number)|tellimus"],
            "seller_vat_id": [r"kmkr(?: nr\.?)?"],
            "net_total": [r"(?:summa km-ta|kokku km-ta|maksustatav summa)"],
            "tax_total": [r"(?:käibemaks(?: kokku)?|km kokku)"],
            "grand_total": [r"(?:kokku(?: km-ga)?|summa km-ga|arve summa)"],
            "amount_due": [r"(?:tasuda|tasumisele kuulub|maksmisele kuulub)"],
        },
        "lt": {
            "invoice_number": [
                r"(?:pvm )?s[ąa]skaitos fakt[ūu]ros (?:nr\.?|serija)|s[ąa]skaita fakt[ūu]ra nr\.?|serija ir nr\.?"
            ],
            "issue_date": [r"i[šs]ra[šs]ymo data|s[ąa]skaitos data"],
            "due_date": [r"apmok[ėe]ti iki|(?:ap)?mok[ėe]jimo terminas"],
            "seller_name": [r"pardav[ėe]jas|tiek[ėe]jas"],
            "buyer_name": [r"pirk[ėe]jas"],
            "order_reference": [r"užsakymo nr\.?|užsakymas"],
            "seller_vat_id": [r"pvm (?:mok[ėe]tojo )?kodas"],
            "net_total": [r"(?:suma be pvm|i[šs] viso be pvm)"],
            "tax_total": [r"(?:pvm suma|pvm i[šs] viso)"],
            "grand_total": [r"(?:(?:i[šs] viso|bendra suma)(?: su pvm)?)"],
            "amount_due": [r"(?:mok[ėe]tina suma|mok[ėe]ti)"],
        },
        "lv": {
            "invoice_number": [r"r[ēe]ķins nr\.?|r[ēe]ķina (?:nr\.?|numurs)"],
            "issue_date": [r"izrakst[īi][šs]anas datums|r[ēe]ķina datums"],
            "due_date": [r"apmaksas termi[ņn][šs]|(?:sa|ap)maks[āa]t l[īi]dz"],
            "seller_name": [r"pieg[āa]d[āa]t[āa]js|p[āa]rdev[ēe]js"],
            "buyer_name": [r"sa[ņn][ēe]m[ēe]js|pirc[ēe]js"],
            "order_reference": [r"pas[ūu]t[īi]juma nr\.?|pas[ūu]t[īi]jums"],
            "seller_vat_id": [r"pvn (?:maks[āa]t[āa]ja )?(?:reģ\.? ?)?nr\.?"],
            "net_total": [r"(?:summa bez pvn|kop[āa] bez pvn)"],
            "tax_total": [r"(?:pvn summa|pvn kop[āa])"],
            "grand_total": [r"(?:kop[āa](?: ar pvn)?|summa ar pvn|kopsumma)"],
            "amount_due": [r"(?:(?:summa |kop[āa] )?apmaksai)"],
        },
        "tr": {
            "invoice_number": [r"fatura (?:no|numaras[ıi]|nr)\.?"],
            "issue_date": [r"fatura tarihi|düzenleme tarihi"],
            "due_date": [r"son ödeme tarihi|vade tarihi|vade"],
            "seller_name": [r"sat[ıi]c[ıi]|düzenleyen"],
            "buyer_name": [r"al[ıi]c[ıi]|say[ıi]n|müşteri"],
            "order_reference": [r"sipariş (?:no|numaras[ıi])\.?"],
            "seller_vat_id": [r"vkn|vergi (?:no|numaras[ıi]|kimlik no)\.?|v\.?k\.?n\.?"],
            "net_total": [r"(?:kdv matrah[ıi]|ara toplam)"],
            "tax_total": [r"(?:hesaplanan kdv|toplam kdv|kdv tutar[ıi])"],
            "grand_total": [r"(?:vergiler dahil toplam tutar|genel toplam|toplam tutar)"],
            "amount_due": [r"(?:ödenecek tutar|ödenecek toplam)"],
        },
        # Greek and Bulgarian, written without accents (labels are matched folded) and with either sigma
        "el": {
            "invoice_number": [
                r"αριθμο[σς] (?:τιμολογιου|παραστατικου)|αρ\.? (?:τιμολογιου|παραστατικου)|σειρα\W+αριθμο[σς]"
            ],
            "issue_date": [r"ημερομηνια (?:εκδοση[σς]|εκδοσεω[σς]|τιμολογιου)|ημ/νια εκδοση[σς]"],
            "due_date": [
                r"ληξη πληρωμη[σς]|ημερομηνια ληξη[σς]|προθεσμια (?:πληρωμη[σς]|εξοφληση[σς])|πληρωτεο εω[σς]"
            ],
            "seller_name": [r"εκδοτη[σς]|πωλητη[σς]|στοιχεια εκδοτη"],
            "buyer_name": [r"πελατη[σς]|στοιχεια πελατη|αγοραστη[σς]|λημπτη[σς]"],
            "order_reference": [r"αρ\.? παραγγελια[σς]|αριθμο[σς] παραγγελια[σς]|παραγγελια"],
            "seller_vat_id": [r"α\.?φ\.?μ\.?"],
            "net_total": [r"(?:(?:συνολο )?καθαρη[σς] αξια[σς]|καθαρη αξια|συνολο (?:προ|χωρι[σς]) φπα|αξια προ φπα)"],
            "tax_total": [r"(?:συνολο φπα|ποσο φπα|αξια φπα)"],
            "grand_total": [r"(?:γενικο συνολο|συνολο (?:με φπα|τιμολογιου|παραστατικου)|συνολικη αξια)"],
            "amount_due": [r"(?:πληρωτεο(?: ποσο| υπολοιπο)?|νεο υπολοιπο|υπολοιπο προ[σς] πληρωμη)"],
        },
        "bg": {
            "invoice_number": [rf"фактура (?:{_NO}|номер)|номер на фактура(?:та)?"],  # _NO holds "№"
            "issue_date": [r"дата на (?:издаване|фактура(?:та)?)"],
            "due_date": [r"(?:срок|дата) (?:за|на) плащане|падеж"],
            "seller_name": [r"доставчик|продавач|издател"],
            "buyer_name": [r"получател|купувач"],
            "order_reference": [r"(?:номер на )?поръчка(?: №)?"],
            "seller_vat_id": [r"ин по ддс|ддс (?:№|номер)|идент(?:ификационен)?\.? (?:№|номер) по ддс"],
            "net_total": [r"(?:данъчна основа|сума без ддс|стойност без ддс|общо без ддс)"],
            "tax_total": [r"(?:начислен ддс|сума на ддс|ддс общо)"],
            "grand_total": [r"(?:обща сума|сума с ддс|общо с ддс|всичко)"],
            "amount_due": [r"(?:сума за плащане|за плащане|дължима сума)"],
        },
        # Japanese and Korean (matched folded, as every label: "ご" as "こ", Hangul as its letters)
        "ja": {
            "invoice_number": [r"請求書番号|請求番号|請求書 ?no\.?|伝票番号|書類番号"],
            "issue_date": [r"請求日|発行日|請求書発行日|発行年月日"],
            "due_date": [r"お?支払(?:い)?期(?:限|日)|お?振込期(?:限|日)|支払予定日"],
            "seller_name": [r"発行者|発行元|請求元|売主"],
            "buyer_name": [r"請求先|宛先|買主"],
            "seller_vat_id": [r"(?:適格請求書発行事業者)?登録番号"],
            "net_total": [r"(?:小計(?: ?\(税抜\))?|税抜(?:合計|金額)|合計 ?\(税抜\))"],
            "tax_total": [r"(?:消費税(?:額)?(?:合計)?|消費税等)"],
            "grand_total": [r"(?:合計(?:金額)?(?: ?\(税込\))?|税込合計|総合計)"],
            "amount_due": [r"(?:ご?請求金額(?: ?\(税込\))?|お支払金額|今回ご?請求額)"],
        },
        "ko": {
            "invoice_number": [r"승인번호|청구서 ?번호|문서번호"],
            "issue_date": [r"작성일자|발행일자?|청구일자?"],
            "due_date": [r"납부기한|지급기한|결제기한"],
            "seller_name": [r"공급자"],
            "buyer_name": [r"공급받는자"],
            "seller_vat_id": [r"(?:사업자)?등록번호"],
            "net_total": [r"(?:공급가액(?: 합계)?)"],
            "tax_total": [r"(?:세액(?: 합계)?|부가세)"],
            "grand_total": [r"(?:합계금액|총액)"],
            "amount_due": [r"(?:청구금액|결제금액)"],
        },
        # Icelandic
        "is": {
            "invoice_number": [r"reiknings?n[úu]mer|reikn(?:ings)?\.? ?nr\.?|reikningur nr\.?"],
            "issue_date": [r"[úu]tg[áa]fudagur|dagsetning(?: reiknings)?|reikningsdagur"],
            "due_date": [r"eindagi|gjalddagi"],
            "seller_name": [r"seljandi"],
            "buyer_name": [r"kaupandi|vi[ðd]skiptama[ðd]ur"],
            "seller_vat_id": [r"vsk[- ]?(?:n[úu]mer|nr\.?)"],
            "net_total": [r"(?:samtals [áa]n vsk|upph[æa]e?[ðd] [áa]n vsk)"],
            "tax_total": [r"(?:vsk|vir[ðd]isaukaskattur)(?: samtals)?"],
            "grand_total": [r"(?:samtals me[ðd] vsk|heildarupph[æa]e?[ðd])"],
            "amount_due": [r"(?:til grei[ðd]slu|grei[ðd]ist)"],
        },
        # Indonesian and Malay
        "id": {
            "invoice_number": [r"no\.? (?:faktur|invois)|nomor faktur|nombor invois"],
            "issue_date": [r"tanggal(?: faktur)?|tarikh(?: invois)?"],
            "due_date": [r"(?:tanggal )?jatuh tempo|tarikh (?:akhir|matang)"],
            "seller_name": [r"penjual"],
            "buyer_name": [r"kepada(?: yth\.?)?|pembeli"],
            "seller_vat_id": [r"npwp"],
            "net_total": [r"(?:dasar pengenaan pajak(?: \(?dpp\)?)?|dpp|jumlah sebelum pajak)"],
            "tax_total": [r"(?:jumlah (?:ppn|cukai))"],
            "grand_total": [r"(?:total tagihan|jumlah total|jumlah keseluruhan)"],
            "amount_due": [r"(?:(?:total |jumlah )?yang harus dibayar|sisa tagihan|jumlah (?:perlu|harus) dibayar)"],
        },
    }
)
_MONEY = ("net_total", "tax_total", "grand_total", "amount_due")
for _name in {name for fields in BY_LANGUAGE.values() for name in fields}:
    _patterns = [p for fields in BY_LANGUAGE.values() for p in fields.get(_name, [])]
    # one tail for all languages' amount labels: the pattern compiles in a fraction of the time
    STRONG[_name].extend([rf"(?:{'|'.join(_patterns)}){_TAIL}"] if _name in _MONEY else _patterns)
# one tail for every wording of an order reference, its number word: "Your order ref:", "Su pedido nº:",
# "Requisição n.º", "Jeres rekv.nr."
_REF_TAIL = r"(?:no\.?|nr\.?|n\.?\s?[°º]\.?|number|nummer|numero|número|numer|nro\.?|ref\.?|reference|referens|#|id)"
# and one head, the buyer's "your": "Ihre Auftragsnr.", "Ihre Bestell-Nr.", "V/ Requisição", "Uw bestelbon"
_YOUR = r"(?:your|ihre?|votre|vos|su|sus|uw|vostro|vs\.?|v/|seu|sua|deres|jeres|er|ert|din|teidän|vaše|wasz)"
STRONG["order_reference"] = [rf"(?:{_YOUR} ?)?(?:{'|'.join(STRONG['order_reference'])})(?: ?{_REF_TAIL})?"]

# Labels of the further fields a back office posts (read by more_fields.py), in the 13 languages.
MORE: dict[str, str] = {
    "buyer_vat_id": r"(?:buyer|customer|client|recipient)(?:'s)? (?:vat|tax)(?: reg\.?(?:istration)?)? ?(?:id|no\.?|number|#)?"
    r"|(?:buyer|customer|client|recipient|party|consignee)(?:'s)? (?:gstin(?:/uin)?|trn|tin|r\.?u\.?[ct]\.?|nit)"
    r"|(?:vat|tax) (?:id|no\.?|number) (?:of )?(?:the )?(?:buyer|customer)|ust-?id\.?(?: ?nr)?\.? (?:des )?kunden?|kunden-?ust-?id(?:nr)?\.?"
    r"|(?:n[°º] )?tva (?:du )?client|btw(?:-?nummer)? (?:van de )?klant|(?:nif|cif) (?:del )?cliente|p\.? ?iva cliente"
    r"|partita iva (?:del )?cliente|nip nabywcy|dič odběratele|kundens (?:vat|moms)-?(?:nr|nummer)|rfc receptor"
    r"|(?:ihre|your|votre|uw|su|vostra|sua|din|jeres|deres) (?:uid(?:-nr\.?)?|ust-?id(?:nr)?\.?|vat(?: (?:id|no\.?|number))?"
    r"|n[°º] (?:de )?tva|tva|btw(?:-?nummer)?|nif|cif|p\.? ?iva|momsnr\.?|cvr(?:-nr\.?)?)",
    "payment_terms": r"payment terms|terms(?: of payment)?|payment conditions|zahlungsbedingungen|zahlungsziel|zahlungskondition(?:en)?"
    r"|conditions de (?:paiement|règlement)|mode de règlement|betalingsvoorwaarden|betalingstermijn|condiciones de pago"
    r"|forma de pago|(?:condizioni|termini|modalità) di pagamento|condições de pagamento|forma de pagamento"
    r"|(?:sposób|forma|warunki) płatności|platební podmínky|způsob (?:úhrady|platby)|forma úhrady|betalningsvillkor"
    r"|betalingsbetingelser|betalingsvilkår|maksuehto|maksuehdot",
    "bic": r"bic(?:/swift| \(swift\))?|swift(?:/bic)?(?: code)?|swift-?code|bic-?code|bic code",
    "bank_account": r"bank account(?: no\.?| number)?|account (?:no\.?|number) \(bank\)|bankkonto|kontonummer|konto-?nr\.?"
    r"|n[°º] de compte|numéro de compte|compte bancaire|rekeningnummer|bankrekening(?:nummer)?|número de cuenta"
    r"|cuenta bancaria|conto corrente|c/c|número (?:da )?conta|conta bancária|(?:numer |nr\.? )?rachunku(?: bankowego)?"
    r"|rachunek(?: bankowy)?|číslo účtu|bankovní účet|č\.? účtu|tilinumero|tilinro|sort code",
    "shipping_address": r"ship(?:ping)? to|shipping address|deliver(?:y)? to|delivery address|lieferadresse|lieferanschrift"
    r"|liefer(?:ung)? an|adresse de livraison|livr(?:é|er|aison) à|afleveradres|leveringsadres|dirección de (?:envío|entrega)"
    r"|indirizzo di (?:consegna|spedizione)|luogo di consegna|destinazione(?: merce)?|endereço de entrega|local de entrega"
    r"|adres dostawy|dodací adresa|místo dodání|leveransadress|leveringsadresse|toimitusosoite",
    "service_period": r"(?:service|billing|invoice|invoicing|delivery|performance) period|period(?: of service)?|leistungszeitraum"
    r"|abrechnungszeitraum|zeitraum|période(?: de (?:facturation|prestation))?|factuurperiode|periode|periodo(?: de facturación)?"
    r"|período(?: de faturação| de faturamento)?|periodo di (?:fatturazione|riferimento)|okres(?: rozliczeniowy)?"
    r"|zúčtovací období|období|faktureringsperiod|perioden?|laskutuskausi|ajanjakso",
    "discount_total": r"(?:(?:total|less) )?discount(?: total| amount)?|rabatt|nachlass|skonto|remise|korting|descuento|sconto|desconto"
    r"|rabat|sleva|alennus",
    "previous_balance": r"previous balance|balance (?:brought )?forward|opening balance|last bill(?: amount)?|vorheriger saldo"
    r"|saldovortrag|alter saldo|solde (?:précédent|antérieur)|vorig saldo|saldo anterior|saldo precedente|poprzednie saldo"
    r"|saldo poprzednie|předchozí zůstatek|minulý zůstatek|föregående saldo|tidigare saldo|tidligere saldo|forrige saldo"
    r"|edellinen saldo",
}

NAME_FIELDS = frozenset({"seller_name", "buyer_name"})


def fold(text: str) -> str:
    """``text`` without accents (``fällig`` -> ``fallig``): OCR often drops them, so labels are
    matched without."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A label pattern, accents folded like the text it is matched against."""
    return re.compile(fold(pattern))


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return compile_pattern("|".join(f"(?:{p})" for p in patterns))


_STRONG = {name: _compile(pats) for name, pats in STRONG.items()}
_WEAK = {name: _compile(pats) for name, pats in WEAK.items()}
_OTHER = _compile(OTHER)

# Words that say some or all of an invoice was paid already (a deposit, a prepayment, a receipt):
# then its amount due is not its grand total, whatever the page leaves unprinted. Matched within
# short phrases only (:func:`paid_in_part`), so that "invoices are to be paid within 30 days" says nothing.
PAID = compile_pattern(
    r"\b(?:paid|prepaid|prepayments?|(?<!direct )deposit|payments? received|amount received|(?<!on )(?<!upon )receipt"
    r"|less payments?"
    r"|bezahlt|gezahlt|anzahlung|vorauszahlung|abschlagszahlung|geleistete zahlung|erhaltene zahlung|quittung"
    r"|payé|réglé|acompte|paiement reçu|reçu|betaald|voorschot|aanbetaling|vooruitbetaling|kwitantie"
    r"|pagado|anticipo|pago recibido|pagato|acconto|ricevuta|já pago|valor pago|adiantamento"
    r"|zapłacono|zaliczka|przedpłata|wpłacono|zaplaceno|záloha|uhrazeno|betalt|förskott(?:sbetalning)?|inbetalt"
    r"|forudbetaling|forskud|forskudd(?:sbetaling)?|maksettu|ennakko(?:maksu)?|kuitti|kvitto|kvittering)\b"
)
PAID_WORDS = 4  # the longest phrase :data:`PAID` is looked for in

# Every label's pattern, by field: the fields' own patterns, not one more of them all together,
# whose compiling cost as much again at start-up.
_ALL = (*_STRONG.values(), *_WEAK.values(), _OTHER)


def _any(key: str) -> bool:
    """Whether ``key`` is any label at all."""
    return any(pattern.fullmatch(key) for pattern in _ALL)


_COLONS = re.compile(r"\s*:\s*")
_TRANSLATED = re.compile(r"([^()\d]{1,60}?)\s*\(([^()\d]+)\)")  # a label, then ours in brackets
_REMARK = re.compile(r"\s*\([^()\d]*\)\s*$")  # words in brackets, no figure (a rate stays: "VAT (20%)")
_PAIR = re.compile(r"\s+/\s+|\s*\|\s*")  # "tomador / adquirente": a slash between spaces (never "c/o")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'"})  # "Date d’émission"
_PARTY_NAME = compile_pattern(PARTY_NAME)
# The caption of a company's registered name, printed for the parties of an invoice rather than
# for a payee, a contact or an account holder (as a plain "Name:" may be)
_REGISTERED_NAME = compile_pattern(
    r"raz[oó]n social|raison sociale|ragione sociale|razão social|denominazione"
    r"|(?:legal|registered) name|nombre legal"
)
# The words of a tax's label: a tax of a particular kind, or a VAT, a sales tax or a plain tax (tax_kind).
_KIND_WORDS = compile_pattern(rf"(?<![^\W\d_])(?:{_TAX_KIND})(?![^\W\d_])")
_VAT_WORDS = compile_pattern(
    rf"(?<![^\W\d_])(?:{_TAX_WORD}|taxes|impuestos?|merverdiavgift|arvonlisävero|mervärdesskatt"
    r"|\w*(?:moms|mva|steuer)\w*)(?![^\W\d_])"
)


def clean(text: str) -> str:
    """A label as matched: lower case, without accents, colons and doubled spaces gone."""
    return " ".join(_COLONS.sub(" ", fold(text.lower().translate(_QUOTES))).split())


@lru_cache(maxsize=8192)
def match(text: str) -> tuple[tuple[str, bool], ...] | None:
    """The fields a label names, each with ``True`` when strong; ``()`` for a known other label.

    ``None`` when ``text`` is no label at all.
    """
    key = clean(text)
    if not key:
        return None
    if not _any(key):
        bare = " ".join(key.replace("(", " ").replace(")", " ").split())  # "Sum (net)", "Total (incl. GST)"
        if bare != key and _any(bare):
            return _matched(bare)
        translated = _TRANSLATED.fullmatch(key)  # "Số (No.)", "Mã số thuế (Tax code)": ours in brackets
        if translated and not _any(translated[1]) and _any(translated[2]):
            return _matched(translated[2])
        remark = _REMARK.sub("", key)  # "Sales tax (lump-sum contract)": a remark after the label
        if remark != key and remark and _any(remark):
            return _matched(remark)
        return _paired(key)
    return _matched(key)


def _paired(key: str) -> tuple[tuple[str, bool], ...] | None:
    """Two or three synonyms of one label joined by a slash or a bar, as forms print a heading
    (``PRESTADOR / FORNECEDOR``, ``Nome / Nome Empresarial``): what every part names, when they agree,
    or what the first part names when the others name nothing we read."""
    if "/" not in key and "|" not in key:
        return None
    parts = [p for p in _PAIR.split(key) if p]
    first = parts[0] if parts else ""
    if len(parts) == 2 and " / " in key and len(first.split()) <= 3 and not re.search(r"\d", first) and not _any(first):
        # a language we do not read, then ours: "No. Bil / Bill No.", "Tarikh Bil / Bill Date"
        return _matched(parts[1])
    if len(parts) >= 2 and " " in parts[-1]:
        # the number word printed once, at the end: "Faktura VAT / Invoice nr"
        tail = parts[-1].rsplit(" ", 1)[1]
        parts = [p if _any(p) else f"{p} {tail}" for p in parts[:-1]] + parts[-1:]
    if not 2 <= len(parts) <= 3 or not all(_any(p) for p in parts):
        return None
    matched = [_matched(p) for p in parts]
    names = [{name for name, _ in m} for m in matched if m]
    if len(names) == len(parts) and all(n == names[0] for n in names):
        # one field in both languages, strong in one ("Sorszám / No.:"): the field, as strongly as named
        return tuple((name, any((name, True) in m for m in matched if m)) for name in sorted(names[0]))
    if matched[0] and all(m == () for m in matched[1:]):
        # "Invoice date / Date of supply": the field the first part names (its value comes first;
        # not "Kunden-Nr. / Rechnungs-Nr.", whose first value is the customer's number)
        return matched[0]
    found = set(matched)
    return found.pop() if len(found) == 1 else None


def _matched(key: str) -> tuple[tuple[str, bool], ...] | None:
    found = tuple((name, True) for name, pattern in _STRONG.items() if pattern.fullmatch(key))
    if found:
        return found
    if _OTHER.fullmatch(key):
        return ()
    return tuple((name, False) for name, pattern in _WEAK.items() if pattern.fullmatch(key)) or None


@lru_cache(maxsize=8192)
def tax_kind(text: str) -> int:
    """What tax a label names: 2 a tax of a particular kind (``Impuesto municipal``, ``Transaction
    Tax``, ``Taxe de séjour``), 1 a VAT, a sales tax or a plain tax (``IVA 21%``, ``MwSt.``,
    ``Sales Tax``), 0 none."""
    key = clean(text)
    kind = _KIND_WORDS.search(key)
    if kind and kind[0].rstrip("s") != "impuesto":
        return 2
    return int(bool(_VAT_WORDS.search(key)))


@lru_cache(maxsize=8192)
def is_party_name(text: str) -> bool:
    """Whether ``text`` is a ``Name:`` label inside a seller or buyer block, or a form's caption
    over the name (``NOME / RAZÃO SOCIAL``)."""
    key = clean(text)
    return bool(key) and all(_PARTY_NAME.fullmatch(part) for part in _PAIR.split(key) if part)


def is_registered_name(text: str) -> bool:
    """Whether ``text`` is the caption of a party's registered name (``Razón Social:``), alone or
    after another caption of the name (``Apellido y Nombre / Razón Social:``)."""
    return any(_REGISTERED_NAME.fullmatch(part) for part in _PAIR.split(clean(text)) if part)


# Where a word may hold two: a capital after a small letter ("rateTax"), or a capital and a small
# letter after a capital ("LLCName:")
_JOINT = re.compile(r"(?<=[a-zß-ÿ])(?=[A-ZÀ-Þ])|(?<=[A-ZÀ-Þ])(?=[A-ZÀ-Þ][a-zß-ÿ])")


_GLUED_COLON = re.compile(r"([^\s:：/]{2,30})[:：](?=[^\s:：/])")


def unglued(words: list[Word]) -> list[Word]:
    """``words`` with a label's value set flush after its colon parted from it ("Date:2024-05-03",
    "請求日：2024年6月28日"), and a label set flush against the word before it parted from it, as when two
    table cells touch ("VAT rateTax", a name run into the next column's "Name:"): the right part
    is the label of a field, or any label before its colon, the left part two letters or more
    ("PayPal", "iPhone", "GmbH", "MyName" stay whole)."""
    out = []
    for word in words:
        colon = _GLUED_COLON.match(word.text)  # "請求書番号：2406-0152", "Date:2024-05-03"
        if colon and match(colon[1]):
            cut = word.x0 + (word.x1 - word.x0) * len(colon[0]) / len(word.text)
            out += [replace(word, text=colon[0], x1=cut), replace(word, text=word.text[len(colon[0]) :], x0=cut)]
            continue
        for joint in _JOINT.finditer(word.text) if not word.text.isupper() else ():
            left, right = word.text[: joint.start()], word.text[joint.start() :]
            known = match(right)
            if (
                sum(ch.isalpha() for ch in left) >= 2
                and len(right.rstrip(":")) >= 2
                and (known or known is not None and right.endswith(":"))
            ):
                cut = word.x0 + (word.x1 - word.x0) * len(left) / len(word.text)
                out += [replace(word, text=left, x1=cut), replace(word, text=right, x0=cut)]
                break
        else:
            out.append(word)
    return out


@dataclass
class Hit:
    """A label in a line: words ``start:end`` of phrase number ``phrase``; ``fields`` as :func:`match`."""

    phrase: int
    start: int
    end: int
    fields: tuple[tuple[str, bool], ...]


def _party_heading(words: list[Word]) -> tuple[tuple[str, bool], ...] | None:
    """What ``words`` name when they are a party's heading and nothing else (``Client``)."""
    fields = match(" ".join(w.text for w in words))
    return fields if fields and all(name in NAME_FIELDS for name, _ in fields) else None


def up_to_label(phrase: Phrase, hits: list[Hit], number: int) -> Phrase:
    """``phrase`` (number ``number`` of its line, whose labels are ``hits``) up to the first label
    set inside it: "Blue Harbor S.L. Fecha de expedición:" names "Blue Harbor S.L."."""
    inner = min((h.start for h in hits if h.phrase == number and h.start), default=0)
    return Phrase(phrase.words[:inner]) if inner else phrase


SEPARATORS = frozenset("·|•–—&")
_SUBJECT = frozenset(
    {"re:", "betreff:", "betreft:", "objet:", "asunto:", "oggetto:", "assunto:", "dotyczy:", "věc:"}
)  # between the items of a footer's line; "Co. Reg. No. & GST Reg. No.:"


def hits_of(line: Line) -> list[Hit]:
    """The labels of a line, longest first at each position.

    A label starts a phrase, or follows a value (a word with a digit) or a separator within one
    (``Registered in England No. 06129384 · VAT No. 427 5624 85``), or ends with a colon after a
    name set too close to it (``Blue Harbor S.L. Fecha de expedición:``); only strong labels count
    in the middle of a phrase.
    """
    hits: list[Hit] = []
    for number, phrase in enumerate(line.phrases):
        words, i = phrase.words, 0
        while i < len(words):
            before = words[i - 1].text if i else ""
            after_value = (
                i == 0
                or before in SEPARATORS
                or any(ch.isdigit() for ch in before)
                or before.lower() in _SUBJECT  # "Re: Invoice No. 2024-017 – kitchen built-ins"
            )
            after_label = bool(hits) and hits[-1].phrase == number  # "Total Inc GST :" is one label
            if not after_value and (after_label or not any(w.text.endswith(":") for w in words[i : i + 5])):
                i += 1
                continue
            for size in (7, 6, 5, 4, 3, 2, 1):
                if i + size > len(words) or not after_value and not words[i + size - 1].text.endswith(":"):
                    continue
                whole = i == 0 and len(words) == size
                if size == 7 and not ((whole or words[i + 6].text.endswith(":")) and "/" in (w.text for w in words)):
                    continue  # seven words only as labels in two languages, before a colon or as a whole phrase
                if size == 6 and not words[i + 5].text.endswith(":") and not whole:
                    continue  # six words only before a colon ("Fecha de Vto. para el pago:") or as a whole phrase
                fields = match(" ".join(w.text for w in words[i : i + size]))
                if fields is not None and i > 0:
                    fields = tuple(f for f in fields if f[1])
                other = None  # the other party's heading set too close: "Service Provider Client"
                if fields and i + size < len(words) and not words[i + size - 1].text.endswith(":"):
                    heading = i == 0 and all(field in NAME_FIELDS for field, _ in fields)
                    other = _party_heading(words[i + size :]) if heading else None
                    if other is None:
                        # "Lieferant GmbH", "Customer Service": a name, not a party label and its value
                        fields = tuple(f for f in fields if f[0] not in NAME_FIELDS) or None
                if fields is not None:
                    hits.append(Hit(number, i, i + size, fields))
                    if other is not None:
                        hits.append(Hit(number, i + size, len(words), other))
                    i = len(words) if other is not None else i + size
                    break
            else:
                i += 1
    return hits


def party_heading(lines: list[Line], hits: dict[int, list[Hit]], position: int, x0: float, x1: float) -> int:
    """1 when the nearest party label heading the block above ``lines[position]`` between ``x0``
    and ``x1`` (or starting where it starts) names the buyer ("Bill to", "Empfänger"), -1 when it
    names the seller ("From", "Aussteller"), else 0."""
    line = lines[position]
    for other in reversed(lines[max(0, position - 8) : position]):
        if other.page != line.page or line.top - other.bottom > 120:
            break
        for hit in hits[other.index]:
            label = other.phrases[hit.phrase].words[hit.start : hit.end]
            if not (label[-1].x1 >= x0 - 2 and label[0].x0 <= x1 + 2 or abs(label[0].x0 - x0) < 15):
                continue
            fields = {f for f, _ in hit.fields}
            if "buyer_name" in fields:
                return 1
            if "seller_name" in fields:
                return -1
    return 0


def paid_in_part(lines: list[Line]) -> bool:
    """Whether a short phrase on the page says something was paid already (:data:`PAID`)."""
    return any(
        len(phrase.text.split()) <= PAID_WORDS and PAID.search(clean(phrase.text))
        for line in lines
        for phrase in line.phrases
    )
