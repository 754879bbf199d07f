"""Files target: CSV or JSON lines, one record per document, written atomically.

Each post rewrites the file through a temporary file that is fsynced and renamed, so a reader
never sees half a record and a crash never leaves a torn file. A record carries its item id;
posting the same item again finds it and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field

from backoffice.connectors.base import Settings, Target
from backoffice.documents.models import FIELDS_BY_KIND, Document
from backoffice.paths import inside
from backoffice.queue.base import WorkItem


class FilesSettings(Settings):
    kind: Literal["files"] = Field(description="A CSV or JSON-lines file.")
    name: str | None = Field(None, description="Name of this target in refs and logs (default: the kind).")
    path: str = Field(description="The output file; a relative path is inside the workspace.")
    format: Literal["csv", "jsonl"] | None = Field(
        None, description="csv or jsonl; by default taken from the file's suffix."
    )


class FilesTarget(Target):
    Settings = FilesSettings
    settings: FilesSettings

    @property
    def path(self) -> Path:
        return inside(self.context.workspace, self.settings.path)

    @property
    def format(self) -> str:
        return self.settings.format or ("jsonl" if self.path.suffix in (".jsonl", ".ndjson") else "csv")

    def post(self, item: WorkItem, document: Document) -> str:
        ref = f"{self.settings.path}#item-{item.id}"
        existing = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        if self._holds(existing, item.id):
            return ref
        columns = ["item_id", "kind", "source", *FIELDS_BY_KIND.get(document.kind, {})]
        record = {"item_id": item.id, "kind": document.kind, "source": document.source}
        record.update({name: f.value for name, f in document.fields.items()})
        if self.format == "jsonl":
            record["lines"] = [{k: f.value for k, f in line.items()} for line in document.lines]
            addition = json.dumps(record, ensure_ascii=False) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
            if not existing:
                writer.writeheader()
            writer.writerow(record)
            addition = buffer.getvalue()
        _write_atomically(self.path, existing + addition)
        return ref

    def _holds(self, text: str, item_id: int) -> bool:
        if not text:
            return False
        if self.format == "jsonl":
            return any(json.loads(line).get("item_id") == item_id for line in text.splitlines() if line.strip())
        return any(row.get("item_id") == str(item_id) for row in csv.DictReader(io.StringIO(text)))


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
