"""The files embedded in a PDF (a Factur-X or ZUGFeRD invoice's XML), inflated under a limit.

A PDF's embedded file is usually a Flate stream, and a 1.5 MB stream can inflate to 1.5 GB. So
each one is inflated here in steps, never past ``max_bytes``: a file that would grow beyond is
refused when the limit is reached, with a :class:`~backoffice.errors.DocumentError` naming the
PDF, the embedded file and the limit (code ``attachment-too-large``). pdfminer finds the
streams (the ``/EmbeddedFiles`` name tree, what every PDF reader lists); it never inflates them.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import (
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_FLATE_DECODE,
    PDFStream,
    resolve1,
)
from pdfminer.utils import decode_text

from backoffice.errors import DocumentError

log = logging.getLogger(__name__)

MAX_EMBEDDED_BYTES = 20 * 1024 * 1024
MAX_FILES = 100  # name-tree entries looked at; a PDF listing more is not a hybrid invoice
_STEP = 1024 * 1024  # bytes of output inflated at a time


def embedded_files(
    path: Path, *, wanted: Callable[[str], bool] = lambda name: True, max_bytes: int = MAX_EMBEDDED_BYTES
) -> list[tuple[str, bytes]]:
    """The embedded files whose name ``wanted`` accepts, as (name, bytes), in the PDF's order.

    An unreadable entry is skipped (logged); one that inflates past ``max_bytes`` is refused.
    """
    found = []
    try:
        with path.open("rb") as stream:
            document = PDFDocument(PDFParser(stream), password="")
            for name, data in _entries(document):
                if not wanted(name):
                    continue
                try:
                    found.append((name, _inflate(data, max_bytes, f"{path.name}: the embedded {name}")))
                except _Unreadable as exc:
                    log.debug(
                        "unreadable embedded file", extra={"source": path.name, "attachment": name, "reason": str(exc)}
                    )
    except DocumentError:
        raise
    except Exception as exc:  # pdfminer reports broken structure with assorted errors: nothing found
        log.debug("embedded files not readable", extra={"source": path.name, "reason": str(exc)})
    return found


class _Unreadable(Exception):
    pass


def _entries(document: PDFDocument) -> Iterator[tuple[str, PDFStream]]:
    names = resolve1(resolve1(document.catalog.get("Names")) or {})
    tree = resolve1(names.get("EmbeddedFiles")) if isinstance(names, dict) else None
    pending, seen, count = [tree], set(), 0
    while pending and count < MAX_FILES:
        node = resolve1(pending.pop(0))
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        pending.extend(resolve1(node.get("Kids")) or [])
        pairs = resolve1(node.get("Names")) or []
        for key, spec in zip(pairs[::2], pairs[1::2], strict=False):
            count += 1
            spec = resolve1(spec)
            if not isinstance(spec, dict):
                continue
            files = resolve1(spec.get("EF")) or {}
            data = resolve1(files.get("UF") or files.get("F")) if isinstance(files, dict) else None
            if isinstance(data, PDFStream):
                yield _text(spec.get("UF") or spec.get("F") or key), data


def _text(value: Any) -> str:
    value = resolve1(value)
    return decode_text(value) if isinstance(value, bytes) else str(value)


def _inflate(stream: PDFStream, max_bytes: int, what: str) -> bytes:
    data = stream.rawdata
    if data is None:
        raise _Unreadable("no data")
    if stream.decipher and stream.objid is not None and stream.genno is not None:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    for name, params in stream.get_filters():
        if name in LITERALS_FLATE_DECODE:
            if isinstance(params, dict) and (resolve1(params.get("Predictor")) or 1) > 1:
                raise _Unreadable("a Flate predictor")
            data = _limited_flate(data, max_bytes, what)
        elif name in LITERALS_ASCIIHEX_DECODE or name in LITERALS_ASCII85_DECODE:  # these only shrink
            from pdfminer.ascii85 import ascii85decode, asciihexdecode

            data = asciihexdecode(data) if name in LITERALS_ASCIIHEX_DECODE else ascii85decode(data)
        else:  # LZW, RunLength, image codecs: never seen on an e-invoice, and not bounded here
            raise _Unreadable(f"filter {name!r}")
    if len(data) > max_bytes:
        raise _too_large(what, max_bytes)
    return bytes(data)


def _limited_flate(data: bytes, max_bytes: int, what: str) -> bytes:
    """Inflate ``data`` one step at a time; stop at ``max_bytes`` of output."""
    inflater, out, size = zlib.decompressobj(), [], 0
    pending = data
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _STEP)
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(what, max_bytes)
            out.append(chunk)
    except zlib.error as exc:
        if not out:
            raise _Unreadable(f"zlib: {exc}") from exc
    return b"".join(out)  # a truncated stream gives what it held, as readers do


def _too_large(what: str, max_bytes: int) -> DocumentError:
    return DocumentError(
        f"{what} inflates to more than {max_bytes / 1024 / 1024:.0f} MB, the limit; stopped there",
        code="attachment-too-large",
    )
