"""Field mappings declared in bots.yaml: which document field goes to which column or JSON key.

    body:                          # or columns: for SQL and files
      vendor.name: seller_name     # a document field; dotted names nest in JSON
      number: invoice_number
      total: {field: grand_total, type: number}
      currency: {value: EUR}       # a constant
      reference: $key              # the item's idempotency key; also $item_id $source $kind $bot $run
                                   # and, in a line mapping, $line_no

Values are typed on the way out: ``string``, ``number`` (a Decimal), ``integer``, ``date``,
``boolean``. By default a field keeps its own type (money -> number, dates -> date, else
string). A value that cannot be converted, or a ``required`` field that is empty, is a
BusinessError naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field, model_validator

from backoffice.connectors.base import Settings
from backoffice.documents.models import FIELDS_BY_KIND, LINE_FIELDS_BY_KIND
from backoffice.documents.models import Field as DocField
from backoffice.errors import BusinessError

FieldType = Literal["string", "number", "integer", "date", "boolean"]
SPECIAL: dict[str, FieldType] = {
    "$item_id": "integer", "$key": "string", "$source": "string", "$kind": "string", "$bot": "string",
    "$run": "string", "$line_no": "integer",
}  # fmt: skip
NATURAL: dict[str, FieldType] = {"money": "number", "date": "date"}


class FieldSpec(Settings):
    """Where one output value comes from."""

    field: str | None = Field(
        None,
        description="A document field (invoice_number), or $item_id, $key, $source, $kind, $bot, $run, $line_no.",
    )
    value: str | int | float | bool | None = Field(None, description="A constant, instead of a field.")
    type: FieldType | None = Field(
        None, description="string, number, integer, date or boolean; default: the field's own type."
    )
    default: str | int | float | bool | None = Field(None, description="The value when the field is empty.")
    required: bool = Field(False, description="An empty field sends the item to the exception queue.")

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if (self.field is None) == (self.value is None):
            raise ValueError("give either field or value")
        if self.field is not None and self.field.startswith("$") and self.field not in SPECIAL:
            raise ValueError(f"unknown {self.field}; use one of {', '.join(SPECIAL)}")
        return self


MappingSpec = dict[str, str | FieldSpec]


@dataclass(frozen=True)
class Column:
    name: str
    spec: FieldSpec
    type: FieldType


class Mapping:
    """A compiled mapping for one document kind: ``values()`` gives ``{name: typed value}``."""

    def __init__(self, spec: MappingABC[str, str | FieldSpec | dict], field_types: MappingABC[str, str]):
        self.columns: list[Column] = []
        for name, entry in spec.items():
            entry = FieldSpec(field=entry) if isinstance(entry, str) else FieldSpec.model_validate(entry)
            if entry.type:
                kind = entry.type
            elif entry.field in SPECIAL:
                kind = SPECIAL[entry.field]
            elif entry.field is not None:
                kind = NATURAL.get(field_types.get(entry.field, "text"), "string")
            else:
                kind = _type_of_constant(entry.value)
            self.columns.append(Column(name, entry, kind))

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def values(self, fields: MappingABC[str, DocField], special: MappingABC[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in self.columns:
            spec = column.spec
            if spec.field is None:
                raw: Any = spec.value
            elif spec.field in SPECIAL:
                raw = special.get(spec.field)
            else:
                found = fields.get(spec.field)
                raw = found.value if found is not None else None
            if raw is None or raw == "":
                if spec.required:
                    raise BusinessError(f"{spec.field} is missing (needed for {column.name})", code="mapping",
                                        field=spec.field)  # fmt: skip
                raw = spec.default
            out[column.name] = None if raw is None else convert(raw, column.type, spec.field or column.name)
        return out


def convert(raw: Any, kind: FieldType, name: str) -> Any:
    """A raw value as ``kind``; BusinessError naming ``name`` when it does not fit."""
    try:
        if kind == "string":
            return str(raw)
        if kind == "number":
            return Decimal(str(raw))
        if kind == "integer":
            number = Decimal(str(raw))
            if number != number.to_integral_value():
                raise ValueError("not a whole number")
            return int(number)
        if kind == "date":
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        raise ValueError("not true or false")
    except (ValueError, InvalidOperation, ArithmeticError):
        raise BusinessError(f"{name}: {raw!r} is not a valid {kind}", code="mapping", field=name) from None


def _type_of_constant(value: Any) -> FieldType:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def default_spec(kind: str, *, typed: bool, lines: bool = False) -> dict[str, FieldSpec]:
    """Every field of a document kind (or of its lines) under its own name; ``typed`` keeps the
    fields' own types, otherwise every value stays the extracted string."""
    types = (LINE_FIELDS_BY_KIND if lines else FIELDS_BY_KIND).get(kind, {})
    return {
        name: FieldSpec(field=name, type=None if typed else "string")
        for name in types
    }


def nest(flat: MappingABC[str, Any]) -> dict[str, Any]:
    """``{"vendor.name": x}`` -> ``{"vendor": {"name": x}}``."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        *parents, last = name.split(".")
        here = out
        for part in parents:
            here = here.setdefault(part, {})
        here[last] = value
    return out


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path (``data.id``, ``items.0.id``) of parsed JSON, or None."""
    for part in path.split(".") if path else ():
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


class DocumentMapping:
    """A target's mappings for the header and the lines, compiled once per document kind.

    ``header``/``lines`` None means every field of the kind under its own name (for a kind
    without a field list: the fields the document has). ``fixed`` comes first in every row.
    """

    def __init__(
        self,
        header: MappingABC[str, str | FieldSpec] | None,
        lines: MappingABC[str, str | FieldSpec] | None,
        *,
        typed: bool,
        fixed: MappingABC[str, str | FieldSpec] | None = None,
        line_fixed: MappingABC[str, str | FieldSpec] | None = None,
    ):
        self.header_spec, self.lines_spec, self.typed = header, lines, typed
        self.fixed, self.line_fixed = dict(fixed or {}), dict(line_fixed or {})
        self._compiled: dict[tuple[str, bool], Mapping] = {}

    def mapping(self, kind: str, *, lines: bool = False, present: MappingABC[str, Any] = ()) -> Mapping:
        compiled = self._compiled.get((kind, lines))
        if compiled is None:
            table = LINE_FIELDS_BY_KIND if lines else FIELDS_BY_KIND
            types = table.get(kind) or {name: "text" for name in present}
            spec = self.lines_spec if lines else self.header_spec
            if spec is None:
                spec = default_spec(kind, typed=self.typed, lines=lines) if kind in table else {
                    name: FieldSpec(field=name, type=None if self.typed else "string") for name in present
                }  # fmt: skip
            fixed = self.line_fixed if lines else self.fixed
            compiled = self._compiled[(kind, lines)] = Mapping({**fixed, **spec}, types)
        return compiled

    def row(self, document: Any, special: MappingABC[str, Any]) -> dict[str, Any]:
        return self.mapping(document.kind, present=document.fields).values(document.fields, special)

    def line_rows(self, document: Any, special: MappingABC[str, Any]) -> list[dict[str, Any]]:
        if not document.lines:
            return []
        present = {name: None for line in document.lines for name in line}
        mapping = self.mapping(document.kind, lines=True, present=present)
        return [mapping.values(line, {**special, "$line_no": n}) for n, line in enumerate(document.lines, 1)]
