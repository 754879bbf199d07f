"""Choose each field's value from the ranked candidates, and give it a calibrated confidence.

Totals are chosen together: among the best few of each, three that add up (net + tax = total)
win; whether they did is part of the calibration key (``|sum``, ``|alone``, or ``|doubt`` when a
net and a grand total disagree, never above 0.5), since added-up totals are right far more often.
When they do not add up, a net and a tax amount that is the rate its label prints of that net
(``Net 8,757.80``, ``VAT 5% 437.89``) are given together, however low the ranker scored them:
the grand total may be the one misprinted. The seller and the buyer are never the same phrase.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from decimal import Decimal

from backoffice.documents import address, letterhead, names
from backoffice.documents.candidates import LABELLED_BY, TOTALS, Candidate, best, pick_totals, rated_pair
from backoffice.documents.letterhead import LEGAL, plausible_name
from backoffice.documents.models import Field
from backoffice.documents.ranker.features import FIELDS, RULED
from backoffice.documents.ranker.model import Model

# How a chosen value is described in its Field (models.Field.method).
_METHODS = {"shape": "pattern", "letterhead": "pattern", "address": "pattern", "whole": "pattern"}
# Below this the best candidate is no value at all: a field the page does not print. Fields many
# invoices lack need the ranker to lean towards their presence.
MIN_SCORE = 0.1
MIN_SCORE_OPTIONAL = 0.5
MIN_SCORE_NAME = 0.0  # every invoice names both parties: the likeliest phrase is given, however unsure
MIN_SCORE_ISSUE_DATE = 0.0  # and every invoice is dated: the likeliest date is given, however unsure
MIN_SUM_SCORE = 0.05  # a total this unlikely does not take part in net + tax = total
MIN_SCORE_TOTAL = 0.02  # a total printed but not adding up is still given (with a warning, never sure)
OPTIONAL = frozenset({"order_reference", "due_date", "amount_due", "seller_vat_id", "iban"})
# The most a value with weak evidence is worth (:func:`weak`: a date or a name chosen by its place
# alone, totals that did not add up, two values about as likely) when the model does not say
# (a model file without ``weak_ceiling``); a trained model gives the share of such values that
# were right out of fold on the corpus's documents (the lower end of its 95% interval).
WEAK_CONFIDENCE = 0.85
TIE = 0.9  # a rival scored this share of the chosen value's score or more
SAME_PLACE = 0.01  # one value printed in several places scored this close: the first place is given
DUE_AS_TOTAL = 0.5  # a labelled amount due this likely stands for a grand total no label names
LABELLED_DUE = 0.2  # a labelled amount due this likely is given over an unlabelled total deemed due


def score(model: Model, table: dict[str, tuple[list[Candidate], list[list[float]]]]) -> dict[str, list[Candidate]]:
    """Every candidate with the ranker's score for its field; the fields the label logic reads
    by their unmistakable shape (:data:`~backoffice.documents.ranker.features.RULED`) keep its score."""
    scored = {}
    for name, (candidates, rows) in table.items():
        if name in RULED:
            scored[name] = [c for c in candidates if c.method != "shape"]
            continue
        probabilities = model.probability(name, rows) or []
        scored[name] = [replace(c, score=p) for c, p in zip(candidates, probabilities, strict=True)]
    return scored


def choose(
    scored: dict[str, list[Candidate]], domains: frozenset[str] = frozenset()
) -> dict[str, tuple[Candidate, str]]:
    """Field -> (chosen candidate, calibration key); ``domains``: the web and mail domains printed
    (:func:`~backoffice.documents.names.domains`)."""
    _due_as_total(scored)
    picked, added_up = pick_totals(scored, least=MIN_SUM_SCORE)
    rated: set[str] = set()  # net and tax that agree with the tax's printed rate
    if not added_up and (pair := rated_pair(scored, least=MIN_SUM_SCORE)):
        picked["net_total"], picked["tax_total"] = pair
        rated = {"net_total", "tax_total"}
    doubt = not added_up and "net_total" in picked and "grand_total" in picked
    state = "sum" if added_up else "doubt" if doubt else "alone"
    chosen = {name: (c, f"{name}|{state}") for name, c in picked.items()}
    for name in FIELDS:
        if name in TOTALS or not scored.get(name):
            continue
        ranked = best(scored[name], latest=name == "amount_due")
        if name == "order_reference" and "invoice_number" in chosen:
            # the invoice's own number as the payment's "Reference": no order of the buyer's
            own = _compact(chosen["invoice_number"][0].value)
            ranked = [c for c in ranked if _compact(c.value) != own]
            if not ranked:
                continue
        ranked = _labelled_first(name, ranked)
        top = _first_printed(ranked, latest=name == "amount_due")
        key = name
        if name == "amount_due":
            agrees = "grand_total" in chosen and chosen["grand_total"][0].value == top.value
            key = f"{name}|{'sum' if agrees else 'alone'}"
        chosen[name] = (top, key)
    if "invoice_number" in chosen:
        whole = _with_point_of_sale(scored["invoice_number"], chosen["invoice_number"][0])
        if whole is not None:
            chosen["invoice_number"] = (
                replace(whole, score=chosen["invoice_number"][0].score),
                chosen["invoice_number"][1],
            )
    if "buyer_name" in chosen:
        company = _company_over(scored["buyer_name"], chosen["buyer_name"][0], domains)
        if company is not None:
            chosen["buyer_name"] = (replace(company, score=chosen["buyer_name"][0].score), chosen["buyer_name"][1])
    if "seller_name" in chosen and "buyer_name" in chosen:
        _part_names(scored, chosen)
    for name, other in (("seller_name", "buyer_name"), ("buyer_name", "seller_name")):
        if name not in chosen:
            continue
        fuller = _fuller(scored[name], chosen[name][0])
        if fuller is not None and not (other in chosen and same_party(fuller.value, chosen[other][0].value)):
            chosen[name] = (replace(fuller, score=chosen[name][0].score), chosen[name][1])
    return {
        name: pick for name, pick in chosen.items() if name in rated or pick[0].score >= _least(name, state, pick[0])
    }


def _compact(value: str) -> str:
    return re.sub(r"[\s\-/.]", "", value).upper()


def _due_as_total(scored: dict[str, list[Candidate]]) -> None:
    """A bill that prints its amount due under a label ("Amount due now $103.78") and no label
    of a grand total: the amount due (unless nothing is left to pay) is a candidate grand total
    too, as likely as it is an amount due. Proposed as ``computed``, so that no label vouches for
    it (:func:`weak`)."""
    grand = scored.get("grand_total", [])
    if not grand or any(c.method in LABELLED_BY for c in grand):
        return
    due = best([c for c in scored.get("amount_due", []) if c.method in LABELLED_BY])
    if due and due[0].score >= DUE_AS_TOTAL and Decimal(due[0].value) != 0:  # "Balance due 0.00": paid, no total
        scored["grand_total"] = [*grand, replace(due[0], field="grand_total", method="computed")]


def _labelled_first(name: str, ranked: list[Candidate]) -> list[Candidate]:
    """``ranked`` with its best labelled value first, where the best value of a field many invoices
    lack is one no label names and too unlikely to be given (:func:`_least`), while a labelled
    value is likely enough: a label printed beside a value outweighs an unlabelled guess the page
    may not mean at all."""
    if name not in OPTIONAL or not ranked or ranked[0].method in LABELLED_BY:
        return ranked
    if ranked[0].score < MIN_SCORE_OPTIONAL:
        least = MIN_SCORE
    elif name == "amount_due":
        # an amount the page calls due outweighs an unlabelled total the model deems due
        # ("Totals 793.30" over "Balance due €593.30" after a deposit)
        least = LABELLED_DUE
    else:
        return ranked
    labelled = [c for c in ranked if c.method in LABELLED_BY and c.score >= least]
    return [labelled[0], *(c for c in ranked if c is not labelled[0])] if labelled else ranked


def _first_printed(ranked: list[Candidate], latest: bool = False) -> Candidate:
    """The best value where it is first (or, with ``latest``, last) printed among the places scored
    about as high (a seller's name in the letterhead and again in the footer), with the best score."""
    top = ranked[0]
    same = [c for c in ranked if c.value.lower() == top.value.lower() and c.score >= top.score - SAME_PLACE]
    where = max(same, key=lambda c: c.where) if latest else min(same, key=lambda c: c.where)
    return top if where is top else replace(where, score=top.score)


def _least(name: str, state: str, candidate: Candidate) -> float:
    """The score a value needs to be given at all: totals that add up need none; a field many
    invoices lack needs more, unless a printed label names the value, and so does an invoice
    number found by its shape alone (a postcode is shaped like one)."""
    if name in TOTALS:
        return 0.0 if state == "sum" else MIN_SCORE_TOTAL
    if name in ("seller_name", "buyer_name"):
        return MIN_SCORE_NAME
    if name == "issue_date":
        return MIN_SCORE_ISSUE_DATE
    if (
        name in OPTIONAL
        and candidate.method not in LABELLED_BY
        or name == "invoice_number"
        and candidate.method == "shape"
    ):
        return MIN_SCORE_OPTIONAL  # a value no label names: more likely right than wrong, or none
    return MIN_SCORE


def _company_over(candidates: list[Candidate], person: Candidate, domains: frozenset[str]) -> Candidate | None:
    """The company on the line right above a person chosen as the buyer, in the same block
    (``Ma jolie boutique`` / ``Alexandre Payet``, ``SCI Les Terrasses`` / ``Monsieur Olivier Garnier``):
    the person is the company's contact (or ``t.a.v. de heer M. Jansen``: a line to a person's
    attention). A company shows a legal form, or a domain printed spells it; over a department
    (``Fondation Les Tilleuls`` / ``EMS Les Tilleuls – Administration``) or a line to someone's
    attention or care (``Andelsboligforeningen Solbakken`` / ``c/o Administrator Nørgaard & Co.``) any
    name is the party."""
    unit = letterhead.department(person.value) or names.for_attention(person.value)  # the page says whose it is
    if not (unit or names.person_shape(person.value)):
        return None
    first = person.words[0]
    height = max(w.bottom - w.top for w in person.words)
    for candidate in candidates:
        word = candidate.words[0]
        if word.page != first.page or abs(word.x0 - first.x0) > 6 or not 0 <= first.top - word.bottom <= 1.2 * height:
            continue
        value = candidate.value
        if names.person_shape(value) and not unit or not plausible_name(value):
            continue
        if unit and not address.line(value) or LEGAL.search(value) or names.spelled(value, domains):
            return candidate
    return None


FULLER_SCORE = 0.2  # a fuller form of the chosen name this likely is given instead


def _fuller(candidates: list[Candidate], chosen: Candidate) -> Candidate | None:
    """The fuller form of the chosen party's name the page prints elsewhere, likely enough: the
    brand with its legal form (``LumenHarbor`` -> ``Lumen Harbor Pte. Ltd.``), the sender line's
    short form of the letterhead's (``Zahnarztpraxis Dr. Hoffmann`` -> ``Zahnarztpraxis Dr. med.
    dent. Sabine Hoffmann``)."""
    short = _name_words(chosen.value)
    legal_already = LEGAL.search(chosen.value)

    def fuller(candidate: Candidate) -> bool:
        long = _name_words(candidate.value)
        if candidate.score < FULLER_SCORE or len(long) <= len(short) or not plausible_name(candidate.value):
            return False
        brand = not legal_already and LEGAL.search(candidate.value) and "".join(long).startswith("".join(short))
        shortened = short and long[0] == short[0] and long[-1] == short[-1] and len(long) <= len(short) + 4
        return bool(brand or shortened and _in_order(short, long))

    return max(filter(fuller, candidates), key=lambda c: c.score, default=None)


def _with_point_of_sale(candidates: list[Candidate], chosen: Candidate) -> Candidate | None:
    """The chosen number as the page prints it whole elsewhere, likely enough, after its series
    or point of sale and a dash (``Comp. Nro: 00001893`` and ``Nº 00004-00001893``; Peru's ``F001-``)."""
    tail = f"-{chosen.value}"
    return max(
        (c for c in candidates if c.score >= FULLER_SCORE and c.value.endswith(tail) and " " not in c.value),
        key=lambda c: c.score,
        default=None,
    )


def _name_words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.casefold()).split()


