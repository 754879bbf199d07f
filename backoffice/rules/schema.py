"""The rule-file format (YAML), validated by pydantic; see rules/invoice.yaml for a full example.

::

    kind: invoice                      # the Document kind the rules read (a plugin's: its name or dotted path)
    include: [shared/arithmetic.yaml]  # rules shared between files; theirs come first
    data:                              # master data, read by `lookup` rules
      vendors: {csv: data/vendors.csv}
    constants: {tax_rates: [0, 7, 19]} # names the expressions can use
    required: [invoice_number, grand_total]
    duplicates:                        # business keys checked against the queue's history
      - {id: same-number, key: [seller_vat_id, invoice_number]}
    rules:
      - id: vendor-known               # one action per rule: check, set, lookup or route
        lookup: {from: vendors, where: {vat_id: seller_vat_id}, fuzzy: {name: seller_name}, as: vendor}
        message: "seller {seller_name} is not in the vendor master"
    examples:                          # run by `backoffice rules test`
      - {name: a good invoice, document: {...}, expect: {passed: true}}
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backoffice import extractors
from backoffice.documents import registry
from backoffice.documents.models import FIELDS_BY_KIND

Severity = Literal["error", "warning"]
NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
RULE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DataSource(Model):
    """One master-data table: a CSV file, or an SQL table or query."""

    description: str = Field("", description="What this table holds, for people.")
    csv: str | None = Field(None, description="A CSV file with a header row, relative to the rule file.")
    sql: str | None = Field(
        None, description="sqlite:///PATH (relative to the rule file) or postgresql://...; ${ENV_VAR} allowed."
    )
    table: str | None = Field(None, description="The SQL table (or schema.table) to read.")
    query: str | None = Field(None, description="Or an SQL SELECT whose rows are the table.")
    types: dict[str, Literal["text", "money", "number", "date", "id"]] = Field(
        default_factory=dict,
        description="Column types; other columns are text as read. An `id` column (VAT ids, IBANs) is"
        " looked up ignoring spaces, dots, dashes and slashes as well as case.",
    )
    refresh_seconds: float = Field(300.0, gt=0, description="An SQL source is read again after this long.")

    @model_validator(mode="after")
    def _one_place(self) -> DataSource:
        if (self.csv is None) == (self.sql is None):
            raise ValueError("give either csv or sql")
        if self.sql is not None and (self.table is None) == (self.query is None):
            raise ValueError("an sql source needs either table or query")
        if self.csv is not None and (self.table or self.query):
            raise ValueError("table and query are for sql sources")
        return self


class Lookup(Model):
    """Find master data for the document; the row found is named by ``as`` for later rules."""

    source: str = Field(alias="from", description="The name of a table under `data:`.")
    where: dict[str, str] = Field(
        default_factory=dict, description="column: expression; every column must equal (a list: any of)."
    )
    fuzzy: dict[str, str] | None = Field(
        None, description="column: expression; when `where` finds nothing, the most similar row."
    )
    score: float = Field(90, ge=0, le=100, description="The least fuzzy score (0-100) that counts as found.")
    name: str = Field(alias="as", pattern=NAME, description="The name later rules read the row by.")
    all: bool = Field(False, description="Every matching row (a table) instead of one row.")
    optional: bool = Field(False, description="Finding nothing is fine (the name is then empty).")

    @model_validator(mode="after")
    def _something_to_match(self) -> Lookup:
        if not self.where and not self.fuzzy:
            raise ValueError("give where, fuzzy or both")
        if self.fuzzy is not None and len(self.fuzzy) != 1:
            raise ValueError("fuzzy matches on exactly one column")
        if self.fuzzy and self.all:
            raise ValueError("fuzzy finds one row; it cannot be used with all: true")
        return self


class Route(Model):
    """Send the item to the exception queue, or to a person of a role for approval."""

    to: Literal["exception", "approval"] = Field(description="exception, or approval by `role`.")
    role: str | None = Field(None, description="Who approves (for to: approval), e.g. finance-manager.")
    above: Decimal | None = Field(None, description="Route only when `amount` is above this threshold.")
    amount: str | None = Field(
        None, description="Expression of the amount compared with `above` (default: the document's total)."
    )

    @model_validator(mode="after")
    def _role(self) -> Route:
        if self.to == "approval" and not self.role:
            raise ValueError("to: approval needs a role")
        if self.to == "exception" and self.role:
            raise ValueError("role is for to: approval")
        return self


class Rule(Model):
    """A named rule: when `when` is true, do its one action."""

    id: str = Field(pattern=RULE_ID, description="Stable identifier, shown with every outcome.")
    description: str = Field("", description="What the rule means, for people.")
    when: str | None = Field(None, description="Expression; the rule applies only when it is true.")
    check: str | None = Field(None, description="Action: an expression that must be true.")
    set: dict[str, str] | None = Field(None, description="Action: field: expression, to enrich the document.")
    lookup: Lookup | None = Field(None, description="Action: find master data.")
    route: Route | None = Field(None, description="Action: route to the exception queue or an approver.")
    message: str | None = Field(
        None, description="Shown when the rule fails or routes; {expression} inserts a value."
    )
    severity: Severity = Field("error", description="error stops the item; warning is recorded only.")

    @model_validator(mode="after")
    def _one_action(self) -> Rule:
        actions = [a for a in ("check", "set", "lookup", "route") if getattr(self, a) is not None]
        if len(actions) != 1:
            found = ", ".join(actions) if actions else "none"
            raise ValueError(f"a rule has exactly one action of check, set, lookup, route (found: {found})")
        if actions[0] in ("check", "route") and not self.message:
            raise ValueError(f"a {actions[0]} rule needs a message")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ("check", "set", "lookup", "route") if getattr(self, a) is not None)


class Duplicate(Model):
    """A business key: another item of the bot with the same key is a possible duplicate."""

    id: str = Field(pattern=RULE_ID, description="Identifier of this key, shown as duplicate:<id>.")
    description: str = Field("", description="What the key means, for people.")
    key: list[str] = Field(min_length=1, description="Fields that must all be equal.")
    date: str | None = Field(None, description="A date field that may differ by up to `within_days`.")
    within_days: int = Field(0, ge=0, le=366, description="How far apart the `date` fields may be.")
    severity: Severity = Field("error", description="error holds the item; warning is recorded only.")


class Expect(Model):
    """What an example's verdict must be."""

    passed: bool | None = Field(None, description="Whether the document passes.")
    errors: list[str] | None = Field(None, description="Exactly these rules fail with severity error.")
    warnings: list[str] | None = Field(None, description="Exactly these rules fail with severity warning.")
    set: dict[str, Any] | None = Field(None, description="These fields are set to these values.")
    messages: dict[str, str] | None = Field(None, description="rule: text its message contains.")


