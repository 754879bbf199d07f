"""Candidate values for a field, and how the best ones are chosen (totals by arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import product

from backoffice.documents.layout import union
from backoffice.documents.models import Field
from backoffice.documents.normalise import format_amount
from backoffice.documents.pdf import Word

TOTALS = ("net_total", "tax_total", "grand_total")
LABELLED_BY = frozenset({"label", "table"})  # the methods of a value read beside a label or under a heading
_VOUCHED = LABELLED_BY | {"computed"}  # those, or the sum of several such (tax lines)
_CENT = Decimal("0.01")
LIKELY_TAX = 0.5  # a tax amount scored this high is printed: net and grand total are not one amount
DOUBTFUL = 0.2  # a total the ranker scored below this is doubtful: at most one such in a sum
_TRIED = 6  # the best net and tax amounts tried in sums: a page with a table of rates has many


# What kind of value each field of an invoice holds, as the readers parse and describe it
KINDS: dict[str, str] = {
    "invoice_number": "id",
    "order_reference": "id",
    "issue_date": "date",
    "due_date": "date",
    "seller_name": "name",
    "buyer_name": "name",
    "seller_vat_id": "vat",
    "iban": "iban",
    "currency": "currency",
    "net_total": "money",
    "tax_total": "money",
    "grand_total": "money",
    "amount_due": "money",
}


@dataclass
class Candidate:
    """A value some evidence proposes for a field, with the words it was read from."""

    field: str
    value: str
    words: list[Word]
    score: float
    method: str = "label"
    rate: str | None = None  # a tax amount's rate, when its label prints one ("VAT 20%")

    @property
    def where(self) -> tuple[int, float, float]:
        return (self.words[0].page, self.words[0].top, self.words[0].x0)

    def to_field(self, confidence: float | None = None) -> Field:
        return Field(
            value=self.value, confidence=round(self.score if confidence is None else confidence, 3),
            page=self.words[0].page, bbox=union(self.words), text=" ".join(w.text for w in self.words),
            method=self.method,
        )


def best(candidates: list[Candidate], latest: bool = False) -> list[Candidate]:
    """Candidates, best first: by score, then earliest (or latest) in the document."""
    ordered = sorted(candidates, key=lambda c: c.where, reverse=latest)
    return sorted(ordered, key=lambda c: -c.score)


def pick_totals(found: dict[str, list[Candidate]], least: float = 0.0) -> tuple[dict[str, Candidate], bool]:
    """Net, tax and grand totals that add up when some do (``True``), else the best of each.

    Totals sit at the end of an invoice, so among equal candidates the last one wins. Several
    tax lines (one per rate) are also tried as their sum. Only candidates scored ``least`` or more
    take part in a sum (two line amounts and their total add up too), besides sums and whole
    amounts that complete one (``computed``, ``whole``: proposed by arithmetic alone); and at most
    one of the three may be doubtful (scored below :data:`DOUBTFUL`).
    """
    net = best(found.get("net_total", []), latest=True)[:_TRIED]
    tax = best(found.get("tax_total", []), latest=True)[:_TRIED]
    grand = best(found.get("grand_total", []), latest=True)[:4] or best(found.get("amount_due", []), latest=True)[:2]
    # the sum of the tax lines: as the ranker scored it (features.propose proposes it), else as summed here
    summed = next((c for c in best(found.get("tax_total", [])) if c.method == "computed"), None) \
        or tax_sum(found.get("tax_total", []))
    if summed is not None and all(c is not summed for c in tax):
        tax.append(summed)

    def likely(c: Candidate) -> bool:
        return c.score >= least or c.method in ("computed", "whole")

    def usable(options: list[Candidate]) -> list[Candidate]:
        return [c for c in options if likely(c)]

    def vouched(*members: Candidate) -> bool:  # arithmetic vouches for one doubtful total, never for two
        return least <= 0 or sum(c.score < DOUBTFUL for c in members) <= 1

    def labelled(tax: Candidate, grand: Candidate) -> bool:  # vouch for the net printed that completes them
        return tax.method in _VOUCHED and tax.score >= LIKELY_TAX and grand.method in LABELLED_BY and grand.score >= DOUBTFUL

    matches: list[tuple[Candidate, Candidate | None, Candidate]] = [
        (n, t, g) for n, t, g in product(net, usable(tax), usable(grand))
        if abs(Decimal(n.value) + Decimal(t.value) - Decimal(g.value)) <= _CENT and _apart(n, t, g)
        and (likely(n) or labelled(t, g)) and vouched(n, t, g)]
    # no tax printed: net and grand total are one amount (unless a tax amount is likely: "Transaction Tax $10.00")
    if not matches and (not tax or least > 0 and max(c.score for c in tax) < LIKELY_TAX):
        matches = [(n, None, g) for n, g in product(usable(net), usable(grand))
                   if Decimal(n.value) == Decimal(g.value) and _apart(n, g)]
    if any(t is not None and t.method in _VOUCHED and t.score >= LIKELY_TAX for _, t, _ in matches):
        # a tax its label names outweighs an amount of no label that only happens to add up (a balance
        # brought forward between this month's charges and the amount due)
        matches = [m for m in matches if m[1] is None or m[1].method in _VOUCHED or m[1].score >= DOUBTFUL]
    if matches:
        # a labelled amount due that is the grand total vouches for it, as a total's own label does
        due = next((c for c in best(found.get("amount_due", [])) if c.method in LABELLED_BY), None)

        def weight(match: tuple[Candidate, Candidate | None, Candidate]) -> float:
            agrees = due is not None and Decimal(due.value) == Decimal(match[2].value)
            return sum(c.score for c in match if c) + (due.score if agrees and due else 0.0)

        picked = max(matches, key=weight)
        return {name: c for name, c in zip(TOTALS, picked) if c}, True
    each = {name: options[0] for name, options in zip(TOTALS, (net, tax, grand)) if options}
    if _tax_inclusive(each):
        del each["net_total"]  # "Total (inc. GST) $1,131.70 · Total includes GST of $102.88": no net printed
    return each, False


def _tax_inclusive(picked: dict[str, Candidate]) -> bool:
    """Whether the best net total is the grand total itself while a tax (not nil) is likely printed:
    a tax-inclusive total, whose net the page does not print."""
    net, tax, grand = (picked.get(name) for name in TOTALS)
    return (net is not None and tax is not None and grand is not None and tax.score >= LIKELY_TAX
            and Decimal(tax.value) != 0 and Decimal(net.value) == Decimal(grand.value))


def tax_sum(candidates: list[Candidate]) -> Candidate | None:
    """Several tax lines (one per rate: 2 to 4 lines of a page, read beside or under their labels)
    as one candidate tax total, their sum; None when there are not several. Of a line that prints
    the base beside the tax (``VAT 7%  275,00  19,25``) the amount its label gives; of a document
    that prints tax lines on several pages, the last such page."""
    per_line: dict[tuple[int, int], Candidate] = {}
    for c in candidates:
        key = (c.words[0].page, round(c.words[0].top))
        if c.method not in ("shape", "computed", "whole") and (key not in per_line or c.score > per_line[key].score):
            per_line[key] = c
    pages = [page for page, _ in per_line]
    several = [page for page in set(pages) if pages.count(page) >= 2]
    if not several:
        return None
    parts = sorted((c for (page, _), c in per_line.items() if page == max(several)), key=lambda c: c.where)
    column = _one_column(parts)
    parts = column if len(column) >= 2 else parts
    if len(parts) > 4:
        return None
    total = sum((Decimal(c.value) for c in parts), Decimal(0))
    if len(parts) >= 3 and any(2 * Decimal(c.value) == total for c in parts):
        return None  # one of them is the others' sum, printed ("Summe USt." over a line per rate)
    return Candidate("tax_total", format_amount(total), [w for c in parts for w in c.words],
                     max(0.0, min(c.score for c in parts) - 0.05), "computed")  # a sum scores below its parts, never below 0


def _one_column(parts: list[Candidate]) -> list[Candidate]:
    """The most of ``parts`` whose amounts end in one column: the tax lines beside the totals, not
    a rate table's amount printed again apart from them (``Btw 6 %  € 354,00`` and ``6%  5.900,00  354,00``)."""
    columns: dict[int, list[Candidate]] = {}
    for c in parts:
        right = c.words[-1].x1
        key = next((k for k in columns if abs(k - right) <= 4), round(right))
        columns.setdefault(key, []).append(c)
    return max(columns.values(), key=len, default=[])


