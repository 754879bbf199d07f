"""A template in invoice2data's format: keywords that identify a sender's layout, fields by
regex (or static), line items by ``lines`` blocks, and ``tables``.

:meth:`Template.extract` returns invoice2data's output dict (``issuer``, the fields, ``currency``,
``desc``), so existing templates and their expected output carry over unchanged;
:mod:`backoffice.documents.templates.mapping` turns it into a Document.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date, datetime
from collections.abc import Callable
from typing import Any

from backoffice.documents.normalise import find_date
from backoffice.documents.templates import parsers

log = logging.getLogger(__name__)

DEFAULT_OPTIONS: dict[str, Any] = {
    "remove_whitespace": False, "remove_accents": False, "lowercase": False, "currency": "EUR",
    "date_formats": [], "languages": [], "decimal_separator": ".", "replace": [],
}
DEFAULT_REQUIRED = ["date", "amount", "invoice_number", "issuer"]


class Template(dict):
    """One template, as loaded from YAML or JSON (a dict), with invoice2data's defaults filled in."""

    def __init__(self, data: dict, name: str = ""):
        super().__init__(data)
        self.name = name
        self.area_text: Callable[[dict], str] | None = None  # set while extracting from a PDF
        if not isinstance(self.get("keywords"), list):
            self["keywords"] = [self["keywords"]] if self.get("keywords") else []
        self.setdefault("exclude_keywords", [])
        if not isinstance(self["exclude_keywords"], list):
            self["exclude_keywords"] = [self["exclude_keywords"]]
        self.setdefault("priority", 5)
        if "issuer" not in self and self["keywords"]:
            self["issuer"] = self["keywords"][0]
        self.options = {**DEFAULT_OPTIONS, **(self.get("options") or {})}
        if self.options["remove_whitespace"]:
            self["keywords"] = [re.sub(r"\s+", "", str(k)) for k in self["keywords"]]
            self["exclude_keywords"] = [re.sub(r"\s+", "", str(k)) for k in self["exclude_keywords"]]
        if self.options["lowercase"]:
            self["keywords"] = [str(k).lower() for k in self["keywords"]]
            self["exclude_keywords"] = [str(k).lower() for k in self["exclude_keywords"]]

    # ------------------------------------------------------------------ matching

    def prepare(self, text: str) -> str:
        """The text as the template's options want it (whitespace, accents, case, replacements)."""
        if self.options["remove_whitespace"]:
            text = re.sub(" +", "", text)
        if self.options["remove_accents"]:
            text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        if self.options["lowercase"]:
            text = text.lower()
        for pattern, replacement in self.options["replace"]:
            text = re.sub(pattern, replacement, text)
        return text

    def matches(self, prepared: str) -> bool:
        if not self["keywords"] or not all(re.search(str(k), prepared) for k in self["keywords"]):
            return False
        return not any(re.search(str(k), prepared) for k in self["exclude_keywords"])

    # ------------------------------------------------------------------ values

    def coerce(self, value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == "int":
            try:
                return int(self.number(value)) if isinstance(value, str) else int(value)
            except (ValueError, TypeError):
                return None
        if kind == "float":
            try:
                return self.number(value) if isinstance(value, str) else float(value)
            except (ValueError, TypeError):
                return None
        if kind == "date":
            return value if isinstance(value, date) else self.date(str(value))
        return value

    def number(self, value: str) -> float:
        """invoice2data's rule: the template's decimal separator is the decimal mark, and any
        ``.``, ``,``, ``'`` or space is a thousands separator."""
        if not value.strip():
            return 0.0  # an optional group that matched nothing, as invoice2data reads it
        separator = self.options["decimal_separator"]
        piped = value.replace(separator, "|")
        return float(re.sub(r"[.,'\s]", "", piped).replace("|", "."))

    def date(self, text: str) -> date | None:
        text = " ".join(text.split())
        for fmt in self.options["date_formats"]:
            for candidate in (text, re.sub(r"\s+,", ",", text)):
                try:
                    return datetime.strptime(candidate, fmt).date()
                except ValueError:
                    continue
        day_first = not any(lang == "en" for lang in self.options["languages"]) or self.options["currency"] != "USD"
        found = find_date(re.sub(r"\s+,", ",", text), day_first)
        return found[0] if found else None

    # ------------------------------------------------------------------ extraction

    def extract(self, prepared: str, area_text: Callable[[dict], str] | None = None) -> dict[str, Any] | None:
        """invoice2data's output for ``prepared`` text, or None when a required field is missing.

        ``area_text`` gives the text inside an ``area`` of the pages, for fields that name one.
        """
        self.area_text = area_text
        try:
            return self._extract(prepared)
        finally:
            self.area_text = None

    def _extract(self, prepared: str) -> dict[str, Any] | None:
        output: dict[str, Any] = {"issuer": self["issuer"]} if "issuer" in self else {}
        for name, settings in (self.get("fields") or {}).items():
            if isinstance(settings, dict) and "parser" in settings:
                parser = parsers.PARSERS.get(settings["parser"])
                if parser is None:
                    log.warning("unknown parser", extra={"template": self.name, "field": name})
                    continue
                value = parser(self, name, settings, prepared)
                if value or value == 0.0:
                    output[name] = value
            elif name.startswith("static_"):
                output[name[len("static_"):]] = settings
            else:
                value = parsers.parse_regex(self, name, {"regex": settings}, prepared, legacy=True)
                if value or value == 0.0:
                    output[name] = value
        output["currency"] = self.options["currency"]
        if "lines" in self:
            lines = parsers.parse_lines(self, "lines", self["lines"], prepared)
            if lines:
                output["lines"] = lines
        if "tables" in self:
            parsers.parse_tables(self, self["tables"], prepared, output)
        required = self.get("required_fields") or DEFAULT_REQUIRED
        missing = [name for name in required if name not in output]
        if missing:
            log.info("template matched but fields are missing", extra={"template": self.name, "missing": missing})
            return None
        output["desc"] = f"Invoice from {self['issuer']}"
        return output