class Example(Model):
    """A document and the verdict the rules must give it."""

    name: str = Field(description="What the example shows.")
    document: dict[str, Any] = Field(description="Field values (and `lines`), as an extractor gives them.")
    history: list[dict[str, Any]] = Field(
        default_factory=list, description="Documents of earlier items, for duplicate keys."
    )
    today: date | None = Field(None, description="The date today() gives (default: the real date).")
    expect: Expect = Field(description="The verdict expected.")


class RuleFile(Model):
    """The whole of a rule file."""

    kind: str = Field(
        "invoice",
        description="The document kind these rules read: invoice, credit_note, timesheet, order, or a plugin "
        "kind by its entry point name or dotted path package.module:attribute.",
    )
    description: str = Field("", description="What these rules are for, for people.")
    include: list[str] = Field(default_factory=list, description="Rule files whose contents come first.")
    data: dict[str, DataSource] = Field(default_factory=dict, description="Master-data tables by name.")
    constants: dict[str, Any] = Field(default_factory=dict, description="Named values expressions can use.")
    required: list[str] = Field(default_factory=list, description="Fields that must have a value.")
    duplicates: list[Duplicate] = Field(default_factory=list, description="Business keys checked for duplicates.")
    rules: list[Rule] = Field(default_factory=list, description="Rules, evaluated in order.")
    examples: list[Example] = Field(default_factory=list, description="Examples `backoffice rules test` runs.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        """A built-in Document kind, or the name of the plugin kind ``value`` names (a dotted path
        becomes its kind's name: the name its Documents carry)."""
        if value in FIELDS_BY_KIND:
            return value
        readable = [*FIELDS_BY_KIND, *(k for k in extractors.known() if k not in extractors.BUILTIN)]
        try:
            found = registry.get(value)
        except extractors.UnknownKind:
            found = None
        if found is None or found.builtin:  # auto is decided per document: it has no fields to write rules for
            raise ValueError(f"unknown document kind {value!r}; rule files read {', '.join(readable)}, "
                             "or a plugin kind by dotted path package.module:attribute")
        return found.name
