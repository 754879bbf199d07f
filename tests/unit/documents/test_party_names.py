"""What can be a party's name: legal forms, address lines, web domains and column heads."""

from __future__ import annotations

from backoffice.documents import address, labels, letterhead
from backoffice.documents.layout import Phrase, lines_of
from backoffice.documents.pdf import Word, read_words


def _phrase(text: str) -> Phrase:
    words, x = [], 50.0
    for token in text.split():
        words.append(Word(token, x, 700.0, x + 6 * len(token), 708.0, 1, 7.0))
        x += 6 * len(token) + 3
    return Phrase(words)


def test_names_are_not_domains_formulas_column_heads_or_a_legal_form_alone():
    assert letterhead.plausible_name("Enbridge Gas Distribution Inc.")
    assert letterhead.plausible_name("Becker Design s.r.o.")
    assert not letterhead.plausible_name("enbridgegas.com")
    assert not letterhead.plausible_name("( ELECTRONIC BILL VERIFICATION CODE = 248CU959 )")
    assert not letterhead.plausible_name("PRESTADOR / FORNECEDOR")
    assert not letterhead.plausible_name("SARL")
    assert not letterhead.plausible_name("TAX INVOICE")
    assert not letterhead.plausible_name("DOCUMENTO AUXILIAR")  # a DANFE's title, a line of it as OCR reads it
    assert not letterhead.plausible_name("Faktura")
    assert letterhead.plausible_name("Commande Express SARL")


def test_a_sender_line_is_no_name_but_a_name_with_a_separator_is():
    assert not letterhead.plausible_name("Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld · Deutschland")
    assert not letterhead.plausible_name("Nordlicht AG | Hafenstraße 3")
    assert not letterhead.plausible_name("Atelier Roux • Lyon • France")
    assert not letterhead.plausible_name("Kraxi GmbH - Flugzeugallee 17 12345 Papierfeld")  # as OCR reads it
    assert letterhead.plausible_name("Müller - Bau GmbH")
    assert letterhead.plausible_name("DMBP NANTES DISPANO ROUX - 1535")  # a branch's number
    assert letterhead.plausible_name("Roux · Atelier de reliure")


def test_legal_forms_of_many_countries_and_not_a_capitalised_sentence():
    for name in (
        "Iberia Software a.s.",
        "Delta s.r.o.",
        "Firma Sp. z o.o.",
        "Nordic AB",
        "Kone Oy",
        "Snill AS, Oslo",
        "Cerâmica Atlântico, Lda",
        "SCI Les Terrasses",
    ):
        assert letterhead.LEGAL.search(name), name
    assert not letterhead.LEGAL.search("PAID AS AGREED")


def test_a_footer_line_gives_the_company_that_opens_it():
    phrase = _phrase("Microsoft Ireland Operations Ltd, One Microsoft Place, Dublin 18")
    words = letterhead.legal_name(phrase)
    assert words is not None and " ".join(w.text for w in words) == "Microsoft Ireland Operations Ltd,"
    assert letterhead.legal_name(_phrase("One Microsoft Place, Dublin 18")) is None


def test_address_lines_of_many_countries_read_as_such_and_names_do_not():
    for line in (
        "TORONTO ON M4J 3G3",
        "Unit 1, Fork Works, Rotherham, S1 1RT",
        "Hauptstraße 7",
        "Kitchener ON N2G 4R6",
        "13 LE PEREY - Saint Jacut du Mene",
        "São Vicente / SP",
        "Workafella Business Centre 150/1, Infantry Road",
        "Hammerstads gate 32",
        "ul. Długa 8",
        "1012 AB Amsterdam",
        "00-950 Warszawa",
        "110 00 Praha 1",
        "Rua Adolfo Cavalcanti, 686",
    ):
        assert address.line(line) and address.signs(line) > 0, line
    for name in (
        "KERMENE",
        "Snill Design",
        "Bento e Silvana Doces e Salgados Ltda",
        "Test Business",
        "Kitchener Utilities",
        "Scrooge McDuck",
        "Orange Demo Inc.",
    ):
        assert not address.line(name) and address.signs(name) == 0, name


def _block(*rows: str) -> list:
    words, top = [], 100.0
    for row in rows:
        x = 50.0
        for token in row.split():
            words.append(Word(token, x, top, x + 6 * len(token), top + 8, 1, 8.0))
            x += 6 * len(token) + 3
        top += 12
    return lines_of(words)


def test_a_name_heads_an_address_block_of_any_country():
    for street in ("Hammerstads gate", "ul. Długa", "Rua Adolfo Cavalcanti, 686", "00-950 Warszawa"):
        lines = _block("Snill Design", street)
        assert letterhead.address_follows(lines, lines[0], lines[0].phrases[0]), street
    lines = _block("Snill Design", "Kontakt Ola Nordmann")
    assert not letterhead.address_follows(lines, lines[0], lines[0].phrases[0])


def test_boilerplate_labels_and_person_names_are_told_apart():
    from backoffice.documents import names

    assert names.boilerplate("IVA Responsable Inscripto") >= 2
    assert names.boilerplate("Fournisseur F SARL au capital de 50 000 EUR")
    assert names.boilerplate("Joao Da Silva") == 0
    assert names.label_share("Buyer") == 1.0 and names.label_share("Due Date see last page") > 0
    assert names.label_share("Gyro Gearloose") == 0.0
    for person in ("Ryan Fobel", "Joao Da Silva", "SCROOGE MCDUCK", "FOBEL, RYAN RICHARD"):
        assert names.person_shape(person) == 1.0, person
    for other in ("Becker Design GmbH", "Invoice Total", "442 Jones Ave", "Ryan"):
        assert names.person_shape(other) == 0.0, other


