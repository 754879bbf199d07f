"""Traits of real invoices that defeated the reader, drawn for the training family of
:mod:`backoffice.demo.varied`: buyers that are persons or printed in capitals, window-envelope
address blocks on either side with no label, party headings such as "To" / "Recipient" /
"Biller", the due date in a sentence or only as payment terms ("payable within 30 days": no date
to read), the amount due among the invoice details at the top, and dates in the item table.

They are drawn from a generator of their own (seeded by the document), so that the draws of
:func:`~backoffice.demo.varied.make_spec` and the held-out family stay as they were.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backoffice.demo.varied import Spec, _Page

PEOPLE = [
    "Maria Keller",
    "John Smith",
    "Anna Nowak",
    "Pierre Martin",
    "Lucía Fernández",
    "Jan de Vries",
    "Erik Johansson",
    "Giulia Bianchi",
    "Petr Svoboda",
    "Mette Nielsen",
    "Ola Nordmann",
    "Ryan Fobel",
    "Sarah O'Connor",
    "Thomas Müller",
]
# Party headings real invoices print besides the usual ones (English only: the label
# vocabulary knows them; the layout has to tell the rest).
HEADINGS = {"buyer": ["To", "Recipient", "Client", "Customer"], "seller": ["From", "Biller", "Issued by"]}
# The due date in a sentence, and payment terms that print no date (then there is no due date).
DUE_SENTENCES = {
    "en": ["Please transfer the amount by {date}.", "Payment is due on {date}.", "Please pay before {date}."],
    "de": ["Bitte überweisen Sie den Betrag bis zum {date}.", "Zahlbar bis {date} ohne Abzug."],
    "fr": ["Merci de régler avant le {date}.", "Paiement à effectuer avant le {date}."],
    "nl": ["Gelieve te betalen vóór {date}.", "Te betalen uiterlijk op {date}."],
    "es": ["Rogamos efectúe el pago antes del {date}."],
    "it": ["Si prega di pagare entro il {date}."],
}
TERMS = {
    "en": [
        "Payment is due within {days} days from date of invoice.",
        "Terms: Net {days}",
        "Payable within {days} days.",
    ],
    "de": ["Zahlbar innerhalb von {days} Tagen ohne Abzug.", "Zahlungsziel: {days} Tage netto"],
    "fr": ["Paiement à {days} jours date de facture.", "Conditions de paiement : {days} jours net"],
    "nl": ["Betaling binnen {days} dagen na factuurdatum."],
    "es": ["Pago a {days} días fecha factura."],
    "it": ["Pagamento a {days} giorni data fattura."],
}


# Headings over a party block that the label vocabulary may not know: the block's place and the
# name's shape have to tell whose it is.
UNKNOWN_HEADINGS = {
    "buyer": [
        "Destinataire",
        "Solgt til",
        "Sr.(s)",
        "Adressat",
        "Ship & Bill",
        "Account holder",
        "Customer name",
        "Nome",
        "Ordered by",
        "Deliver & invoice",
    ],
    "seller": ["Émetteur", "Prestataire", "Energy service provider", "Your supplier", "Issuer", "Afsender"],
}
# Lines of a buyer's block that are no name: a tax status, a department, a contact.
STATUS_LINES = [
    "IVA Responsable Inscripto",
    "VAT registered",
    "Tax exempt",
    "Accounts Payable",
    "Buchhaltung",
    "Service comptabilité",
    "Non soggetto IVA",
    "Consumidor Final",
    "Private customer",
]
DEPARTMENTS = [
    "Accounts Payable",
    "Purchasing Department",
    "Buchhaltung",
    "Service comptabilité",
    "Inkoop",
    "Ufficio acquisti",
    "Dpto. Compras",
]


def _domain(name: str) -> str:
    """A web domain a company of ``name`` might print (``riversideprint``)."""
    words = [w for w in name.replace("&", " ").split() if w.isalpha() and len(w) > 2][:2]
    return "".join(w.lower() for w in words) or "example"


def apply(spec: Spec) -> None:
    """Draw the traits of ``spec`` (training family only) into ``spec.extras`` and its parties."""
    side = random.Random(f"traits-{spec.number}-{spec.vat_id}")
    style = side.choices(["company", "person", "upper", "attn"], [0.55, 0.2, 0.15, 0.1])[0]
    if style == "person":
        spec.buyer[0] = side.choice(PEOPLE)
    elif style == "upper":  # "KERMENE / 13 LE PEREY / 22330 LE MENE"
        if side.random() < 0.5:
            spec.buyer[0] = spec.buyer[0].split()[0].upper()
        spec.buyer[:] = [line.upper() for line in spec.buyer]
    elif style == "attn":  # a contact person under the company
        spec.buyer.insert(1, side.choice(["Attn: ", "z. Hd. ", "c/o ", ""]) + side.choice(PEOPLE))
    if side.random() < 0.1:
        spec.seller[0] = spec.seller[0].upper()
    spec.extras["window_right"] = spec.parties == "window" and side.random() < 0.45
    spec.extras["sender_line"] = spec.parties != "window" or side.random() < 0.7
    if spec.lang == "en" and side.random() < 0.35:
        spec.words["buyer"] = side.choice(HEADINGS["buyer"])
        spec.words["seller"] = side.choice(HEADINGS["seller"])
    due_style = side.choices(["row", "sentence", "terms"], [0.65, 0.2, 0.15])[0]
    if spec.lang not in DUE_SENTENCES:
        due_style = "row"
    if due_style == "terms":
        days = (spec.due - spec.issued).days if spec.due else side.choice([14, 30])
        spec.extras["terms"] = side.choice(TERMS[spec.lang]).format(days=days)
        spec.due = None  # the page prints no due date
    elif due_style == "sentence" and spec.due:
        spec.extras["due_sentence"] = side.choice(DUE_SENTENCES[spec.lang])
    spec.extras["due_in_details"] = spec.extras["due_amount"] and side.random() < 0.3
    spec.extras["item_dates"] = side.random() < 0.2
    _names(spec, random.Random(f"names-{spec.number}-{spec.vat_id}"))
    forms(spec)
    payees(spec)


def _names(spec: Spec, side: random.Random) -> None:
    """Party blocks as real invoices print them: a heading the vocabulary does not know, a
    utility bill's "LAST, FIRST" account holder, a department or a tax status line in the
    buyer's block, the seller's web domain and mail address, the buyer's mail address, the
    seller's full name only in the footer under a short logo word, a payment slip that names
    the buyer again."""
    if side.random() < 0.25:
        spec.words["buyer"] = side.choice(UNKNOWN_HEADINGS["buyer"])
        if side.random() < 0.5:
            spec.words["seller"] = side.choice(UNKNOWN_HEADINGS["seller"])
    if side.random() < 0.07:  # a utility bill's account holder
        person = side.choice(PEOPLE).split()
        spec.buyer[0] = f"{person[-1]}, {' '.join(person[:-1])}".upper() if side.random() < 0.5 else " ".join(person)
        spec.buyer[1:] = [line.upper() for line in spec.buyer[1:]]
        spec.words["buyer"] = side.choice(["Account holder", "Customer name", "Customer", "Name"])
    roll = side.random()
    if roll < 0.08:
        spec.buyer.insert(1, side.choice(STATUS_LINES))
    elif roll < 0.14 and spec.parties != "labelled":  # the department first, the company under it
        spec.extras["buyer_name"] = spec.buyer[0]
        spec.buyer.insert(0, side.choice(DEPARTMENTS))
    domain = _domain(spec.seller[0])
    tld = {"en": "com", "de": "de", "fr": "fr", "nl": "nl", "es": "es", "it": "it", "pl": "pl", "cs": "cz"}
    if side.random() < 0.45:
        spec.extras["web"] = side.choice(
            [f"www.{domain}.{tld.get(spec.lang, 'com')}", f"info@{domain}.{tld.get(spec.lang, 'com')}"]
        )
    if side.random() < 0.12 and spec.parties != "labelled":
        spec.buyer.append(f"{side.choice(['billing', 'info', 'accounts'])}@{_domain(spec.buyer[0])}.com")
    # a payment slip near the foot of the page that prints the buyer's name and address again
    spec.extras["stub"] = len(spec.items) <= 6 and side.random() < 0.2
    if side.random() < 0.06 and not spec.extras.get("brand"):  # a logo word heads the page; the name is in the footer
        spec.extras["logo"] = "".join(w[0] for w in spec.seller[0].split() if w[0].isalpha()).upper()
        spec.extras["footer_name"] = True


# ---------------------------------------------------------------- party forms and bank lines

# The captions of a form's cells: name, address, town, phone, mail (what official and ERP forms
# print over each value, e.g. Brazil's DANFSe "Nome / Nome Empresarial", "Endereço").
FORM_CAPTIONS = {
    "en": ("Name", "Address", "City / Postcode", "Phone", "E-mail"),
    "de": ("Name / Firma", "Anschrift", "PLZ / Ort", "Telefon", "E-Mail"),
    "fr": ("Nom / Raison sociale", "Adresse", "Code postal / Ville", "Téléphone", "E-mail"),
    "nl": ("Naam", "Adres", "Postcode / Plaats", "Telefoon", "E-mail"),
    "es": ("Nombre / Razón social", "Dirección", "Localidad", "Teléfono", "Correo electrónico"),
    "it": ("Denominazione", "Indirizzo", "CAP / Comune", "Telefono", "E-mail"),
    "pl": ("Nazwa", "Adres", "Kod / Miejscowość", "Telefon", "E-mail"),
    "cs": ("Název", "Adresa", "PSČ / Obec", "Telefon", "E-mail"),
    "sv": ("Namn", "Adress", "Postnummer / Ort", "Telefon", "E-post"),
    "da": ("Navn", "Adresse", "Postnr. / By", "Telefon", "E-mail"),
    "no": ("Navn", "Adresse", "Postnr. / Sted", "Telefon", "E-post"),
}
# The label of the seller's bank and banks' names as letterheads print them (some letter-spaced).
BANK_LABELS = {
    "en": ["Bank", "Bank name", "Bank details"],
    "de": ["Bank", "Bankverbindung", "Kreditinstitut"],
    "fr": ["Banque", "Domiciliation"],
    "nl": ["Bank"],
    "es": ["Banco", "Entidad bancaria"],
    "it": ["Banca"],
    "pl": ["Bank", "Nazwa banku"],
    "cs": ["Banka", "Název banky"],
    "sv": ["Bank"],
    "da": ["Bank"],
    "no": ["Bank"],
}
BANKS = [
    "B N P",
    "BNP Paribas",
    "Crédit Agricole",
    "Deutsche Bank",
    "Sparkasse Hannover",
    "Volksbank Mittelhessen eG",
    "ING",
    "Rabobank",
    "ABN AMRO",
    "Banco Santander",
    "BBVA",
    "UniCredit",
    "Intesa Sanpaolo",
    "PKO BP",
    "mBank",
    "Komerční banka",
    "Nordea",
    "Danske Bank",
    "DNB",
    "Handelsbanken",
    "Barclays",
    "HSBC UK",
    "Lloyds Bank plc",
]


def forms(spec: Spec) -> None:
    """Party blocks as forms print them: each party a section of captioned cells (the name under
    a caption, the section's heading at its left or above it, sometimes two synonyms joined by a
    slash), and the seller's bank named beside its label in the seller's block (``Banque : B N P``).
    Drawn from a generator of their own, so that the other draws stay as they were."""
    side = random.Random(f"forms-{spec.number}-{spec.vat_id}")
    if spec.parties in ("side-by-side", "bill-to") and not spec.extras.get("brand") and side.random() < 0.12:
        from backoffice.demo.varied_words import WORDS

        heads = {}
        for role in ("seller", "buyer"):
            options = [w for w in WORDS[spec.lang][role] if w != spec.words[role]]
            head = spec.words[role]
            if options and side.random() < 0.4:
                head = f"{head} / {side.choice(options)}"
            heads[role] = head.upper() if side.random() < 0.6 else head
        spec.extras["party_form"] = {
            "heads": heads,
            # the heading left of the cells (when it fits), or above them
            "beside": side.random() < 0.5 and max(len(h) for h in heads.values()) <= 20,
            "phones": [
                f"({side.randrange(10, 99)}) {side.randrange(1000, 9999)}-{side.randrange(1000, 9999)}"
                for _ in range(2)
            ],
            "mail": side.random() < 0.6,
        }
        if side.random() < 0.5:  # no letterhead: the form is the only place that names the seller
            spec.extras["logo"] = side.choice(["DOCUMENTO AUXILIAR", "E-INVOICE", "FORM 1", "RECEIPT COPY"])
    if side.random() < 0.1 and spec.lang in BANK_LABELS:
        label = side.choice(BANK_LABELS[spec.lang])
        colon = side.choice([":", " :", ""]) if spec.lang == "fr" else ":"
        spec.seller.append(f"{label}{colon} {side.choice(BANKS)}")


def draw_party_form(pdf: _Page, spec: Spec, top: float) -> float:
    """The two parties' form sections (:func:`forms`); the y (mm) below them."""
    form = spec.extras["party_form"]
    captions = FORM_CAPTIONS.get(spec.lang, FORM_CAPTIONS["en"])
    y = top
    for number, (role, party) in enumerate((("seller", spec.seller), ("buyer", spec.buyer))):
        x = 58 if form["beside"] else 20
        if form["beside"]:
            pdf.put(20, y + 4, form["heads"][role], 7.5, "B")
        else:
            pdf.put(20, y, form["heads"][role], 8, "B")
            y += 5
        mail = f"info@{_domain(party[0])}.com" if form["mail"] else "-"
        rows = [
            [(captions[0], party[0]), (captions[3], form["phones"][number])],
            [(captions[1], party[1]), (captions[2], party[2]), (captions[4], mail)],
        ]
        for cells in rows:
            starts = (0.0, 0.62) if len(cells) == 2 else (0.0, 0.42, 0.7)
            for (caption, value), start in zip(cells, starts, strict=True):
                cx = x + start * (192 - x)
                pdf.put(cx, y, caption, 6)
                pdf.put(cx, y + 3.2, value, 8)
            y += 8.5
        y += 2
    return y


