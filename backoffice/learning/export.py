"""A learned layout as a template a team can review and version: our YAML templates (our field
names) or invoice2data's (``date``, ``amount``, ``invoice_number``, ``issuer``...). Each field
becomes a regex: its label, then a pattern of the value's shape. Positions are not expressible
in that format, so a field learned without a label is left out (and named in a comment)."""

from __future__ import annotations

import re

import yaml

from backoffice.learning.layout import SENDER_FIELDS, FieldRule, Layout

FORMATS = ("ours", "invoice2data")
# Our field names -> invoice2data's.
INVOICE2DATA = {"issue_date": "date", "grand_total": "amount", "due_date": "date_due", "net_total": "amount_untaxed",
                "tax_total": "amount_tax", "seller_vat_id": "vat", "order_reference": "po_number"}
_BY_KIND = {"date": r"[\w./ -]+?\d{2,4}", "money": r"-?[\d.,' ]*\d", "currency": r"\S+"}


def pattern(rule: FieldRule, kind: str) -> str:
    """A regex for the value the rule reads: by type for dates and money, else by shape."""
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if not rule.shape or rule.name in SENDER_FIELDS or rule.name.endswith(("_name", "_address")):
        return r".+?"
    parts = []
    for piece in re.findall(r"A|9| |.", rule.shape):
        parts.append({"A": r"[^\W\d_]+", "9": r"\d+", " ": r"\s+"}.get(piece, re.escape(piece)))
    return "".join(parts)


def export(layout: Layout, form: str = "ours") -> str:
    """The layout as YAML in ``form`` (``ours`` or ``invoice2data``)."""
    from backoffice.documents.models import INVOICE_FIELDS

    if form not in FORMATS:
        raise ValueError(f"unknown export format {form!r}; expected one of {', '.join(FORMATS)}")
    fields: dict[str, dict[str, str]] = {}
    left_out = []
    for name, rule in sorted(layout.fields.items()):
        if not rule.anchor:
            left_out.append(name)
            continue
        key = INVOICE2DATA.get(name, name) if form == "invoice2data" else name
        label = r"\s+".join(re.escape(word) for word in rule.anchor.split())
        fields[key] = {"parser": "regex", "regex": f"{label}\\s*({pattern(rule, INVOICE_FIELDS.get(name, 'text'))})"}
        if INVOICE_FIELDS.get(name) == "date":
            fields[key]["type"] = "date"
        elif INVOICE_FIELDS.get(name) == "money":
            fields[key]["type"] = "float"
    keywords = [layout.senders[n] for n in ("seller_vat_id", "iban") if layout.senders.get(n)]
    keywords = keywords or [rule.anchor for rule in layout.fields.values() if rule.anchor][:2]
    hints = {rule.hint for rule in layout.fields.values() if rule.hint in (".", ",")}
    template = {"issuer": layout.name or f"learned layout {layout.id}", "keywords": keywords, "fields": fields,
                "options": {"decimal_separator": hints.pop() if len(hints) == 1 else ".",
                            "languages": [], "date_formats": []}}  # fmt: skip
    head = f"# learned layout {layout.id}: {layout.provenance()}\n"
    if left_out:
        head += f"# placed by position only, not exported: {', '.join(left_out)}\n"
    return head + yaml.safe_dump(template, sort_keys=False, allow_unicode=True)