def test_a_web_or_mail_domain_names_its_company():
    from backoffice.documents import names

    found = names.domains(
        ["admin@slicedinvoices.com", "Visit enbridgegas.com/capandtrade.", "http://www.kwhydro.on.ca"]
    )
    assert {"slicedinvoices", "enbridgegas", "kwhydro"} <= found
    assert names.in_domain("DEMO - Sliced Invoices", found) == 1.0
    assert names.in_domain("Enbridge Gas Distribution Inc.", found) == 1.0
    assert names.in_domain("KITCHENER-WILMOT HYDRO INC", found) == 0.5
    assert names.in_domain("Test Business", found) == 0.0


def test_a_label_with_a_title_after_it_heads_no_letterhead():
    from backoffice.documents.layout import lines_of

    words = [
        Word("Buyer", 260, 12, 300, 24, 1, 14.0),
        Word("Receipt", 305, 12, 360, 24, 1, 14.0),
        Word("IAA", 40, 40, 70, 48, 1, 9.0),
        Word("Two", 40, 52, 60, 60, 1, 9.0),
        Word("Westbrook", 64, 52, 120, 60, 1, 9.0),
        Word("Street", 124, 52, 160, 60, 1, 9.0),
        Word("12", 164, 52, 176, 60, 1, 9.0),
    ]
    lines = lines_of(words)
    guess = letterhead.seller_from_letterhead(lines, {line.index: [] for line in lines}, 842.0, set())
    assert guess is None or guess.value != "Buyer"


def test_a_footer_name_ends_with_its_legal_form_before_boilerplate():
    words = letterhead.legal_name(_phrase("Fournisseur F SARL au capital de 50 000 EUR"))
    assert words is not None and " ".join(w.text for w in words) == "Fournisseur F SARL"
    words = letterhead.legal_name(_phrase("Becker Bau GmbH & Co. KG"))
    assert words is not None and " ".join(w.text for w in words) == "Becker Bau GmbH & Co. KG"


def _page(rows: list[tuple[float, float, str]]) -> list[Word]:
    words = []
    for x, top, text in rows:
        for token in text.split():
            words.append(Word(token, x, top, x + 6 * len(token), top + 9, 1, 9.0))
            x += 6 * len(token) + 3
    return words


def _page_reader(rows: list[tuple[float, float, str]]):
    """The invoice reader of one A4 page of ``rows`` (:func:`_page`)."""
    from backoffice.documents.invoice import Reader
    from backoffice.documents.pdf import PdfText

    return Reader(PdfText(source="t.pdf", page_count=1, pages=[_page(rows)], sizes=[(595.0, 842.0)]))


def test_a_weak_party_heading_alone_on_its_line_proposes_the_line_under_it():
    reader = _page_reader(
        [
            (40, 100, "From:"),
            (40, 112, "DEMO - Sliced Invoices"),
            (40, 124, "123 Somewhere Street"),
            (40, 200, "To:"),
            (40, 212, "Test Business"),
            (40, 224, "Melbourne, VIC 3000"),
        ]
    )
    found = reader.label_candidates(skip=set())
    assert [c.value for c in found["buyer_name"]] == ["Test Business"]
    assert [c.value for c in found["seller_name"]] == ["DEMO - Sliced Invoices"]
    assert all(c.score < 0.8 for c in found["buyer_name"])  # weaker than under a strong label


def test_a_label_and_a_title_are_no_name():
    assert not letterhead.plausible_name("Buyer Receipt")
    assert letterhead.plausible_name("Receipt Bank Ltd")


def test_a_form_heading_of_two_synonyms_names_its_party_and_a_bank_names_none():
    from backoffice.documents import labels

    assert labels.match("PRESTADOR / FORNECEDOR") == (("seller_name", True),)
    assert labels.match("TOMADOR / ADQUIRENTE") == (("buyer_name", True),)
    assert labels.match("DESTINATÁRIO / REMETENTE") == (("buyer_name", True),)
    assert labels.match("Seller / Buyer") is None  # two parties: a column head, no label of one
    assert labels.match("Município / Sigla UF") is None
    assert labels.is_party_name("NOME / RAZÃO SOCIAL") and labels.is_party_name("Name:")
    assert not labels.is_party_name("Município / Sigla UF")
    for bank in ("Banque :", "Bankverbindung", "Banco"):
        assert labels.match(bank) == (), bank
    assert labels.match("Deutsche Bank") is None


def _by_labels(make_pdf, monkeypatch, items: list[tuple]) -> dict:
    """The fields the label logic alone (no ranker) reads from a page of ``items``."""
    from backoffice.documents.extract import extract
    from backoffice.documents.ranker import model

    monkeypatch.setattr(model, "load", lambda: None)
    return extract(make_pdf(items), kind="invoice").fields


def test_the_name_under_a_form_caption_under_a_party_heading_is_read(make_pdf, monkeypatch):
    fields = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "FATURA 123", 14, "B"),
            (20, 40, "PRESTADOR / FORNECEDOR", 7),
            (70, 40, "11.222.333/0001-44", 7),
            (20, 45, "Nome / Nome Empresarial", 6),
            (90, 45, "Município / Sigla UF", 6),
            (20, 48, "Serviços de Publicidade", 8),
            (90, 48, "São Vicente / SP", 8),
            (20, 60, "TOMADOR / ADQUIRENTE", 7),
            (20, 65, "Nome / Nome Empresarial", 6),
            (90, 65, "Município / Sigla UF", 6),
            (20, 68, "Bento Doces Ltda", 8),
            (90, 68, "Sorocaba / SP", 8),
            (20, 90, "Valor total: 100,00", 9),
        ],
    )
    assert fields["seller_name"].value == "Serviços de Publicidade"
    assert fields["buyer_name"].value == "Bento Doces Ltda"


