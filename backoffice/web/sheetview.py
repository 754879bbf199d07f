"""An order or timesheet that came as a CSV or XLSX file, shown as the table it is (the item page
has no page image for it): the first rows with their spreadsheet references, each cell a field
was read from marked with that field's name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backoffice.documents.table import column_letter, read_csv, read_xlsx
from backoffice.errors import DocumentError

MAX_SHOWN = 200  # rows shown on the page; the file itself is a download away
CSV_TYPES = ("text/csv", "application/csv", "text/tab-separated-values")
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


@dataclass
class Sheet:
    columns: list[str]  # A, B, C...
    rows: list[list[tuple[str, str]]]  # (text, the field read from the cell or "")
    total: int  # rows in the file
    problem: str = ""
    cells: dict[str, str] = field(default_factory=dict)


def is_table(name: str, media_type: str) -> bool:
    return media_type in CSV_TYPES + XLSX_TYPES or Path(name).suffix.lower() in (".csv", ".tsv", ".xlsx")


def _cell_fields(document: dict[str, Any]) -> dict[str, str]:
    """Spreadsheet reference -> the field read from it (a cell field's ``text`` is ``B7: value``)."""
    out: dict[str, str] = {}
    cells = [*(document.get("fields") or {}).items()]
    for index, line in enumerate(document.get("line_fields") or []):
        cells += [(f"lines[{index}].{name}", f) for name, f in line.items()]
    for name, f in cells:
        if (f or {}).get("method") == "cell" and ": " in (f.get("text") or ""):
            out.setdefault(f["text"].split(": ", 1)[0], name)
    return out


def sheet(path: Path, name: str, media_type: str, document: dict[str, Any]) -> Sheet:
    """The table of a CSV or XLSX file; a file that cannot be read says why in ``problem``."""
    try:
        xlsx = media_type in XLSX_TYPES or Path(name).suffix.lower() == ".xlsx"
        rows = read_xlsx(path) if xlsx else read_csv(path)
    except DocumentError as exc:
        return Sheet([], [], 0, f"{name}: {str(exc).split(': ', 1)[-1]}")
    except OSError as exc:
        return Sheet([], [], 0, f"{name} cannot be read ({exc.strerror or exc})")
    width = max((len(r) for r in rows[:MAX_SHOWN]), default=0)
    marks = _cell_fields(document)
    shown = [[(c.text, marks.get(c.ref, "")) for c in r] + [("", "")] * (width - len(r)) for r in rows[:MAX_SHOWN]]
    return Sheet([column_letter(i) for i in range(width)], shown, len(rows), cells=marks)
