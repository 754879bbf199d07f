"""Parse untrusted XML with lxml: no external entities, no DTD loading, no network, bounded size.

Every refusal is a :class:`~backoffice.errors.DocumentError` naming the file.
"""

from __future__ import annotations

from lxml import etree

from backoffice.errors import DocumentError

MAX_XML_BYTES = 20 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )


def parse(data: bytes, name: str) -> etree._Element:
    """The root element of ``data``; refuses DOCTYPEs with entities, oversized and broken XML."""
    if len(data) > MAX_XML_BYTES:
        raise DocumentError(f"{name}: the XML is larger than {MAX_XML_BYTES // 1024 // 1024} MB", code="xml-too-large")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"{name}: the XML is not well-formed ({exc})", code="xml-corrupt") from exc
    if root is None:
        raise DocumentError(f"{name}: the XML is empty", code="xml-corrupt")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None and list(tree.docinfo.internalDTD.iterentities()):
        raise DocumentError(f"{name}: the XML declares entities, which are refused", code="xml-entities")
    return root


def local(element: etree._Element) -> str:
    """An element's tag without its namespace."""
    return etree.QName(element).localname