def test_training_invoices_print_party_forms_and_the_sellers_bank(tmp_path):
    import random

    from backoffice.demo import varied

    rng = random.Random("forms")
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(300)]
    forms = [s for s in specs if s.extras.get("party_form")]
    banks = [s for s in specs if any(line.split(":")[0].strip() in ("Bank", "Banque", "Banco") for line in s.seller)]
    assert forms and banks
    path = tmp_path / "form.pdf"
    varied.render(forms[0]).output(str(path))
    text = " ".join(w.text for w in read_words(path).words())
    assert forms[0].seller[0] in text and forms[0].buyer[0] in text


def test_a_label_set_too_close_to_a_name_ends_it(make_pdf, monkeypatch):
    fields = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "Tatra Engineering S.L.", 14, "B"),
            (20, 40, "Facturar a:", 9),
            (50, 40, "Blue Harbor Servizi S.L. Fecha de expedición:", 9),
            (160, 40, "28/12/2019", 9),
            (20, 90, "Total factura: 100,00", 9),
        ],
    )
    assert fields["buyer_name"].value == "Blue Harbor Servizi S.L."
    assert fields["issue_date"].value == "2019-12-28"


def test_an_address_follows_a_name_when_a_block_beside_it_interleaves_its_lines():
    def words(x: float, top: float, text: str) -> list:
        found = []
        for token in text.split():
            found.append(Word(token, x, top, x + 6 * len(token), top + 7, 1, 7.0))
            x += 6 * len(token) + 3
        return found

    # the right block's lines fall between the left block's: "Ma jolie boutique" over a contact and a street
    rows = [
        (300, 100, "Ma jolie boutique"),
        (40, 107, "Livraison Nord"),
        (300, 113, "Alexandre Payet"),
        (40, 119, "Rue Haute 3"),
        (300, 125, "35 rue de la République"),
        (300, 137, "69001 Lyon"),
    ]
    lines = lines_of([w for x, top, text in rows for w in words(x, top, text)])
    head = next(line for line in lines if line.text.startswith("Ma jolie"))
    assert letterhead.address_follows(lines, head, head.phrases[0])


def test_training_invoices_print_payee_slips_and_a_buyer_as_label_value_rows(tmp_path):
    import random

    from backoffice.demo import varied

    rng = random.Random("payees")
    specs = [varied.make_spec(rng, varied.TRAINING) for _ in range(300)]
    slips = [s for s in specs if s.extras.get("stub_payee")]
    rows = [s for s in specs if s.extras.get("kv_buyer")]
    assert slips and rows
    path = tmp_path / "rows.pdf"
    varied.render(rows[0]).output(str(path))
    text = " ".join(w.text for w in read_words(path).words())
    assert rows[0].extras["kv_buyer"] in text and rows[0].seller[0] in text


def test_seller_and_buyer_named_alike_are_one_party_and_parted_by_log_odds():
    from backoffice.documents.candidates import Candidate
    from backoffice.documents.ranker import pick

    assert pick.same_party("CENTRE COM HAWTHORN PTY", "Centre Com Hawthorn Pty Ltd.")
    assert not pick.same_party("Orange Demo Inc.", "Bayside Wholesale")
    word = Word("x", 0, 0, 1, 1, 1, 8.0)

    def named(field: str, value: str, score: float) -> Candidate:
        return Candidate(field, value, [word], score, "shape")

    # a doubtful seller beside a likely buyer of the same name: the buyer's second choice is fair
    scored = {
        "seller_name": [named("seller_name", "Orange Demo Inc.", 0.215), named("seller_name", "Central City", 0.05)],
        "buyer_name": [named("buyer_name", "Orange Demo Inc.", 0.684), named("buyer_name", "Bayside Wholesale", 0.362)],
    }
    chosen = {name: (max(c, key=lambda x: x.score), name) for name, c in scored.items()}
    pick._part_names(scored, chosen)
    assert chosen["seller_name"][0].value == "Orange Demo Inc."
    assert chosen["buyer_name"][0].value == "Bayside Wholesale"


def _sender_candidates(make_pdf, items):
    from backoffice.documents.invoice import Reader

    reader = Reader(read_words(make_pdf(items), ocr=False))
    return [(c.field, c.value) for c in letterhead.from_sender_line(reader.lines, reader.hits, reader.height)]


def test_a_sender_line_over_the_address_gives_both_parties(make_pdf):
    found = _sender_candidates(
        make_pdf,
        [
            (20, 45, "Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld", 7),
            (20, 52, "Papierflieger-Vertriebs-GmbH"),
            (20, 57, "Rabattstr. 25"),
            (20, 62, "34567 Osterhausen"),
        ],
    )
    assert found == [("seller_name", "Kraxi GmbH"), ("buyer_name", "Papierflieger-Vertriebs-GmbH")]


