"""Sample timesheets as PDF, CSV and XLSX, in English and German, with what each one holds.

Every file gets ``<file>.expected.json`` beside it (``{"kind", "fields", "lines"}``, normalised
strings), so the golden tests compare what the extractor reads with what was printed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF

from backoffice.demo.invoices import write_expected

FORMATS = ("pdf", "csv", "xlsx")
LANGUAGES = ("en", "de")
_NAMES = ["Anna Berger", "Jonas Keller", "Maria Lopez", "Tom Fischer", "Lea Wagner", "Sam O'Brien"]
_APPROVERS = ["Max Müller", "Claire Dubois", "Peter Jansen", "Ruth Hall"]
_PROJECTS = ["ACME-7", "NORD-12", "CC-4410", "Website Relaunch", "Internal"]
_WORDS = {
    "en": {"title": "Timesheet", "employee": "Employee:", "id": "Employee ID:", "period": "Period:",
           "approver": "Approved by:", "total": "Total hours", "head": ["Date", "Project", "Hours", "Type"],
           "types": {"regular": "Regular", "overtime": "Overtime", "leave": "Vacation"}},
    "de": {"title": "Stundenzettel", "employee": "Mitarbeiter:", "id": "Personalnummer:", "period": "Zeitraum:",
           "approver": "Genehmigt von:", "total": "Summe Stunden", "head": ["Datum", "Projekt", "Stunden", "Art"],
           "types": {"regular": "Normal", "overtime": "Überstunden", "leave": "Urlaub"}},
}


@dataclass(frozen=True)
class GeneratedTimesheet:
    path: Path
    language: str
    expected: dict[str, str]
    lines: list[dict[str, str]]


def generate(folder: Path, seed: int = 5, days: tuple[int, ...] = (5, 22)) -> list[GeneratedTimesheet]:
    """One timesheet per format, language and length (``days`` worked days)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    generated = []
    for form in FORMATS:
        for language in LANGUAGES:
            for count in days:
                sheet = _sheet(rng, count)
                path = folder / f"timesheet-{language}-{count:02d}days.{form}"
                {"pdf": _pdf, "csv": _csv, "xlsx": _xlsx}[form](path, sheet, _WORDS[language], language)
                generated.append(GeneratedTimesheet(path, language, sheet["fields"], sheet["lines"]))
                write_expected(path, "timesheet", sheet["fields"], sheet["lines"])
    return generated


def _sheet(rng: random.Random, count: int) -> dict:
    start = date(2024, rng.randrange(1, 12), 1)
    day, lines, total = start, [], Decimal(0)
    while len(lines) < count:
        if day.weekday() < 5:
            kind = rng.choices(["regular", "overtime", "leave"], [8, 1, 1])[0]
            hours = Decimal("8") if kind == "leave" else Decimal(rng.choice(["7.5", "8", "8.25", "6", "2.5"]))
            line = {"date": day.isoformat(), "hours": f"{hours.normalize():f}", "type": kind}
            if kind != "leave":
                line["project"] = rng.choice(_PROJECTS)
            lines.append(line)
            total += hours
        day += timedelta(days=1)
    end = day - timedelta(days=1)
    fields = {"employee_name": rng.choice(_NAMES), "employee_id": f"E-{rng.randrange(1000, 9999)}",
              "period_start": start.isoformat(), "period_end": end.isoformat(),
              "total_hours": f"{total.normalize():f}", "approver": rng.choice(_APPROVERS)}
    return {"fields": fields, "lines": lines}


def _hours(value: str, language: str) -> str:
    return value.replace(".", ",") if language == "de" else value


def _day(value: str, language: str) -> str:
    day = date.fromisoformat(value)
    return day.strftime("%d.%m.%Y") if language == "de" else value


def _rows(sheet: dict, words: dict, language: str) -> list[list[str]]:
    f = sheet["fields"]
    rows = [[words["title"]], [words["employee"], f["employee_name"]], [words["id"], f["employee_id"]],
            [words["period"], f"{_day(f['period_start'], language)} - {_day(f['period_end'], language)}"], [],
            list(words["head"])]
    for line in sheet["lines"]:
        rows.append([_day(line["date"], language), line.get("project", ""), _hours(line["hours"], language),
                     words["types"][line["type"]]])
    rows += [[words["total"], "", _hours(f["total_hours"], language), ""], [], [words["approver"], f["approver"]]]
    return rows


def _csv(path: Path, sheet: dict, words: dict, language: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, delimiter=";" if language == "de" else ",").writerows(_rows(sheet, words, language))


def _xlsx(path: Path, sheet: dict, words: dict, language: str) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    for row in _rows(sheet, words, language):
        values: list[object] = list(row)
        if row and len(row) == 4 and row[0][:1].isdigit():  # an entry: a real date and a number
            values = [date.fromisoformat(_iso(row[0])), row[1], float(row[2].replace(",", ".")), row[3]]
        book.active.append(values)
    book.properties.created = book.properties.modified = datetime(2024, 1, 1)
    book.save(path)


def _iso(text: str) -> str:
    if "." in text:
        day, month, year = text.split(".")
        return f"{year}-{month}-{day}"
    return text


def _pdf(path: Path, sheet: dict, words: dict, language: str) -> None:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    pdf.add_page()
    rows = _rows(sheet, words, language)
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 15)
    pdf.cell(100, 8, rows[0][0])
    y = 30
    for label, value in rows[1:4]:
        pdf.set_font("Helvetica", "", 10)
        pdf.set_xy(20, y)
        pdf.cell(40, 5, label)
        pdf.set_xy(62, y)
        pdf.cell(80, 5, value)
        y += 6
    y += 6
    columns = [(20, 35), (60, 60), (125, 25), (155, 35)]
    for number, row in enumerate(rows[5:-2]):
        if y > 270:
            pdf.add_page()
            y = 20
        pdf.set_font("Helvetica", "B" if number == 0 or number == len(rows) - 8 else "", 9)
        for (x, w), text in zip(columns, row):
            pdf.set_xy(x, y)
            pdf.cell(w, 5, text, border=1)
        y += 5
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(20, y + 8)
    pdf.cell(40, 5, rows[-1][0])
    pdf.set_xy(62, y + 8)
    pdf.cell(80, 5, rows[-1][1])
    pdf.output(str(path))
