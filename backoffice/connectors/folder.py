"""Folder source: a drop folder that a back-office team fills with documents.

A file is taken once it has not changed for ``settle_seconds`` and its size did not change
while it was copied into the workspace (otherwise it is still being written). The item is
committed before the file moves to ``processed/`` (or ``failed/`` when it cannot be taken in),
so a crash at any point neither loses nor duplicates a document: the same content is the same
source key, and enqueueing it again returns the first item. Files are taken a hundred at a
time: stored, made durable together, their items committed in one transaction, then moved.

Any name the file system allows is taken: a name that is not valid UTF-8 is shown with its
odd bytes as ``\\xNN`` (``file``) and kept exactly, as hex, in ``file_name_bytes``. Hidden
(``.name``) and temporary files (``~$lock``, ``.part``, ``.tmp``...) are skipped with one log
line when first seen. One file that cannot be taken never holds up the others: it is logged
once and tried again on the next scan.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from backoffice.connectors.base import Context, Intake, Settings, Source
from backoffice.mail.names import printable
from backoffice.paths import inside
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileBatch

log = logging.getLogger(__name__)
DOCUMENT_PATTERNS = ("*.pdf", "*.png", "*.jpg", "*.jpeg", "*.tif", "*.tiff")  # scans are documents too
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp")
BATCH = 100  # files made durable together and committed in one transaction


class FolderSettings(Settings):
    kind: Literal["folder"] = Field(description="A drop folder.")
    create: bool = Field(False, description="Create the folder (and processed/, failed/) when missing.")
    path: str = Field(description="The drop folder; a relative path is inside the workspace.")
    patterns: list[str] = Field(list(DOCUMENT_PATTERNS), description=(
        "File name patterns to take (case-insensitive); by default PDFs and scans (PNG, JPEG, TIFF)."))
    settle_seconds: float = Field(
        2.0, ge=0, description="A file must be unchanged this long before it is taken."
    )
    max_bytes: int = Field(
        50_000_000, gt=0, description="Larger files become exception items instead of being read."
    )
    processed: str = Field("processed", description="Where taken files move, relative to the folder.")
    failed: str = Field("failed", description="Where files that could not be taken in move.")

    @field_validator("path")
    @classmethod
    def _folder_exists(cls, value: str, info: ValidationInfo) -> str:
        workspace = (info.context or {}).get("workspace")
        if workspace is not None and not info.data.get("create"):
            folder = inside(workspace, value)
            if not folder.is_dir():
                raise ValueError(f"folder does not exist: {folder} (set create: true to make it)")
        return value


class FolderSource(Source):
    Settings = FolderSettings
    settings: FolderSettings

    def __init__(self, settings: FolderSettings, context: Context) -> None:
        super().__init__(settings, context)
        self._symlinks_told: set[str] = set()  # warned about once each, not on every scan
        self._skipped_told: set[str] = set()  # hidden and temporary files, told once while they stay
        self._failing_told: set[str] = set()  # files that could not be taken, told once while they fail

    @property
    def folder(self) -> Path:
        return inside(self.context.workspace, self.settings.path)

    def collect(self, intake: Intake) -> int:
        folder = self.folder
        if self.settings.create:
            folder.mkdir(parents=True, exist_ok=True)
        ready, new = self._ready_files(folder), 0
        for start in range(0, len(ready), BATCH):
            new += self._take_batch(ready[start : start + BATCH], intake)
        return new

    def _take_batch(self, paths: list[Path], intake: Intake) -> int:
        """Store the files of a batch, make them durable together, commit their items in one
        transaction, then move the files. A file that fails is left for the next scan."""
        taken: list[tuple[Path, NewItem, str]] = []
        with self.context.files.batch() as files:
            for path in paths:
                try:
                    found = self._read(path, files)
                except OSError as exc:  # vanished or unreadable right now: the next scan tries again
                    self._failing(path, f"cannot take it yet: {exc}")
                    continue
                except Exception as exc:  # noqa: BLE001 - one odd file never holds up the others
                    self._failing(path, f"cannot take it: {type(exc).__name__}: {exc}")
                    continue
                if found is not None:
                    taken.append((path, *found))
            files.sync()  # the files are durable before the rows that name them
        if not taken:
            return 0
        store, bot = intake.store, self.context.bot
        created, taken = self._enqueue(intake, taken)
        for path, new, destination in taken:
            item = store.find(bot, new.source_key)
            # queued before (or earlier in this batch): the item is another file's, received then
            duplicate = item is not None and item.payload.get("received_at") != new.payload["received_at"]
            try:
                moved = self._move(path, getattr(self.settings, destination))
            except OSError as exc:  # committed: the next scan finds the file again, and the same item
                self._failing(path, f"cannot move it yet: {exc}")
                continue
            self._failing_told.discard(str(path))
            log.info(
                "took %s as item %s%s; moved to %s",
                printable(path.name), item.id if item else "?", " (duplicate)" if duplicate else "", printable(str(moved)),
                extra={"bot": bot, "item": item.id if item else None, "action": "intake"},
            )  # fmt: skip
        return created

    def _enqueue(self, intake: Intake, taken: list[tuple[Path, NewItem, str]]) -> tuple[int, list]:
        """Commit the batch's items in one transaction; when the queue refuses the batch, item
        by item, so that the one it refuses does not keep the others out."""
        actor = f"source:{self.context.bot}"
        try:
            return intake.store.enqueue_many([new for _, new, _ in taken], actor=actor), taken
        except Exception:
            if len(taken) == 1:
                raise
        created, kept = 0, []
        for entry in taken:
            try:
                created += intake.store.enqueue_many([entry[1]], actor=actor)
                kept.append(entry)
            except Exception as exc:  # noqa: BLE001 - logged; the file stays for the next scan
                self._failing(entry[0], f"the queue refused its item: {type(exc).__name__}: {exc}")
        return created, kept

    def _failing(self, path: Path, why: str) -> None:
        if str(path) not in self._failing_told:
            self._failing_told.add(str(path))
            log.warning("%s: %s", printable(str(path)), why, extra={"bot": self.context.bot, "action": "intake"})

    def _ready_files(self, folder: Path) -> list[Path]:
        patterns = [p.lower() for p in self.settings.patterns]
        cutoff = time.time() - self.settings.settle_seconds
        ready, skipped = [], set()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name.lower()
                if name.startswith((".", "~")) or name.endswith(PARTIAL_SUFFIXES):
                    if entry.is_file(follow_symlinks=False):
                        skipped.add(entry.name)
                        if entry.name not in self._skipped_told:
                            log.info("%s skipped: a hidden or temporary file", printable(entry.path),
                                     extra={"bot": self.context.bot, "action": "intake"})
                    continue
                if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    continue
                try:
                    if entry.is_symlink():  # would read whatever it points at, anywhere: left alone
                        if entry.name not in self._symlinks_told:
                            self._symlinks_told.add(entry.name)
                            log.warning("%s is a symbolic link; not taken (copy the file in instead)", printable(entry.path),
                                        extra={"bot": self.context.bot})  # fmt: skip
                        continue
                    if entry.is_file() and entry.stat().st_mtime <= cutoff:
                        ready.append(Path(entry.path))
                except FileNotFoundError:  # moved away by someone else between listing and looking
                    continue
        self._skipped_told = skipped  # one that goes and comes back is told again
        return sorted(ready)

    def _read(self, path: Path, files: FileBatch) -> tuple[NewItem, str] | None:
        """The file's item and where the file goes once it is committed (``processed`` or
        ``failed``); None while the file is still being written."""
        before = path.stat()
        shown = printable(path.name)
        payload = {
            "file": shown,
            "received_at": datetime.now(UTC).isoformat(),
            "size": before.st_size,
        }
        if shown != path.name:  # not valid UTF-8: the exact name, byte for byte
            payload["file_name_bytes"] = os.fsencode(path.name).hex()
        if before.st_size > self.settings.max_bytes:
            payload["intake_error"] = (
                f"{shown}: {before.st_size:,} bytes is above the limit of {self.settings.max_bytes:,}"
            )
            key, stored_files, destination = f"oversize:{shown}:{before.st_size}:{before.st_mtime_ns}", (), "failed"
        else:
            with open(path, "rb") as stream:
                stored = files.put_stream(stream, shown)
            after = path.stat()
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                log.info("%s changed while it was read; taking it later", shown)
                files.forget(stored)  # not kept: nothing will name this content
                return None
            key, stored_files, destination = f"sha256:{stored.sha256}", (stored,), "processed"
        item = NewItem(bot=self.context.bot, source_key=key, payload=payload, files=stored_files,
                       max_attempts=self.context.max_attempts)  # fmt: skip
        return item, destination

    def _move(self, path: Path, subfolder: str) -> Path:
        target_dir = path.parent / subfolder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        counter = 1
        while target.exists():
            target = target_dir / f"{path.stem}.{counter}{path.suffix}"
            counter += 1
        os.replace(path, target)
        return target