def test_a_salutation_or_a_department_over_the_address_is_no_name(make_pdf):
    for first in ("Exmo.(s) Sr.(s)", "Accounts Payable", "Herrn"):
        found = _sender_candidates(
            make_pdf,
            [
                (20, 45, "Kestrel Print Ltd · Unit 4, Canal Wharf · Leeds LS11 5PS", 7),
                (20, 52, first),
                (20, 57, "Harrogate Spa Hotels Ltd"),
                (20, 62, "17 Swan Road"),
                (20, 67, "Harrogate HG1 2SA"),
            ],
        )
        assert found == [("seller_name", "Kestrel Print Ltd"), ("buyer_name", "Harrogate Spa Hotels Ltd")], first
    for salutation in ("Exmo.(s) Sr.(s)", "Messrs.", "Spett.le", "Firma"):
        assert not letterhead.plausible_name(salutation), salutation
    assert letterhead.plausible_name("Firma Keller GmbH") and letterhead.plausible_name("Mr. John Smith")


def test_an_address_line_inside_a_block_is_no_sender_line(make_pdf):
    found = _sender_candidates(
        make_pdf,
        [
            (20, 45, "ALD AUTOMOTIVE PVT LTD"),
            (20, 50, "Workafella Business Centre 150/1, Infantry Road,"),
            (20, 55, "Opp. Commissioner Office, Vasanth Nagar, Bangalore 560001"),
            (20, 60, "BENGALURU NORTH, BENGALURU"),
        ],
    )
    assert found == []


def test_a_party_label_names_the_buyer():
    from backoffice.documents.labels import match

    assert ("buyer_name", True) in (match("Party") or ())
    assert ("buyer_name", True) in (match("Party Name:") or ())


# An Argentine invoice as its layout prints it: the seller's registered name under its brand, the
# buyer's beside its tax id under "DATOS DEL RECEPTOR", the due date under its six-word label.
AFIP = """\
                                         ORIGINAL
      Ferretería Río Negro                       FACTURA
                                                 Punto de Venta: 0002 Comp. Nro: 00001234
  Razón Social: Ferretería Río Negro S.R.L.      Fecha de Emisión: 14/03/2025
  Domicilio Comercial: Av. Belgrano 820, CABA    CUIT: 30-71234567-1
  Período Facturado Desde: Hasta:                Fecha de Vto. para el pago:
  01/03/2025               31/03/2025            13/04/2025
  DATOS DEL RECEPTOR
  CUIT: 30-71234572-8                  Razón Social: Molinos del Plata S.A.
  Condición IVA: IVA Responsable Inscripto
   Producto / Servicio      Cantidad   Precio Unit.    Subtotal
   Tornillos                    10,00     $100,00     $1.000,00
                                       Importe Neto Gravado: $1.000,00
                                                  IVA 21%:   $210,00
                                            Importe Total: $1.210,00
"""


def test_registered_name_captions_name_both_parties_of_an_argentine_invoice():
    from backoffice.documents.invoice import read_invoice
    from backoffice.documents.textgrid import text_to_words

    fields = read_invoice(text_to_words(AFIP, "afip.txt")).fields
    got = {name: field.value for name, field in fields.items()}
    assert got["seller_name"] == "Ferretería Río Negro S.R.L."
    assert got["buyer_name"] == "Molinos del Plata S.A."
    assert (got["invoice_number"], got["issue_date"], got["due_date"]) == ("00001234", "2025-03-14", "2025-04-13")
    assert (got["seller_vat_id"], got["currency"], got["grand_total"]) == ("30-71234567-1", "ARS", "1210.00")


def test_only_a_registered_name_caption_proposes_either_party():
    assert labels.is_registered_name("Razón Social:")
    assert labels.is_registered_name("Raison sociale")
    assert not labels.is_registered_name("Name:")  # a payee's or an account holder's too


def test_a_sender_line_under_a_logo_mark_and_wrapped_over_two_lines_still_names_the_buyer(make_pdf):
    found = _sender_candidates(
        make_pdf,
        [
            (20, 38, "*", 10),
            (20, 45, "Green Valley Farms Inc. · Rua das Flores 101 · 01310-100 São", 7),
            (20, 48, "Paulo", 7),
            (20, 55, "Oficina Sol Nascente ME"),
            (20, 60, "Industriestraße 7"),
            (20, 65, "62704 Springfield"),
        ],
    )
    assert found == [("seller_name", "Green Valley Farms Inc."), ("buyer_name", "Oficina Sol Nascente ME")]


# A Swiss letter: the sender line names a person, the window address the buyer, the seller signs
# at the foot; the buyer is printed larger than anything else at the top.
LETTER = """\
  *                                                 info@lindenhof.example
  Mara Sommer · Bahnhofstrasse 4 · 8001 Zürich · Schweiz

  Seeblick Hotels AG                                Datum            03.02.2025
  Quaistrasse 9
  6003 Luzern                                       Rechnungsnummer  RE-25031
  Schweiz

  Rechnung

  Sehr geehrte Damen und Herren, gerne stellen wir Ihnen folgende Leistungen in Rechnung:

  Pos  Menge  Einheit  Bezeichnung        Einzelpreis    Gesamtpreis
  1    4.00   Stunden  Beratung           180.00 CHF     720.00 CHF
                                   Nettopreis             720.00 CHF
                                   Rechnungsbetrag        720.00 CHF

  Mit freundlichen Grüssen
  Mara Sommer
  LINDENHOF BERATUNG GMBH

  Lindenhof Beratung GmbH | Bahnhofstrasse 4, 8001 Zürich | IBAN CH93 0076 2011 6238 5295 7
"""


