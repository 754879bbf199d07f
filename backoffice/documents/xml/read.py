"""Recognise an XML document's syntax and read it with the matching reader."""

from __future__ import annotations

from lxml import etree

from backoffice.documents.models import Document
from backoffice.documents.xml.cii import read_cii
from backoffice.documents.xml.safe import local, parse
from backoffice.documents.xml.setu import read_timecard
from backoffice.documents.xml.ubl import read_ubl
from backoffice.errors import DocumentError

SYNTAXES: dict[str, str] = {
    "CrossIndustryInvoice": "cii",
    "CrossIndustryDocument": "zugferd-1",
    "SCRDMCCBDACIOMessageStructure": "order-x",
    "Invoice": "ubl",
    "CreditNote": "ubl",
    "Order": "ubl-order",
    "TimeCard": "hr-xml-timecard",
}


# ZUGFeRD 1.0 release candidate (2013-2014): <rsm:Invoice> in the CBFBUY namespace, the Cross
# Industry vocabulary inside it, profile ids "urn:ferd:invoice:rc:<profile>".
ZUGFERD_RC_NAMESPACE = "urn:un:unece:uncefact:data:standard:CBFBUY"


def syntax_of(root: etree._Element) -> str | None:
    """``cii``, ``zugferd-1``, ``zugferd-rc``, ``order-x``, ``ubl``, ``ubl-order``, ``hr-xml-timecard`` or None."""
    name = local(root)
    if name == "Invoice" and (etree.QName(root).namespace or "").startswith(ZUGFERD_RC_NAMESPACE):
        return "zugferd-rc"
    return SYNTAXES.get(name)


def read_xml(data: bytes, name: str, *, method: str = "xml") -> Document:
    """Read ``data`` (the bytes of an XML file or of an attachment called ``name``)."""
    root = parse(data, name)
    syntax = syntax_of(root)
    if syntax in ("cii", "zugferd-1", "zugferd-rc", "order-x"):
        document = read_cii(root, method)
    elif syntax in ("ubl", "ubl-order"):
        document = read_ubl(root, method)
    elif syntax == "hr-xml-timecard":
        document = read_timecard(root, method)
    else:
        raise DocumentError(f"{name}: an XML document of a kind we do not read (<{local(root)}>)", code="xml-unknown")
    return document
