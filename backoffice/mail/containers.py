"""Files that hold other files: ZIP and gzip archives, TNEF (``winmail.dat``), Outlook ``.msg``.

Each opener yields ``(name, data)`` for the files inside, or raises :class:`Refused` with a code
and a reason. Decompression is bounded *while inflating*: a member is read a chunk at a time
and reading stops at the limit, whatever sizes the archive's headers claim, so a bomb never
costs more than the limit in memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 1 << 16


class Refused(Exception):
    def __init__(self, code: str, reason: str, where: str = ""):
        self.code, self.reason, self.where = code, reason, where
        super().__init__(reason)


@dataclass(frozen=True)
class Bounds:
    part_bytes: int  # one file, inflated
    total_bytes: int  # everything in one archive, inflated
    members: int
    ratio: float  # inflated / compressed, for anything above a megabyte


def inflate(stream, limit: int, what: str) -> bytes:
    """Read ``stream`` to its end, a chunk at a time; Refused("zip-bomb") past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise Refused("zip-bomb", f"{what} unpacks to more than {limit:,} bytes")
        chunks.append(chunk)


def zip_members(data: bytes, bounds: Bounds) -> Iterator[tuple[str, bytes | None]]:
    """The files of a ZIP archive; an encrypted member comes with None instead of its bytes
    (the caller refuses it alone); a bomb stops the whole archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError) as exc:
        raise Refused("zip-corrupt", f"not a readable ZIP archive: {exc}") from exc
    if len(members) > bounds.members:
        raise Refused("zip-bomb", f"{len(members)} files, more than {bounds.members}")
    declared = sum(m.file_size for m in members)
    if declared > bounds.total_bytes:
        raise Refused("zip-bomb", f"unpacks to {declared:,} bytes, more than {bounds.total_bytes:,}")
    left = bounds.total_bytes
    for member in members:
        if member.flag_bits & 0x1:
            yield member.filename, None
            continue
        limit = min(bounds.part_bytes, left, max(int(member.compress_size * bounds.ratio), 1_000_000))
        try:
            with archive.open(member) as stream:
                content = inflate(stream, limit, member.filename)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
            raise Refused("zip-corrupt", f"{member.filename} cannot be unpacked: {exc}") from exc
        except Refused as exc:
            raise Refused("zip-bomb", f"{exc.reason} (packed: {member.compress_size:,} bytes)") from None
        left -= len(content)
        yield member.filename, content


def gunzip(data: bytes, name: str, bounds: Bounds) -> tuple[str, bytes]:
    """The one file of a gzip stream, bounded while inflating."""
    inner = (
        name[:-3]
        if name.lower().endswith(".gz")
        else (name[:-4] + ".tar" if name.lower().endswith(".tgz") else name + ".out")
    )
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return inner, inflate(stream, min(bounds.part_bytes, max(int(len(data) * bounds.ratio), 1_000_000)), name)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise Refused("gzip-corrupt", f"not a readable gzip file: {exc}") from exc


def tnef_files(data: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    """The attachments of a TNEF (``winmail.dat``) stream, and its RTF body (b"" when none),
    read by tnefparse."""
    from tnefparse import TNEF

    try:
        tnef = TNEF(data, do_checksum=False)
        files = [(_tnef_name(a), a.data or b"") for a in tnef.attachments]
        body = tnef.rtfbody or b""
    except Exception as exc:
        raise Refused("tnef-unreadable", f"cannot open the Outlook TNEF (winmail.dat) file: {exc}") from exc
    return files, body if isinstance(body, bytes) else body.encode("utf-8")


def _tnef_name(attachment) -> str:
    try:
        return attachment.long_filename() or attachment.name
    except Exception:  # noqa: BLE001 - a damaged name: the data still counts
        return ""


def outlook_message(data: bytes):
    """An opened Outlook ``.msg`` (extract_msg); close it when done."""
    import extract_msg

    try:
        return extract_msg.openMsg(io.BytesIO(data))
    except Exception as exc:
        raise Refused("msg-unreadable", f"cannot open Outlook message: {exc}") from exc