def test_the_address_a_sender_line_writes_to_is_the_buyer_and_never_the_seller():
    from backoffice.documents.invoice import read_invoice
    from backoffice.documents.textgrid import text_to_words

    fields = read_invoice(text_to_words(LETTER, "letter.txt")).fields
    assert fields["buyer_name"].value == "Seeblick Hotels AG"
    assert fields["seller_name"].value != "Seeblick Hotels AG"
    assert fields["invoice_number"].value == "RE-25031"


def test_a_sentence_is_no_name():
    assert letterhead.sentence("Please transfer the total due within 10 days to the account shown below.")
    assert letterhead.sentence("Thank you for the engagement. As agreed, we are invoicing the following services:")
    assert not letterhead.sentence("Companhia de Saneamento Basico do Estado de Sao Paulo")
    # eight words or more, most in lower case, need no full stop to be a sentence
    assert letterhead.sentence("Iscritto all'ordine degli ingegneri della provincia di Bologna al n. 7741/A")
    assert not letterhead.sentence("Società Cooperativa Agricola della Valle del Po")
    assert not letterhead.plausible_name("Please transfer the total due within 10 days to the account shown below.")


def test_a_label_set_flush_against_the_word_before_it_is_parted_from_it():
    from backoffice.documents.words import Word

    def parted(text: str) -> list[str]:
        return [w.text for w in labels.unglued([Word(text, 0, 0, 100, 10, 1, 10)])]

    assert parted("LLCName:") == ["LLC", "Name:"]  # a name run into the next column's label
    assert parted("rateTax") == ["rate", "Tax"]  # two table heads that touch
    for name in ("PayPal", "iPhone", "GmbH", "BlackRock", "McDonald", "LinkedIn", "INVOICE"):
        assert parted(name) == [name]
    left, right = labels.unglued([Word("LLCName:", 10, 0, 90, 10, 1, 10)])
    assert (left.x0, left.x1, right.x0, right.x1) == (10, 40, 40, 90)  # the box shared by the letters' share


def test_a_name_run_into_the_next_columns_label_ends_before_it(make_pdf):
    from backoffice.documents.invoice import Reader

    reader = Reader(
        read_words(
            make_pdf(
                [
                    (20, 20, "Service Provider", 10, "B"),
                    (90, 20, "Client", 10, "B"),
                    (20, 27, "Name:"),
                    (45, 27, "Blue Harbor Consulting LLCName: Kovarna Praha s.r.o."),
                ]
            ),
            ocr=False,
        )
    )
    guess = letterhead.seller_from_letterhead(reader.lines, reader.hits, reader.height, set())
    assert guess is not None and guess.value == "Blue Harbor Consulting LLC"


def test_the_cell_under_a_name_caption_is_read_whatever_word_opens_it(make_pdf, monkeypatch):
    fields = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "DANFE 000.000.002", 14, "B"),
            (20, 40, "DESTINATARIO / REMETENTE", 7),
            (20, 45, "NOME / RAZAO SOCIAL", 6),
            (120, 45, "CNPJ / CPF", 6),
            (20, 48, "NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL", 8),
            (120, 48, "765.865.078-12", 8),
            (20, 90, "Valor total: 100,00", 9),
        ],
    )
    assert fields["buyer_name"].value == ("NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL")


def test_the_company_under_a_person_heading_the_buyers_block_is_the_buyer():
    from backoffice.documents.invoice import read_invoice
    from backoffice.documents.textgrid import text_to_words

    page = """\
  Brightline Analytics GmbH                            INVOICE
  Hauptstrasse 5, 10115 Berlin                         Ref no: #INV-2024-0042
                                                       Date: 14/03/2024
  Bill To
  {person}
  {company}
  1234 Main Street, New York, NY 10001
  Item                         Qty  Price     Total
  Cloud server                 1    400,00 €  400,00 €
                                     Grand Total  400,00 €
"""
    fields = read_invoice(
        text_to_words(page.format(person="Maria Rossi", company="Fabbrica Alpina S.p.A."), "t")
    ).fields
    assert fields["buyer_name"].value == "Fabbrica Alpina S.p.A."
    assert fields["invoice_number"].value == "INV-2024-0042"
    alone = read_invoice(text_to_words(page.format(person="Maria Rossi", company="Via Roma 4"), "t")).fields
    assert alone["buyer_name"].value == "Maria Rossi"


def test_two_party_headings_set_too_close_are_both_read_and_a_name_after_a_heading_is_no_heading(make_pdf):
    from backoffice.documents.labels import hits_of

    def heads(text: str) -> list[tuple]:
        (line,) = lines_of(read_words(make_pdf([(20, 20, text)]), ocr=False).pages[0])
        return [h.fields for h in hits_of(line)]

    assert heads("Service Provider Client") == [(("seller_name", True),), (("buyer_name", True),)]
    assert heads("Lieferant GmbH") == []  # a name, not a heading and its value


def test_a_qr_bills_creditor_under_its_account_and_its_debtor_are_read(make_pdf, monkeypatch):
    """A Swiss QR bill's payment part: "Konto / Zahlbar an" over the IBAN, then the creditor;
    "Zahlbar durch" over the debtor. The letter above it is signed by a person."""
    fields = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "Anna Keller · Bahnhofstrasse 14 · 6003 Luzern", 7),
            (20, 30, "Nordwind Logistik GmbH"),
            (20, 35, "Seestrasse 11"),
            (20, 40, "4051 Basel"),
            (120, 30, "Rechnungsnummer RE-24279"),
            (20, 90, "Total 927.50 CHF"),
            (20, 200, "Zahlteil", 11, "B"),
            (70, 200, "Konto / Zahlbar an", 6, "B"),
            (70, 204, "CH86 6782 1324 8022 9358 4", 8),
            (70, 208, "Papelaria Central Ltda", 8),
            (70, 212, "Bahnhofstrasse 14", 8),
            (70, 216, "CH-6003 Luzern", 8),
            (70, 226, "Zahlbar durch", 6, "B"),
            (70, 230, "Nordwind Logistik GmbH", 8),
            (70, 234, "Seestrasse 11", 8),
        ],
    )
    assert fields["seller_name"].value == "Papelaria Central Ltda"
    assert fields["buyer_name"].value == "Nordwind Logistik GmbH"