def rated_pair(found: dict[str, list[Candidate]], least: float = 0.0) -> tuple[Candidate, Candidate] | None:
    """A net total and a tax amount whose label prints a rate it matches (``VAT 5%  437.89`` under
    ``Net 8,757.80``): arithmetic that holds even when the grand total printed disagrees. Among
    the best few nets (scored ``least`` or more), the likeliest pair."""
    net = [c for c in best(found.get("net_total", []), latest=True)[:4] if c.score >= least]
    tax = [c for c in best(found.get("tax_total", []), latest=True) if c.rate is not None][:6]
    pairs = [(n, t) for n, t in product(net, tax) if _at_rate(n, t) and _apart(n, t)]
    return max(pairs, key=lambda pair: pair[0].score + pair[1].score) if pairs else None


def _at_rate(net: Candidate, tax: Candidate) -> bool:
    """Whether ``tax`` is its printed rate of ``net`` (to the cent), neither of them nothing."""
    rate, base, amount = Decimal(tax.rate or "0"), Decimal(net.value), Decimal(tax.value)
    if rate <= 0 or base == 0 or amount == 0:
        return False
    return abs(base * rate / 100 - amount) <= _CENT


def _apart(*candidates: Candidate) -> bool:
    """Whether the candidates were read from different words: one printed amount is no sum."""
    places = [c.where for c in candidates]
    return len(set(places)) == len(places)


def reconcile(found: dict[str, list[Candidate]], warnings: list[str]) -> dict[str, Field]:
    """Pick net, tax and grand totals so that they add up, and say how sure that is."""
    picked, added_up = pick_totals(found)
    if added_up:
        return {name: c.to_field(min(0.99, c.score + 0.1)) for name, c in picked.items()}
    doubtful = "net_total" in picked and "grand_total" in picked  # two totals that do not agree: neither is sure
    chosen = {name: c.to_field(min(0.5, c.score) if doubtful else c.score) for name, c in picked.items()}
    total_warnings(chosen, warnings)
    return chosen


def total_warnings(chosen: dict[str, Field], warnings: list[str]) -> None:
    """Say when the totals chosen do not add up."""
    if all(name in chosen for name in TOTALS):
        n, t, g = (Decimal(chosen[name].value) for name in TOTALS)
        if n + t != g:
            warnings.append(f"totals do not add up: net {n} + tax {t} = {n + t}, but the total says {g}")
    elif "net_total" in chosen and "grand_total" in chosen and chosen["net_total"].value != chosen["grand_total"].value:
        warnings.append(
            f"no tax amount found, and net {chosen['net_total'].value} differs from total {chosen['grand_total'].value}"
        )
