"""Mail whose MIME structure is broken, read as a mail client shows it.

Real mail breaks MIME in a few ways again and again: a boundary with an illegal character left
unquoted (``boundary=----=_NextPart...``, which a strict parser cuts at the ``=``), a declared
boundary that no line uses, a nested multipart that reuses its parent's boundary, a file name
with spaces left unquoted (``filename=This is a test.txt``). Mail clients show such mail anyway;
so does backoffice: :func:`flatten` cuts the body at every line that looks like a boundary
(``--`` and a token, followed by header lines) and makes the pieces the parts of a new
``multipart/mixed``; a body with no such line is the text the mail shows.
"""

from __future__ import annotations

import re
import secrets
from email.message import Message

SEPARATOR = re.compile(rb"--[!-~]{1,200}")
HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9-]*[ \t]*:")
HEADER_END = re.compile(rb"\r?\n\r?\n")
UNQUOTED_NAME = re.compile(r"(?i)(?:^|;)\s*(?:file)?name\s*=\s*([^\"\s;][^;\r\n]*)")


def is_broken(message: Message) -> bool:
    """Whether the parser lost the structure: a multipart without its boundary line, a
    multipart that is not one, or a nested multipart reusing an ancestor's boundary."""
    return _broken(message, ())


def _broken(part: Message, boundaries: tuple[str, ...]) -> bool:
    if part.get_content_maintype() != "multipart":
        return False
    names = {type(d).__name__ for d in part.defects}
    if names & {"StartBoundaryNotFoundDefect", "MultipartInvariantViolationDefect"} or not part.is_multipart():
        return True
    boundary = part.get_boundary()
    if boundary is not None and boundary in boundaries:
        return True
    return any(_broken(sub, (*boundaries, boundary or "")) for sub in part.get_payload() if isinstance(sub, Message))


def flatten(raw: bytes) -> bytes:
    """``raw`` with its body rebuilt: the pieces between boundary-like lines as the parts of a
    ``multipart/mixed``, or, without such lines, the body as plain text."""
    end = HEADER_END.search(raw)
    head, body = (raw[: end.start()], raw[end.end() :]) if end else (raw, b"")
    headers = b"\r\n".join(
        line
        for line in _unfolded(head)
        if not line.lower().startswith((b"content-type:", b"content-transfer-encoding:"))
    )
    pieces = _pieces(body)
    if not pieces:
        return (
            headers + b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
        )
    boundary = f"backoffice-repaired-{secrets.token_hex(8)}".encode()
    out = [headers, b'\r\nContent-Type: multipart/mixed; boundary="', boundary, b'"\r\n\r\n']
    for piece in pieces:
        out += [b"--", boundary, b"\r\n", piece, b"\r\n"]
    out += [b"--", boundary, b"--\r\n"]
    return b"".join(out)


def _unfolded(head: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for line in head.splitlines():
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip()
        else:
            lines.append(line)
    return lines


def _pieces(body: bytes) -> list[bytes]:
    lines = body.splitlines(keepends=True)
    starts = []
    for index, line in enumerate(lines):
        stripped = line.rstrip()
        if SEPARATOR.fullmatch(stripped):
            following = lines[index + 1] if index + 1 < len(lines) else b""
            closing = stripped.endswith(b"--")
            if closing or HEADER_LINE.match(following):
                starts.append((index, closing))
    pieces = []
    for number, (index, closing) in enumerate(starts):
        if closing:
            continue
        stop = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        piece = b"".join(lines[index + 1 : stop]).rstrip(b"\r\n")
        if HEADER_LINE.match(piece):
            pieces.append(piece)
    return pieces


def lenient_filename(part: Message, parsed: str | None) -> str | None:
    """The file name, also when it holds spaces and is not quoted (``filename=A B.pdf``:
    the parser keeps ``A``)."""
    for name, value in part.raw_items():
        if name.lower() not in ("content-disposition", "content-type"):
            continue
        match = UNQUOTED_NAME.search(" ".join(str(value).split()))
        if match:
            found = match.group(1).strip()
            if not parsed or (found.startswith(parsed) and len(found) > len(parsed) and "=?" not in found):
                return found
    return parsed