def test_a_party_heading_that_opens_a_line_owns_the_tax_id_on_it():
    """A form's rows ``PRESTADOR / FORNECEDOR  <CNPJ>`` and ``TOMADOR / ADQUIRENTE  <CNPJ>``: the
    id on the buyer's row is the buyer's, whatever heads its column."""
    reader = _page_reader(
        [
            (200, 100, "CNPJ / CPF / NIF"),
            (20, 110, "PRESTADOR / FORNECEDOR"),
            (200, 110, "11.222.333/0001-81"),
            (200, 150, "CNPJ / CPF / NIF"),
            (20, 160, "TOMADOR / ADQUIRENTE"),
            (200, 160, "96.572.806/0001-23"),
        ]
    )
    ids = {w.text: w for line in reader.lines for w in line.words if "/000" in w.text}
    assert reader.party_above(ids["11.222.333/0001-81"]) == -1
    assert reader.party_above(ids["96.572.806/0001-23"]) == 1


def test_the_buyers_tax_id_in_a_window_block_and_the_prefixed_form_of_the_sellers(make_pdf, monkeypatch):
    """The NIF printed in the address block under a sender line is the buyer's; the seller's
    number printed twice, national and with its country prefix, is given as the prefixed VAT id."""
    window = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "Transportes Rodrigues & Filhos, S.A.", 12, "B"),
            (130, 30, "Contribuinte n.º 532 608 623", 8),
            (110, 45, "Transportes Rodrigues · Z.I. Taboeira, Lote 22 · 3800-055 Aveiro", 6),
            (110, 52, "Cerâmica Atlântico, Lda"),
            (110, 57, "Rua da Fábrica 301"),
            (110, 62, "3810-198 Aveiro"),
            (110, 70, "NIF 597 941 521"),
            (20, 90, "Fatura FT 24/0877"),
        ],
    )
    assert window["seller_vat_id"].value == "532608623"
    finnish = _by_labels(
        make_pdf,
        monkeypatch,
        [
            (20, 20, "Pohjolan Puutyö Oy", 12, "B"),
            (20, 30, "Lasku 2024-118"),
            (20, 270, "Y-tunnus 1439865-4", 7),
            (20, 274, "ALV-rek. FI14398654", 7),
        ],
    )
    assert finnish["seller_vat_id"].value == "FI14398654"


def test_to_in_a_payment_advice_names_the_payee_who_is_the_seller(make_pdf):
    from backoffice.documents.invoice import Reader

    reader = Reader(
        read_words(
            make_pdf(
                [
                    (20, 20, "TAX INVOICE", 14, "B"),
                    (20, 30, "Kirrawee Outdoor Living Pty Ltd"),
                    (20, 200, "PAYMENT ADVICE", 10, "B"),
                    (20, 208, "To: Banksia Landscape Supplies Pty Ltd"),
                    (20, 213, "14 Production Road"),
                ]
            )
        )
    )
    found = reader.label_candidates(skip=set())
    assert [c.value for c in found["seller_name"]] == ["Banksia Landscape Supplies Pty Ltd"]
    assert found["buyer_name"] == []


def _block_heads(page: str) -> list[str]:
    """The names heading address blocks on a page of text (:func:`letterhead.address_blocks`)."""
    from backoffice.documents.labels import hits_of
    from backoffice.documents.textgrid import text_to_words

    lines = lines_of(text_to_words(page, "page.txt").pages[0])
    return [p.text for p in letterhead.address_blocks(lines, {line.index: hits_of(line) for line in lines}, 842.0)]


def test_a_tables_header_heads_no_address_block():
    """ "Descrição  Qtd. Un.  Preço unit.  IVA  Valor" over the item lines is no party's name."""
    page = (
        "Costa & Filhos, Lda                    Exmo.(s) Sr.(s)\n"
        "Rua do Almada, 210                     Hotel Ribeira Dourada, S.A.\n"
        "4050-032 Porto                         Cais da Ribeira, 44\n"
        "                                       4050-510 Porto\n\n"
        "Descrição        Qtd. Un.      Preço unit.     IVA     Valor\n"
        "Lençol percal    120 un        18,40           23%     2 208,00\n"
        "Fronha 50 x 80   240 un        4,75            23%     1 140,00\n"
    )
    names = _block_heads(page)
    assert "Qtd. Un." not in names and "Descrição" not in names
    assert "Costa & Filhos, Lda" in names and "Hotel Ribeira Dourada, S.A." in names


def test_a_swedish_housing_association_is_a_company():
    from backoffice.documents import letterhead

    assert letterhead.LEGAL.search("Brf Kastanjen i Uddevalla")


