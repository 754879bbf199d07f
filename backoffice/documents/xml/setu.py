"""HR-XML / SETU time cards (``TimeCard``): the reported person, period, intervals and approver."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from backoffice.documents.models import Document, Field
from backoffice.documents.normalise import format_quantity
from backoffice.documents.xml.values import Collector, decimal, first, text, xml_date

_LEAVE = {"leave", "holiday", "vacation", "sick", "sickness", "absence", "paidleave", "unpaidleave", "pto"}


def entry_type(raw: str | None) -> str:
    """``regular``, ``overtime`` or ``leave`` for an interval's ``type`` attribute."""
    key = (raw or "").replace(" ", "").replace("_", "").lower()
    if "overtime" in key:
        return "overtime"
    if key in _LEAVE or "leave" in key:
        return "leave"
    return "regular"


def read_timecard(root: etree._Element, method: str) -> Document:
    collect = Collector(method)
    person = root.find("{*}ReportedResource/{*}Person")
    if person is not None:
        collect.set("employee_name", first(person, "{*}PersonName/{*}FormattedName", "{*}PersonName/{*}LegalName"))
        collect.set("employee_id", first(person, "{*}Id/{*}IdValue"))
    reported = root.find("{*}ReportedTime")
    collect.set("approver", first(root, "{*}ApprovalInfo/{*}Person/{*}PersonName/{*}FormattedName"))
    project = first(root, ".//{*}CustomerReportingRequirements/{*}ProjectCode",
                    ".//{*}CustomerReportingRequirements/{*}CostCenterCode")
    lines: list[dict[str, Field]] = []
    total = Decimal(0)
    if reported is not None:
        collect.set("period_start", reported.find("{*}PeriodStartDate"), "date")
        collect.set("period_end", reported.find("{*}PeriodEndDate"), "date")
        for interval in reported.findall("{*}TimeInterval"):
            line: dict[str, Field] = {}
            day = interval.get("dayAssignment") or text(interval.find("{*}StartDateTime"))
            if xml_date(day):
                line["date"] = collect.field(xml_date(day) or "", day or "")
            if project is not None:
                collect.put(line, "project", project)
            hours = decimal(text(interval.find("{*}Duration")))
            if hours is not None:
                line["hours"] = collect.field(format_quantity(hours), text(interval.find("{*}Duration")) or "")
                total += hours
            kind = interval.get("type")
            line["type"] = collect.field(entry_type(kind), kind or "")
            lines.append(line)
    if lines:
        collect.fields["total_hours"] = Field(format_quantity(total), 1.0, text=" + ".join(
            line["hours"].text for line in lines if "hours" in line), method="computed")
    return Document(kind="timesheet", method=method, fields=collect.fields, lines=lines)