# ---------------------------------------------------------------- payees and "Label: value" buyers

# Who a payment slip is made out to: the payee, the seller (while "To" heads the buyer's block on top).
PAYEE_LABELS = {
    "en": ["To:", "Remit to:", "Make cheques payable to:", "Pay to:", "Payee:"],
    "de": ["An:", "Zahlungsempfänger:", "Empfänger:"],
    "fr": ["À :", "Bénéficiaire :", "À l'ordre de :"],
    "nl": ["Aan:", "Begunstigde:"],
    "es": ["A:", "Beneficiario:"],
    "it": ["A:", "Beneficiario:"],
    "pl": ["Odbiorca:"],
    "cs": ["Příjemce:"],
    "sv": ["Till:", "Mottagare:"],
    "da": ["Til:", "Modtager:"],
    "no": ["Til:", "Mottaker:"],
}
# The bare caption of an address among "Label: value" rows ("Address:  Unit 1, Fork Works, ...").
ADDRESS_CAPTIONS = {
    "en": ["Address", "Addr."],
    "de": ["Adresse", "Anschrift"],
    "fr": ["Adresse"],
    "nl": ["Adres"],
    "es": ["Dirección", "Domicilio"],
    "it": ["Indirizzo"],
    "pl": ["Adres"],
    "cs": ["Adresa"],
    "sv": ["Adress"],
    "da": ["Adresse"],
    "no": ["Adresse"],
}