def test_the_vat_id_in_the_buyers_block_is_not_the_sellers():
    """Seller's block left, buyer's right (no heading over it), the buyer's BTW number printed a
    line higher than the seller's: the seller's VAT id is the one of its own block."""
    from backoffice.documents.invoice import read_invoice
    from backoffice.documents.textgrid import text_to_words

    page = (
        "Vandenberghe Drukwerk BV\n"
        "Kortrijksesteenweg 112                          Brouwerij De Klaproos BV\n"
        "9000 Gent                                       Stationsstraat 8\n"
        "Tel. 09 223 45 67                               8970 Poperinge\n"
        "facturatie@vandenberghe-drukwerk.be             BTW BE 0712.448.196\n"
        "BTW BE 0463.630.108\n"
        "RPR Gent\n\n"
        "FACTUUR\n"
        "Factuurnummer     Factuurdatum     Vervaldatum\n"
        "2024-1187         12/03/2024       11/04/2024\n\n"
        "Drukwerk etiketten     2.713,20\n\n"
        "               Totaal excl. btw      € 2.713,20\n"
        "               Btw 21 %              € 569,77\n"
        "               Te betalen            € 3.282,97\n"
    )
    fields = read_invoice(text_to_words(page, "nl.txt")).fields
    assert fields["buyer_name"].value == "Brouwerij De Klaproos BV"
    assert fields["seller_vat_id"].value == "BE0463.630.108"


def test_the_contacts_beside_reference_labels_head_no_address_block():
    """ "Deres ref.  Kjetil Solberg" / "Vår ref.  Ingrid Haugen" on the left, the buyer's block on
    the right: the persons are a label's values (contacts), no party's name."""
    page = (
        "FJORDBYGG AS                                   Faktura\n\n"
        "Deres ref.     Kjetil Solberg                  Solberg Tømrer og Snekker AS\n"
        "Vår ref.       Ingrid Haugen                   Postboks 214\n"
        "               Storgata 1                      3701 Skien\n"
        "               3700 Skien\n"
    )
    names = _block_heads(page)
    assert "Solberg Tømrer og Snekker AS" in names
    assert "Kjetil Solberg" not in names and "Ingrid Haugen" not in names


def test_a_block_with_a_department_line_and_a_spaced_postcode_has_an_address():
    """ "Accounts Payable" under the company is a line of its block; the postcode set apart at the
    block's foot still makes it an address."""
    page = (
        "Stourbridge Engineering Services Ltd\n"
        "Accounts Payable\n"
        "Lye Valley Works, Stambermill\n"
        "Stourbridge\n\n"
        "DY9 7AD\n"
    )
    names = _block_heads(page)
    assert "Stourbridge Engineering Services Ltd" in names


def test_an_irish_county_is_no_company_and_more_legal_forms_are():
    assert not letterhead.LEGAL.search("Bray, Co. Wicklow")
    assert letterhead.LEGAL.search("Smith & Co.") and letterhead.LEGAL.search("Foo Trading Co., Ltd.")
    assert letterhead.LEGAL.search("Eetcafé De Gouden Leeuw V.O.F.")
    assert letterhead.LEGAL.search("EARL des Trois Chênes")
    assert letterhead.LEGAL.search("Atelier Léman Sàrl") and letterhead.LEGAL.search("Luxtech Solutions S.à r.l.")


def test_a_centred_letterhead_with_its_address_under_it_names_the_seller(make_pdf):
    """A sole trader's name centred at the top, the trade and the sender line centred under it,
    and the addressee's block (with a legal form) on the left below: the seller is the centred name."""
    from fpdf import FPDF

    measure = FPDF(unit="mm")

    def centred(top, text, size, style=""):
        measure.set_font("Helvetica", style, size)
        return (105 - (measure.get_string_width(text) + 1) / 2, top, text, size, style)

    path = make_pdf(
        [
            centred(15, "Ciarán Doyle", 14, "B"),
            centred(22, "Painting & Decorating", 10),
            centred(28, "14 Main Street · Bray, Co. Wicklow A98 X2F4 · VAT No. IE 7599418DA", 9),
            (20, 55, "Ardmore Dental Practice Ltd", 11),
            (20, 60, "2 Quinsboro Road", 11),
            (20, 65, "Bray, Co. Wicklow", 11),
        ]
    )
    text = read_words(path)
    lines = lines_of(text.pages[0])
    from backoffice.documents.labels import hits_of

    found = letterhead.seller_from_letterhead(lines, {line.index: hits_of(line) for line in lines}, 842.0, set())
    assert found is not None and found.value == "Ciarán Doyle"


def test_a_name_that_ends_with_a_small_number_heads_its_block():
    page = (
        "Norrsken Ventilation AB                Bostadsrättsföreningen Kastanjen 4\n"
        "Storgatan 12                           c/o Riksbyggen\n"
        "903 26 Umeå                            Box 7024\n"
        "                                       907 02 Umeå\n"
    )
    names = _block_heads(page)
    assert "Bostadsrättsföreningen Kastanjen 4" in names and "Norrsken Ventilation AB" in names
    assert "Box 7024" not in names and "Storgatan 12" not in names


def test_the_name_under_a_buyers_heading_is_no_letterhead(make_pdf):
    """A freelancer's name top right, the client's company (with its legal form and address) under
    "CLIENTE" on the left: the letterhead's guess is the freelancer."""
    from backoffice.documents.invoice import Reader, gather
    from backoffice.documents.line_items import read_lines

    path = make_pdf(
        [
            (20, 15, "FACTURA", 16, "B"),
            (150, 15, "Lucía Fernández Ortega", 12, "B"),
            (150, 21, "NIF: 48312765T", 9),
            (20, 50, "CLIENTE", 8, "B"),
            (20, 55, "Cerámicas del Turia S.L.", 11),
            (20, 60, "Calle Ciudad de Sevilla, 23", 11),
            (20, 65, "46988 Paterna (Valencia)", 11),
        ]
    )
    reader = Reader(read_words(path))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    found = gather(reader, items, headers, every=True)
    assert [c.value for c in found["seller_name"] if c.method == "letterhead"] == ["Lucía Fernández Ortega"]


