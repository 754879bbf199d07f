"""Folder source: a drop folder that a back-office team fills with documents.

A file is taken once it has not changed for ``settle_seconds`` and its size did not change
while it was copied into the workspace (otherwise it is still being written). The item is
committed before the file moves to ``processed/`` (or ``failed/`` when it cannot be taken in),
so a crash at any point neither loses nor duplicates a document: the same content is the same
source key, and enqueueing it again returns the first item. Files are taken a hundred at a
time: stored, made durable together, their items committed in one transaction, then moved.
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
        transaction, then move the files."""
        taken: list[tuple[Path, NewItem, str]] = []
        with self.context.files.batch() as files:
            for path in paths:
                try:
                    found = self._read(path, files)
                except OSError as exc:  # vanished or unreadable right now: the next scan tries again
                    log.warning("cannot take %s yet: %s", path, exc, extra={"bot": self.context.bot})
                    continue
                if found is not None:
                    taken.append((path, *found))
            files.sync()  # the files are durable before the rows that name them
        if not taken:
            return 0
        store, bot = intake.store, self.context.bot
        created = store.enqueue_many([new for _, new, _ in taken], actor=f"source:{bot}")
        for path, new, destination in taken:
            item = store.find(bot, new.source_key)
            # queued before (or earlier in this batch): the item is another file's, received then
            duplicate = item is not None and item.payload.get("received_at") != new.payload["received_at"]
            try:
                moved = self._move(path, getattr(self.settings, destination))
            except OSError as exc:  # committed: the next scan finds the file again, and the same item
                log.warning("cannot move %s yet: %s", path, exc, extra={"bot": bot})
                continue
            log.info(
                "took %s as item %s%s; moved to %s",
                path.name, item.id if item else "?", " (duplicate)" if duplicate else "", moved,
                extra={"bot": bot, "item": item.id if item else None, "action": "intake"},
            )  # fmt: skip
        return created

    def _ready_files(self, folder: Path) -> list[Path]:
        patterns = [p.lower() for p in self.settings.patterns]
        cutoff = time.time() - self.settings.settle_seconds
        ready = []
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name.lower()
                if name.startswith((".", "~")) or name.endswith(PARTIAL_SUFFIXES):
                    continue
                if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
                    continue
                try:
                    if entry.is_symlink():  # would read whatever it points at, anywhere: left alone
                        if entry.name not in self._symlinks_told:
                            self._symlinks_told.add(entry.name)
                            log.warning("%s is a symbolic link; not taken (copy the file in instead)", entry.path,
                                        extra={"bot": self.context.bot})  # fmt: skip
                        continue
                    if entry.is_file() and entry.stat().st_mtime <= cutoff:
                        ready.append(Path(entry.path))
                except FileNotFoundError:  # moved away by someone else between listing and looking
                    continue
        return sorted(ready)

    def _read(self, path: Path, files: FileBatch) -> tuple[NewItem, str] | None:
        """The file's item and where the file goes once it is committed (``processed`` or
        ``failed``); None while the file is still being written."""
        before = path.stat()
        payload = {
            "file": path.name,
            "received_at": datetime.now(UTC).isoformat(),
            "size": before.st_size,
        }
        if before.st_size > self.settings.max_bytes:
            payload["intake_error"] = (
                f"{path.name}: {before.st_size:,} bytes is above the limit of {self.settings.max_bytes:,}"
            )
            key, stored_files, destination = f"oversize:{path.name}:{before.st_size}:{before.st_mtime_ns}", (), "failed"
        else:
            with open(path, "rb") as stream:
                stored = files.put_stream(stream, path.name)
            after = path.stat()
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                log.info("%s changed while it was read; taking it later", path.name)
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
