"""Structured documents in XML: e-invoices (CII, ZUGFeRD 1, UBL), orders (Order-X, UBL) and
HR-XML/SETU time cards, parsed safely (:mod:`.safe`) and read into Documents."""

from backoffice.documents.xml.read import read_xml, syntax_of

__all__ = ["read_xml", "syntax_of"]