def _in_order(short: list[str], long: list[str]) -> bool:
    rest = iter(long)
    return all(word in rest for word in short)


def _part_names(scored: dict[str, list[Candidate]], chosen: dict[str, tuple[Candidate, str]]) -> None:
    """When seller and buyer came out the same, the two different names likeliest together (the
    sum of their log-odds: two fair names beat a far-fetched one beside a likely one, while a
    name the ranker is sure of keeps its party): the phrase goes to the party whose score for it
    leaves the other the better second choice. Two names one of which holds the other are one party's."""
    seller, buyer = chosen["seller_name"][0], chosen["buyer_name"][0]
    if not same_party(seller.value, buyer.value):
        return
    pairs = [
        (s, b)
        for s in best(scored["seller_name"])[:5]
        for b in best(scored["buyer_name"])[:5]
        if not same_party(s.value, b.value)
    ]
    if pairs:
        s, b = max(pairs, key=lambda pair: _log_odds(pair[0].score) + _log_odds(pair[1].score))
        chosen["seller_name"] = (s, "seller_name")
        chosen["buyer_name"] = (b, "buyer_name")
    else:  # one party only on the page: the other name is not printed
        del chosen["seller_name" if seller.score < buyer.score else "buyer_name"]


def same_party(one: str, other: str) -> bool:
    """Whether two names are one party's: equal, or one holds the other whole (``CENTRE COM
    HAWTHORN PTY`` and ``CENTRE COM HAWTHORN PTY LTD``), case and punctuation aside."""
    a, b = (" ".join(re.sub(r"[^\w\s]", " ", v.lower()).split()) for v in (one, other))
    return bool(a and b) and (f" {a} " in f" {b} " or f" {b} " in f" {a} ")


