"""Which language a page is written in, from words a first OCR pass read, as tesseract names it.

Only the languages the invoice reader knows are told apart (:data:`WORDS`); each is recognised by
the words invoices print in it. A word several languages share counts for each of them, divided
by how many share it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# tesseract's language code -> frequent words of invoices in that language (lower case, no accents
# needed: OCR in English drops them, so both spellings are listed where it matters).
WORDS: dict[str, str] = {
    "eng": "invoice total date due amount tax payment bill number please thank you your the and of for to "
    "subtotal balance customer description quantity price paid terms order",
    "deu": "rechnung rechnungsnummer rechnungsdatum datum betrag summe gesamtbetrag zahlbar bitte netto brutto "
    "mwst ust umsatzsteuer menge preis einzelpreis kunde kundennummer lieferdatum und der die das fur für",
    "fra": "facture date montant total ht ttc tva paiement echeance échéance client quantite quantité prix "
    "unitaire numero numéro de la le les et pour reglement règlement",
    "nld": "factuur factuurnummer factuurdatum datum bedrag totaal btw betaling vervaldatum klant aantal prijs "
    "omschrijving van het en de voor",
    "spa": "factura fecha importe total iva pago vencimiento cliente cantidad precio descripcion descripción "
    "numero número de la el y para base imponible",
    "ita": "fattura data importo totale iva pagamento scadenza cliente quantita quantità prezzo descrizione "
    "numero di il la e per imponibile",
    "por": "fatura nota fiscal data valor total iva pagamento vencimento cliente quantidade preco preço "
    "descricao descrição numero número de da do e para emissao emissão",
    "pol": "faktura data wystawienia sprzedawca nabywca razem netto brutto vat zaplaty zapłaty termin ilosc "
    "ilość cena nazwa i do",
    "ces": "faktura datum vystaveni vystavení dodavatel odberatel odběratel celkem dph splatnosti mnozstvi "
    "množství cena cislo číslo a do",
    "swe": "faktura fakturanummer fakturadatum forfallodatum förfallodatum moms summa att betala antal pris "
    "och for för",
    "dan": "faktura fakturanummer fakturadato forfaldsdato moms i alt belob beløb antal pris og til",
    "nor": "faktura fakturanummer fakturadato forfallsdato forfallsdato mva sum belop beløp antall pris og til",
    "fin": "lasku laskun numero paivamaara päivämäärä erapaiva eräpäivä alv yhteensa yhteensä maara määrä hinta ja",
}
_TOKEN = re.compile(r"[^\W\d_]+")
_SHARE = Counter(word for words in WORDS.values() for word in set(words.split()))
_WEIGHTS = {language: {word: 1 / _SHARE[word] for word in words.split()} for language, words in WORDS.items()}
MIN_EVIDENCE = 2.0  # words' worth of evidence before a language is named


def guess(texts: Iterable[str]) -> str | None:
    """The tesseract code of the language ``texts`` are in, or None when they say too little."""
    votes: dict[str, float] = {}
    for text in texts:
        for token in _TOKEN.findall(text.lower()):
            for language, weights in _WEIGHTS.items():
                votes[language] = votes.get(language, 0.0) + weights.get(token, 0.0)
    if not votes:
        return None
    language, score = max(votes.items(), key=lambda vote: vote[1])
    return language if score >= MIN_EVIDENCE else None
