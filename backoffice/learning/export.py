"""A learned layout as a template a team can review and version: our YAML templates (our field
names) or invoice2data's (``date``, ``amount``, ``invoice_number``, ``issuer``...). Each field
becomes a regex: its label, then a pattern of the value's shape. Positions are not expressible
in that format, so a field learned without a label is left out (and named in a comment). A learned
line table becomes invoice2data's ``lines`` parser: from its header to the first totals label, one
row per line with its columns in their printed order."""

from __future__ import annotations

import re
from typing import Any

import yaml

from backoffice.documents.templates.mapping import FIELD_NAMES
from backoffice.learning.layout import SENDER_FIELDS, FieldRule, Layout

FORMATS = ("ours", "invoice2data")
# Our field names -> invoice2data's (those our template reader maps back).
INVOICE2DATA = {ours: theirs for theirs, ours in FIELD_NAMES.items() if theirs != ours}
_BY_KIND = {"money": r"-?\d{1,3}(?:[ .,'’]?\d{3})*(?:[.,]\d{1,2})?", "currency": r"\S+"}
_WORDS = r"\S+(?: \S+)*"  # words with single spaces: up to the next column of the laid-out text


def pattern(rule: FieldRule, kind: str) -> str:
    """A regex for the value the rule reads: by type for money, else by its shape."""
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    if not rule.shape or rule.name in SENDER_FIELDS or rule.name.endswith(("_name", "_address")):
        return _WORDS
    parts = []
    for piece in re.findall(r"A|9| |.", rule.shape):
        parts.append({"A": r"[^\W\d_]+", "9": r"\d+", " ": r"\s+"}.get(piece, re.escape(piece)))
    return "".join(parts)


# Line fields -> invoice2data's names for them (those our template reader maps back).
LINE_NAMES = {"description": "description", "quantity": "qty", "unit_price": "price_unit", "amount": "price_subtotal"}
_CELL = {"money": _BY_KIND["money"], "text": r"\S.*?"}


def _lines(layout: Layout, form: str) -> dict[str, Any]:
    """The line table as invoice2data's ``lines`` parser: from the header to the first totals
    label (or an empty line), one row per line, its columns in the order they are printed."""
    from backoffice.documents.models import INVOICE_LINE_FIELDS

    table = layout.table
    assert table is not None
    cells, types = [], {}
    for name, _ in sorted(table.columns.items(), key=lambda item: item[1][0]):
        key = LINE_NAMES.get(name, name) if form == "invoice2data" else name
        kind = INVOICE_LINE_FIELDS.get(name, "text")
        cells.append(f"(?P<{key}>{_CELL.get(kind, _CELL['text'])})")
        if kind == "money":
            types[key] = "float"
    totals = [r.anchor for n, r in layout.fields.items() if n in ("net_total", "tax_total", "grand_total") and r.anchor]
    end = "|".join(r"\s+".join(re.escape(w) for w in label.split()) for label in totals) or r"\n\s*\n"
    return {
        "parser": "lines",
        "start": r"\s+".join(re.escape(word) for word in table.header.split()),
        "end": end,
        "line": r"^\s*" + r"\s{2,}".join(cells) + r"\s*$",
        "types": types,
    }


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
        below = rule.offset is not None and rule.offset[1] > (rule.box[3] - rule.box[1]) / 2
        between = r"[^\n]*\n[^\n]*?" if below else r"\s*"  # on the next line, or after the label
        fields[key] = {
            "parser": "regex",
            "regex": f"{label}{between}({pattern(rule, INVOICE_FIELDS.get(name, 'text'))})",
        }
        if INVOICE_FIELDS.get(name) == "date":
            fields[key]["type"] = "date"
        elif INVOICE_FIELDS.get(name) == "money":
            fields[key]["type"] = "float"
    if layout.table is not None and layout.table.header:
        fields["lines"] = _lines(layout, form)
    keywords = [layout.senders[n] for n in ("seller_vat_id", "iban") if layout.senders.get(n)]
    keywords = keywords or [rule.anchor for rule in layout.fields.values() if rule.anchor][:2]
    hints = {rule.hint for rule in layout.fields.values() if rule.hint in (".", ",")}
    template = {
        "issuer": layout.name or f"learned layout {layout.id}",
        "keywords": keywords,
        "fields": fields,
        "required_fields": [n for n in ("invoice_number",) if n in fields] or sorted(fields)[:1],
        "options": {"decimal_separator": hints.pop() if len(hints) == 1 else ".", "languages": [], "date_formats": []},
    }
    head = f"# learned layout {layout.id}: {layout.provenance()}\n"
    if left_out:
        head += f"# placed by position only, not exported: {', '.join(left_out)}\n"
    return head + yaml.safe_dump(template, sort_keys=False, allow_unicode=True)