def _log_odds(score: float) -> float:
    share = min(max(score, 1e-4), 1 - 1e-4)
    return math.log(share / (1 - share))


def weak(scored: dict[str, list[Candidate]], chosen: dict[str, tuple[Candidate, str]]) -> set[str]:
    """The chosen fields whose evidence is weak: no label for the field names the value (read
    beside or under a label, or from a totals table; net, tax and grand totals that add up are
    exempt, arithmetic is evidence too), or another value scored nearly as high (a tie)."""
    found = set()
    for name, (candidate, key) in chosen.items():
        others = scored.get(name, [])
        rival = max((c.score for c in others if c.value.lower() != candidate.value.lower()), default=0.0)
        labelled = any(c.method in LABELLED_BY and c.value == candidate.value for c in others)
        if rival >= TIE * candidate.score or not labelled and not (name in TOTALS and key.endswith("|sum")):
            found.add(name)
    return found


def fields_of(
    model: Model, chosen: dict[str, tuple[Candidate, str]], weak: set[str] | frozenset[str] = frozenset()
) -> dict[str, Field]:
    """The chosen values as fields, confidence calibrated; those in ``weak`` (:func:`weak`) never
    above the model's ``weak_ceiling`` (:data:`WEAK_CONFIDENCE` when it has none)."""
    ceiling = float(model.data.get("weak_ceiling", WEAK_CONFIDENCE))
    fields = {}
    for name, (candidate, key) in chosen.items():
        confidence = model.confidence(key, candidate.score)
        if key.endswith("|doubt"):  # two totals that do not agree: neither is sure
            confidence = min(confidence, 0.5)
        if name in weak:
            confidence = min(confidence, ceiling)
        field = candidate.to_field(round(confidence, 3))
        fields[name] = replace(field, method=_METHODS.get(candidate.method, candidate.method))
    return fields
