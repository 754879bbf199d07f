"""Files target: CSV, JSON lines or XLSX, one record per document, written atomically.

The path decides how records are grouped; it may name placeholders:

    path: out/invoices.csv                 # one file; every item is appended
    path: out/run-{run}.xlsx               # one file per Run, appended during the run
    path: out/invoices/{seller_name}-{invoice_number}.json   # one file per item
    # also {item_id}, {key} (the item's idempotency key), {bot} and any document field

Every record carries its ``item_id`` and the ``idempotency_key`` of its post (derived from the
bot, the document and the target, so the same in a fresh queue). A record is known by its key,
never by its item id: posting a key that the file already holds writes nothing, and after a
crash the target finds the key in any file the path pattern matches. CSV and JSON lines are
appended to (each file's keys are read once per runner, then only what was added since); XLSX
is rewritten atomically. Temporary files left by a runner killed while rewriting are deleted
when the target starts.
"""

from __future__ import annotations

import fcntl
import fnmatch
import glob
import hashlib
import logging
import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from backoffice.connectors.base import Settings, Target
from backoffice.connectors.files_formats import FORMATS, KEY, SUFFIXES, TEMPORARY
from backoffice.connectors.mapping import DocumentMapping, FieldSpec
from backoffice.documents.models import Document
from backoffice.errors import BusinessError, TargetError
from backoffice.paths import inside
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)
UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
KNOWN_FILES = 64  # files whose keys a target keeps in memory


class FilesSettings(Settings):
    kind: Literal["files"] = Field(description="A CSV, JSON-lines or XLSX file.")
    name: str | None = Field(None, description="Name of this target in refs and logs (default: the kind).")
    path: str = Field(
        description="The output file, relative to the workspace. Placeholders: {run} (one file per Run), "
        "{item_id}, {key}, {bot} or a document field such as {invoice_number} (one file per item)."
    )
    format: Literal["csv", "jsonl", "xlsx"] | None = Field(
        None, description="csv, jsonl or xlsx; by default taken from the file's suffix (else csv)."
    )
    columns: dict[str, str | FieldSpec] | None = Field(
        None, description="Column -> document field; default: kind, source and every field by name."
    )
    line_columns: dict[str, str | FieldSpec] | None = Field(
        None, description="Line column -> line field (JSON lines and XLSX); default: every line field."
    )

    @field_validator("path")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            list(string.Formatter().parse(value))
        except ValueError as exc:
            raise ValueError(f"bad placeholder in {value!r}: {exc}") from None
        return value


