"""Read a timesheet: who, which period, one entry per day and project, total hours, approver.

The entries come from a table (CSV, XLSX, or the columns of a PDF or text page) whose header
names at least a date and an hours column; the header fields come from ``Label: value`` pairs.
The printed total is checked against the sum of the entries.
"""

from __future__ import annotations

import calendar
import logging
import re
from decimal import Decimal

from backoffice.documents import keyvalue
from backoffice.documents.labels import clean
from backoffice.documents.layout import Line
from backoffice.documents.models import Document, Field
from backoffice.documents.normalise import (
    find_date,
    format_quantity,
    month_number,
    parse_amount,
)
from backoffice.documents.table import Cell, Row, cell_at, find_header, rows_from_lines

log = logging.getLogger(__name__)

COLUMNS = keyvalue.compile_labels({
    "date": r"date|datum|day|tag|jour|fecha|dag|work date|arbeitstag",
    "project": r"project|projekt|projet|proyecto|project code|cost cent(?:re|er)|kostenstelle|centre de co[uû]ts?"
               r"|kostenplaats|centro de coste|task|aufgabe|t[aâ]che|taak|tarea|client|kunde|activity|t[aä]tigkeit",
    "hours": r"hours|hrs\.?|stunden|std\.?|heures|h|uren|horas|duration|dauer|durée|duur|worked hours|arbeitsstunden",
    "type": r"type|art|category|kategorie|catégorie|soort|tipo|kind|hour type|stundenart",
    "employee_name": r"employee|employee name|mitarbeiter(?:in)?|name|salarié|employé|medewerker|empleado|worker",
    "employee_id": r"employee (?:id|no\.?|number)|personal-?nr\.?|personalnummer|matricule|personeelsnummer"
                   r"|n[úu]mero de empleado|staff id",
})
LABELS = keyvalue.compile_labels({
    "employee_id": r"employee (?:id|no\.?|number|#)|personal-?(?:nr\.?|nummer)|personalnummer|matricule"
                   r"|personeelsnummer|n[úu]mero de empleado|staff (?:id|no\.?)",
    "employee_name": r"employee(?: name)?|mitarbeiter(?:in)?|name|nom|salarié|employé|medewerker|naam|empleado"
                     r"|nombre|worker|consultant",
    "period": r"period|zeitraum|abrechnungszeitraum|période|periode|periodo|month|monat|mois|maand|mes|week|woche",
    "period_start": r"(?:period )?(?:start|from)|von|du|van|desde|period start",
    "period_end": r"(?:period )?(?:end|to)|bis|au|tot|hasta|period end",
    "approver": r"approved by|approver|genehmigt (?:von|durch)|freigegeben (?:von|durch)|approuvé par|valid[ée] par"
                r"|goedgekeurd door|aprobado por|supervisor|manager",
    "total_hours": r"total(?: hours)?|summe(?: stunden)?|gesamt(?:stunden)?|total heures|totaal(?: uren)?"
                   r"|total horas|stunden gesamt",
})
_OVERTIME = re.compile(r"overtime|[üu]berstunden?|mehrarbeit|heures? sup(?:pl[ée]mentaires?)?|overuren|horas extra|ot")
_LEAVE = re.compile(r"leave|vacation|holiday|sick(?:ness)?|pto|urlaub|krank(?:heit)?|abwesen(?:d|heit)|feiertag"
                    r"|cong[ée]s?|maladie|absence|f[ée]ri[ée]|verlof|ziek|vakantie|vacaciones|baja|ausencia")


def entry_type(text: str) -> str:
    key = clean(text)
    if _OVERTIME.search(key):
        return "overtime"
    if _LEAVE.search(key):
        return "leave"
    return "regular"


def parse_hours(text: str) -> str | None:
    """``7.5``, ``7,5``, ``7:30``, ``7.5 h``, ``7 Std.`` -> ``7.5``."""
    text = text.strip().lower()
    clock = re.fullmatch(r"(\d{1,3}):([0-5]\d)(?::[0-5]\d)?\s*h?", text)
    if clock:
        return format_quantity(Decimal(clock[1]) + Decimal(clock[2]) / 60)
    text = re.sub(r"\s*(?:h|hrs?\.?|hours?|std\.?|stunden|heures|uren|horas)$", "", text)
    value = parse_amount(text, "," if re.fullmatch(r"\d+,\d{1,2}", text) else ".")
    if value is None or not 0 <= value <= 10_000:
        return None
    return format_quantity(value.quantize(Decimal("0.01")))


def _identifier(text: str) -> str | None:
    token = text.strip().split()[0] if text.strip() else ""
    return token if token and len(token) <= 30 and any(ch.isalnum() for ch in token) else None


