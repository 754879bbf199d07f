"""Long base64 bodies set aside before the standard library parses a mail.

The ``email`` package reads a message line by line in Python, a few microseconds a line: a
20 MB attachment is 350,000 lines of base64, seconds of parsing and several copies of it in
memory. Before parsing, every long run of base64 text that makes up a whole part body (from the
blank line after the part's headers to the next boundary) is replaced by a one-line token. A
run holds no ``-`` and no ``:``, so it can hold no boundary and no header: the parser sees the
same structure in a message of a few kilobytes. A part whose payload is a token is then decoded
straight from the original bytes, a chunk at a time (:class:`Base64Reader`); any other payload
that holds a token gets its original text back (:meth:`Skeleton.restore`), so what the parser
saw is exactly what it would have read.
"""

from __future__ import annotations

import binascii
import re
import secrets

import pybase64
from dataclasses import dataclass, field
from email.message import Message

MIN_RUN = 4096  # shorter bodies cost the parser little
BASE64_TEXT = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"
HEADER_END = re.compile(rb"\n\r?\n")
TOKEN = re.compile(r"BackofficeSetAside[0-9a-f]{16}N\d+")
NEWLINES = b"\r\n"
PADDING = b"=\r\n"
CHUNK = 1 << 20  # encoded bytes decoded at a time


@dataclass
class Skeleton:
    """The message as the parser should see it, and where each token's text is in ``raw``."""

    raw: bytes
    text: bytes
    prefix: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def span(self, part: Message) -> tuple[int, int] | None:
        """Where ``part``'s encoded body is in the original, when it was set aside whole."""
        payload = part._payload  # the raw payload: get_payload() would decode it
        if isinstance(payload, str) and payload.startswith(self.prefix):
            return self.spans.get(payload.rstrip("\r\n"))
        return None

    def restore(self, part: Message) -> None:
        """Put the original text back into ``part``'s payload where the parser saw a token."""
        payload = part._payload
        if self.spans and isinstance(payload, str) and self.prefix in payload:
            part.set_payload(TOKEN.sub(self._original, payload))

    def _original(self, match: re.Match) -> str:
        span = self.spans.get(match.group())  # None: a token of another message, quoted
        return match.group() if span is None else self.raw[span[0] : span[1]].decode("ascii")


def set_aside(raw: bytes, min_run: int | None = None) -> Skeleton:
    """``raw`` with every base64 part body of ``min_run`` bytes or more (default
    :data:`MIN_RUN`) replaced by a token (see the module docstring)."""
    min_run = MIN_RUN if min_run is None else max(min_run, 1)
    prefix = f"BackofficeSetAside{secrets.token_hex(8)}N"
    skeleton = Skeleton(raw, raw, prefix)
    pieces: list[bytes] = []
    done = 0
    start = 0  # the top headers, then every line that starts with "--" (maybe a boundary)
    while start < len(raw):
        end = _next_dashes(raw, start + 1)
        run = _base64_body(raw, start, end, min_run)
        if run is not None:
            token = f"{prefix}{len(skeleton.spans)}"
            skeleton.spans[token] = run
            pieces += [raw[done : run[0]], token.encode("ascii")]
            done = run[1]
        start = end
    if pieces:
        skeleton.text = b"".join([*pieces, raw[done:]])
    return skeleton


def _next_dashes(raw: bytes, start: int) -> int:
    """Where the next line that starts with "--" begins, or len(raw). (Looking for "-" alone:
    base64 has none, so a 27 MB attachment is skipped at memchr speed, not a line at a time.)"""
    at = raw.find(b"-", start)
    while at >= 0:
        if raw[at - 1 : at] == b"\n" and raw[at + 1 : at + 2] == b"-":
            return at
        at = raw.find(b"-", at + 2)
    return len(raw)


def _base64_body(raw: bytes, start: int, end: int, min_run: int) -> tuple[int, int] | None:
    """The body after the headers that begin at ``start``, when it is one long base64 run."""
    line_end = raw.find(b"\n", start, end) if start else 0
    if line_end < 0:
        return None
    blank = HEADER_END.search(raw, line_end if start else 0, end)
    if blank is None:
        return None
    body = blank.end()
    if end - body < min_run or not _is_base64(raw, body, end):
        return None  # short, or something else in this body: leave it to the parser
    run_end = end
    while run_end > body and raw[run_end - 1] in NEWLINES:
        run_end -= 1  # the line break before a boundary belongs to the boundary
    return (body, run_end) if run_end - body >= min_run else None


def _is_base64(raw: bytes, start: int, end: int) -> bool:
    # bytes.translate deletes the base64 alphabet at C speed; a chunk at a time keeps copies small
    return not any(raw[at : min(at + CHUNK, end)].translate(None, BASE64_TEXT) for at in range(start, end, CHUNK))


class Base64Reader:
    """Decode ``raw[start:end]`` (base64 with line breaks) a chunk at a time, as a stream."""

    def __init__(self, raw: bytes, start: int, end: int):
        self.raw, self.pos, self.end = raw, start, end
        self.encoded_size = end - start
        self.carry = b""  # encoded characters short of a group of four
        self.ahead = b""  # decoded by peek(), not read yet

    def peek(self) -> bytes:
        """The first decoded chunk (up to a megabyte), still there for the next read()."""
        if not self.ahead:
            self.ahead = self._next(CHUNK)
        return self.ahead

    def read(self, size: int = -1) -> bytes:
        """The next chunk of about ``size`` bytes (b"" at the end); everything with ``size < 0``."""
        if size < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        if self.ahead:
            chunk, self.ahead = self.ahead, b""
            return chunk
        return self._next(size)

    def _next(self, size: int) -> bytes:
        while self.pos < self.end:
            stop = min(self.end, self.pos + max(size, 4096) * 4 // 3)
            newline = self.raw.rfind(b"\n", self.pos, stop) if stop < self.end else -1
            if newline >= self.pos:  # end the chunk with a line: lines hold whole groups of four
                stop = newline + 1
            chunk = self.raw[self.pos : stop]
            self.pos = stop
            decoded = None
            if not self.carry:  # the common case: whole lines, whole groups of four, no copy
                decoded = _decode(chunk, pad=self.pos == self.end)
            if decoded is None:  # groups of four across lines, or a line across chunks
                data = self.carry + chunk.translate(None, NEWLINES)
                whole = len(data) // 4 * 4 if self.pos < self.end else len(data)
                data, self.carry = data[:whole], data[whole:]
                decoded = _decode(data, pad=True) or b""
            if decoded:
                return decoded
        return b""


def _decode(data: bytes, *, pad: bool) -> bytes | None:
    """Base64 with line breaks, as leniently as the email package reads it; None when the
    characters do not make whole groups of four (and ``pad`` does not allow adding ``=``).

    pybase64 (SIMD) decodes about five times as fast as binascii; it reads the same as
    binascii where no ``=`` stands before the end (after a ``=`` binascii stops reading a
    group, pybase64 reads on), so a chunk with one elsewhere goes to binascii."""
    padding = data.find(b"=")
    try:
        if padding < 0 or not data[padding:].translate(None, PADDING):
            return pybase64.b64decode(data)
        return binascii.a2b_base64(data)
    except binascii.Error:  # incomplete group
        if not pad:
            return None
        for padding in (b"=", b"=="):
            try:
                return binascii.a2b_base64(data + padding)
            except binascii.Error:
                pass
        return b""