class FilesTarget(Target):
    Settings = FilesSettings
    settings: FilesSettings

    def __init__(self, settings: FilesSettings, context):
        super().__init__(settings, context)
        self.format = settings.format or SUFFIXES.get(Path(settings.path).suffix.lower(), "csv")
        self.writer = FORMATS[self.format]
        fixed = {"item_id": "$item_id", KEY: "$key"}
        if settings.columns is None:
            fixed.update(kind="$kind", source="$source")
        typed = self.format == "xlsx"  # real number and date cells; text formats keep the exact strings
        self.mapping = DocumentMapping(settings.columns, settings.line_columns, typed=typed, fixed=fixed)
        self._known: dict[Path, tuple[int, int, set[str]]] = {}  # file -> (inode, offset read to, keys)
        self.sweep()

    @property
    def path(self) -> Path:
        """The file when the path has no placeholders (or its pattern)."""
        return inside(self.context.workspace, self.settings.path)

    @property
    def idempotent(self) -> bool:
        return True

    @property
    def can_lookup(self) -> bool:
        return True

    def post(self, item: WorkItem, document: Document) -> str:
        relative = self._render(item, document)
        path = inside(self.context.workspace, relative)
        key = self.idempotency_key(item)
        ref = f"{relative}#{key}"
        special = {"$item_id": item.id, "$key": key, "$source": document.source,
                   "$kind": document.kind, "$bot": item.bot, "$run": self.context.run}  # fmt: skip
        record = self.mapping.row(document, special)
        lines = self.mapping.line_rows(document, special) if self.format != "csv" else []
        try:
            with self.waiting(), _exclusive(path, self._locks):
                if key in self._keys(path):
                    return ref
                self.writer.append(path, record, lines)
                self._keys(path).add(key)
        except OSError as exc:
            raise TargetError(f"{self.name}: cannot write {path}: {exc}", code="target-files") from exc
        return ref

    def lookup(self, item: WorkItem, document: Document) -> str | None:
        workspace, key = self.context.workspace, self.idempotency_key(item)
        for found in sorted(glob.glob(str(inside(workspace, self._pattern())))):
            path = Path(found)
            try:
                if self.writer.holds(path, key):
                    shown = path.relative_to(workspace) if path.is_relative_to(workspace) else path
                    return f"{shown}#{key}"
            except (OSError, ValueError, KeyError, StopIteration):
                continue  # not one of ours, or unreadable: it cannot hold the record
        return None

    def sweep(self) -> int:
        """Delete the temporary files a runner killed while rewriting a file left beside it (each
        under its file's lock, so a rewrite in progress elsewhere is never disturbed)."""
        pattern = inside(self.context.workspace, self._pattern())
        swept = 0
        for found in glob.glob(str(pattern.parent / ".*")):
            tmp = Path(found)
            match = TEMPORARY.match(tmp.name)
            if not match or not fnmatch.fnmatch(match["name"], pattern.name):
                continue
            with _exclusive(tmp.parent / match["name"], self._locks):
                try:
                    tmp.unlink()
                    swept += 1
                except FileNotFoundError:  # renamed into place by the runner that wrote it
                    pass
        if swept:
            log.info(
                "%s: deleted %d temporary files of killed runners",
                self.name,
                swept,
                extra={"target": self.name, "action": "sweep"},
            )
        return swept

    @property
    def _locks(self) -> Path:
        return self.context.workspace / "state" / "locks"

    def _pattern(self) -> str:
        return "".join(
            glob.escape(text) + ("*" if name is not None else "")
            for text, name, _, _ in string.Formatter().parse(self.settings.path)
        )

    def _keys(self, path: Path) -> set[str]:
        """The keys ``path`` holds, read incrementally (called under the file's lock)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            self._known.pop(path, None)
            self._known[path] = (0, 0, set())
            return self._known[path][2]
        inode, offset, keys = self._known.get(path, (0, 0, set()))
        if not self.writer.appends or inode != stat.st_ino or stat.st_size < offset:
            offset, keys = 0, set()  # a workbook, or a file replaced or cut short: read it whole
        if not self.writer.appends or stat.st_size > offset:
            more, offset = self.writer.keys(path, offset)
            keys |= more
        self._known.pop(path, None)
        self._known[path] = (stat.st_ino, offset, keys)  # the most recent last
        while len(self._known) > KNOWN_FILES:  # one file per item or per Run: forget the oldest
            del self._known[next(iter(self._known))]
        return keys

    def _render(self, item: WorkItem, document: Document) -> str:
        values = {"run": self.context.run, "item_id": item.id, "key": self.idempotency_key(item), "bot": item.bot}
        values.update({name: f.value for name, f in document.fields.items()})
        out = []
        for text, name, _, _ in string.Formatter().parse(self.settings.path):
            out.append(text)
            if name is not None:
                value = values.get(name)
                if value in (None, ""):
                    raise BusinessError(f"{self.name}: {name} is empty (needed for {self.settings.path})",
                                        code="mapping", field=name)  # fmt: skip
                out.append(UNSAFE.sub("_", str(value)).strip("._") or "_")
        return "".join(out)


@contextmanager
def _exclusive(path: Path, locks: Path) -> Iterator[None]:
    """Hold a lock for ``path`` while checking and rewriting it: two runners posting to one file
    would otherwise each rewrite it from the same old content and lose a record. The lock file
    lives in the workspace, not beside the output that other systems read."""
    locks.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    with open(locks / f"{name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