def _period(text: str) -> str | None:
    """A period as ``start/end`` ISO dates: two dates, or a month name and year."""
    first = find_date(text)
    if first:
        second = find_date(text[first[1][1]:])
        if second:
            return f"{first[0].isoformat()}/{second[0].isoformat()}"
    match = re.search(r"([A-Za-zÀ-ÿ]{3,10})\.?\s+(\d{4})", text)
    month = month_number(match[1].lower()) if match else None
    if match and month:
        year = int(match[2])
        last = calendar.monthrange(year, month)[1]
        return f"{year:04d}-{month:02d}-01/{year:04d}-{month:02d}-{last:02d}"
    match = re.search(r"\b(\d{4})-(\d{2})\b", text)
    if match and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
        return f"{year:04d}-{month:02d}-01/{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return None


PARSERS: dict[str, keyvalue.Parser] = {
    "employee_id": _identifier, "employee_name": keyvalue.name, "period": _period, "period_start": keyvalue.day,
    "period_end": keyvalue.day, "approver": keyvalue.name, "total_hours": parse_hours,
}


def read_timesheet_rows(rows: list[Row], source: str, method: str) -> Document:
    """A timesheet from table rows (CSV, XLSX)."""
    header = find_header(rows, COLUMNS, {"date", "hours"})
    if header is None:
        return Document(kind="timesheet", method=method, source=source,
                        warnings=["no table with a date and an hours column"])
    start, columns = header
    fields = keyvalue.from_rows(rows, LABELS, PARSERS, until=start)
    below = keyvalue.from_rows(rows[start + 1 :], {"approver": LABELS["approver"]}, PARSERS)
    fields.update({k: v for k, v in below.items() if k not in fields})
    return _assemble(fields, rows[start + 1 :], columns, source, method)


def read_timesheet_lines(lines: list[Line], source: str, method: str, pages: int) -> Document:
    """A timesheet printed on pages (PDF, scan, text): labels above, a table of entries below."""
    table = rows_from_lines(lines, COLUMNS, {"date", "hours"})
    header = find_header(table, COLUMNS, {"date", "hours"}) if table else None
    fields = keyvalue.from_lines(lines, LABELS, PARSERS)
    if header is None:
        document = Document(kind="timesheet", method=method, fields=_split_period(fields), source=source,
                            warnings=["no table with a date and an hours column"])
    else:
        document = _assemble(fields, table[header[0] + 1 :], header[1], source, method)
    document.pages = pages
    return document


def _split_period(fields: dict[str, Field]) -> dict[str, Field]:
    period = fields.pop("period", None)
    if period and "/" in period.value:
        start, end = period.value.split("/")
        fields.setdefault("period_start", Field(start, period.confidence, period.page, period.bbox, period.text, period.method))
        fields.setdefault("period_end", Field(end, period.confidence, period.page, period.bbox, period.text, period.method))
    return fields


def _assemble(fields: dict[str, Field], rows: list[Row], columns: dict[str, int], source: str, method: str) -> Document:
    fields = _split_period(fields)
    warnings: list[str] = []
    entries: list[dict[str, Field]] = []
    printed_total: Field | None = fields.pop("total_hours", None)
    cell_method = "cell" if method in ("csv", "xlsx") else "table"
    for row in rows:
        def cell(name: str, row: Row = row) -> Cell:
            return cell_at(row, columns, name)

        day, hours = keyvalue.day(cell("date").text), parse_hours(cell("hours").text)
        if day is None or hours is None:
            label = " ".join(c.text for c in row if c.text)
            total = keyvalue.label_of(label.split(), {"total_hours": LABELS["total_hours"]})
            if total and hours is not None:
                printed_total = cell("hours").field(hours, 0.9, cell_method)
            continue
        entry = {"date": cell("date").field(day, 0.95, cell_method), "hours": cell("hours").field(hours, 0.95, cell_method)}
        if cell("project").text:
            entry["project"] = cell("project").field(cell("project").text, 0.9, cell_method)
        kind = cell("type").text
        entry["type"] = cell("type").field(entry_type(kind), 0.9 if kind else 0.6, cell_method) if kind else Field(
            "regular", 0.6, method="computed")
        for name in ("employee_name", "employee_id"):
            if name in columns and name not in fields and cell(name).text:
                fields[name] = cell(name).field(cell(name).text, 0.9, cell_method)
        entries.append(entry)
    total = sum((Decimal(e["hours"].value) for e in entries), Decimal(0))
    if printed_total is not None:
        agrees = Decimal(printed_total.value) == total
        fields["total_hours"] = Field(printed_total.value, 0.99 if agrees else 0.5, printed_total.page,
                                      printed_total.bbox, printed_total.text, printed_total.method)
        if not agrees and entries:
            warnings.append(f"entries add up to {format_quantity(total)} hours, but the total says {printed_total.value}")
    elif entries:
        fields["total_hours"] = Field(format_quantity(total), 0.9, text=f"sum of {len(entries)} entries", method="computed")
    if entries:
        days = sorted(e["date"].value for e in entries)
        for name, value in (("period_start", days[0]), ("period_end", days[-1])):
            if name not in fields:
                fields[name] = Field(value, 0.6, text="from the entries", method="computed")
    log.debug("read timesheet", extra={"source": source, "entries": len(entries)})
    return Document(kind="timesheet", method=method, fields=fields, lines=entries, warnings=warnings, source=source)