def payees(spec: Spec) -> None:
    """A payment slip made out to the seller (``To: <seller>`` with its address, the buyer named
    beside it under the buyer's label); the buyer given as "Label: value" rows among the invoice
    details (its name, then its address on one line after an address caption); letterheads that
    print the seller's name and a slogan only, no address anywhere; a contact person under the
    buyer's company with nothing before the name. Drawn from a generator of their own, so that
    the other draws stay as they were."""
    side = random.Random(f"payees-{spec.number}-{spec.vat_id}")
    if not spec.extras.get("stub") and len(spec.items) <= 6 and side.random() < 0.1:
        spec.extras["stub"] = True
    if spec.extras.get("stub") and side.random() < 0.5:
        spec.extras["stub_payee"] = side.choice(PAYEE_LABELS.get(spec.lang, PAYEE_LABELS["en"]))
    bare = side.random() < 0.06  # a letterhead of a name (and a slogan) only: no address of the seller anywhere
    if (
        spec.parties in ("bill-to", "window")
        and spec.meta in ("right-rows", "left-rows")
        and not spec.extras.get("party_form")
        and not spec.extras.get("window_right")
        and side.random() < 0.5
    ):
        spec.extras["kv_buyer"] = side.choice(ADDRESS_CAPTIONS.get(spec.lang, ADDRESS_CAPTIONS["en"]))
        bare = bare or side.random() < 0.5
    if bare and not spec.extras.get("logo") and not spec.extras.get("brand"):
        from backoffice.demo.varied_words import TAGLINES

        spec.extras["tagline"] = spec.extras.get("tagline") or side.choice(TAGLINES)
        spec.extras["letterhead_address"] = False
        spec.extras["footer_name"] = False
        spec.extras["no_seller_address"] = True
        spec.extras["sender_line"] = False
    # a contact person under the buyer's company, with no "Attn" before it (the company is the buyer)
    inserted = not any(ch.isdigit() for ch in spec.buyer[1]) and len(spec.buyer) > 3  # a line put in already
    if side.random() < 0.1 and not inserted and "buyer_name" not in spec.extras and spec.buyer[0] not in PEOPLE:
        spec.buyer.insert(1, side.choice(PEOPLE))