def test_a_banks_name_over_its_account_and_a_title_in_another_language_are_no_seller(make_pdf):
    from backoffice.documents import extract

    path = make_pdf(
        [
            (15, 15, "KOODIKODA", 16, "B"),
            (160, 15, "ARVE", 18, "B"),
            (15, 24, "Koodikoda OU"),
            (15, 29, "Telliskivi 60a/3, 10412 Tallinn"),
            (110, 30, "Arve nr:"),
            (160, 30, "1187"),
            (110, 36, "Kuupaev:"),
            (160, 36, "30.09.2025"),
            (15, 50, "Klient"),
            (15, 55, "Laaneranna Jahisadam OU"),
            (15, 60, "Sadama 4, 88301 Lihula"),
            (15, 80, "Tarkvaraarendus, september 2025"),
            (160, 80, "1 000,00"),
            (110, 95, "Kokku:"),
            (160, 95, "1 240,00 EUR"),
            (15, 270, "Koodikoda OU"),
            (80, 270, "Reg. kood 16550211"),
            (140, 270, "Swedbank AS"),
            (140, 275, "IBAN EE35 2200 2210 6745 3318"),
        ]
    )
    fields = extract(path, kind="invoice").fields
    assert fields["seller_name"].value.lower().startswith("koodikoda")
    assert labels.match("Bankas:") == ()  # the seller's bank, in Lithuanian


def test_the_party_above_a_line_in_someones_care_is_the_buyer_though_it_shows_no_legal_form(make_pdf):
    from backoffice.documents import extract

    path = make_pdf(
        [
            (15, 15, "Tømrerfirma Jensen & Holm ApS", 12, "B"),
            (170, 15, "FAKTURA", 14, "B"),
            (15, 21, "Værkstedsvej 12 · 8260 Viby J"),
            (15, 45, "Andelsboligforeningen Solbakken"),
            (15, 50, "c/o Administrator Nørgaard & Co."),
            (15, 55, "Frederiks Allé 88"),
            (15, 60, "8000 Aarhus C"),
            (110, 45, "Fakturanr."),
            (160, 45, "1147"),
            (110, 50, "Fakturadato"),
            (160, 50, "08-04-2024"),
            (110, 55, "Rekvisition"),
            (160, 55, "2024-17"),
            (15, 80, "Udskiftning af vinduesbundstykker"),
            (160, 80, "49.866,00"),
            (110, 95, "I alt inkl. moms"),
            (160, 95, "62.332,50 DKK"),
        ]
    )
    fields = extract(path, kind="invoice").fields
    assert fields["buyer_name"].value == "Andelsboligforeningen Solbakken"
    assert fields["order_reference"].value == "2024-17"


def test_the_buyers_tax_id_beside_its_company_number_and_after_your_uid_is_not_the_sellers(make_pdf):
    from backoffice.documents import extract

    path = make_pdf(
        [
            (15, 15, "Faktura - danovy doklad", 14, "B"),
            (150, 15, "c. 250100123"),
            (15, 25, "Dodavatel"),
            (110, 25, "Odberatel"),
            (15, 30, "Kancelarske potreby Vltava s.r.o."),
            (110, 30, "Krajska sprava silnic Vysociny"),
            (15, 35, "Na Florenci 2116/15"),
            (110, 35, "Kosovska 1122/16"),
            (15, 40, "110 00 Praha 1"),
            (110, 40, "586 01 Jihlava"),
            (15, 45, "ICO: 27481930"),
            (110, 45, "ICO: 00090450"),
            (138, 45, "DIC: CZ00090450"),
            (15, 50, "DIC: CZ27481930"),
            (15, 60, "Datum vystaveni:"),
            (60, 60, "03.02.2025"),
            (15, 80, "Papir kancelarsky A4"),
            (160, 80, "1 120,00"),
            (110, 95, "Celkem k uhrade:"),
            (160, 95, "1 355,20 Kc"),
        ]
    )
    assert extract(path, kind="invoice").fields["seller_vat_id"].value == "CZ27481930"
    assert labels.match("Име:") == ()  # a party's name caption, in Bulgarian


def test_your_uid_names_the_buyers_vat_id():
    from backoffice.documents.invoice import _BUYERS_VAT

    for label in ("Ihre UID:", "Your VAT No.", "Votre n° TVA", "Uw btw-nummer"):
        assert _BUYERS_VAT.search(labels.clean(label)), label


def test_a_name_ending_in_a_lower_case_legal_form_is_no_sentence_and_a_copys_mark_is_no_name():
    assert letterhead.plausible_name("Wiśniewski i Wspólnicy Sp. z o.o.")
    assert not letterhead.plausible_name("Please pay the amount due to the account below.")
    for mark in ("Oryginał / Original", "COPY", "ОРИГИНАЛ"):
        assert not letterhead.plausible_name(mark), mark
    assert letterhead.plausible_name("Original Bakery Ltd")


def test_romanian_series_and_number_term_and_client_order():
    assert ("invoice_number", True) in (labels.match("Seria/Nr.:") or ())
    assert ("due_date", True) in (labels.match("Termen:") or ())
    assert ("order_reference", True) in (labels.match("Comanda client nr.") or ())
